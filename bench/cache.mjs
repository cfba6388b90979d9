#!/usr/bin/env node
/* global fetch */
// The binary cache beside Nix 2.8, on the same closure (the seed's static aarch64 binutils)
// and the same compression: push to file://, substitute from file:// into a fresh store, a
// build whose closure is all in the cache, and `xpkgs serve`'s NAR throughput over loopback
// against a plain Node file server of the same NAR. Needs root (a fresh store is an empty
// folder bound over the store dir, in a mount namespace) and nix. Prints a Markdown table.
import { spawn, spawnSync } from "node:child_process";
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The launcher `npm link` puts on PATH, as a user runs xpkgs.
const cli = new URL("../dist/bin/xpkgs", import.meta.url).pathname;
const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped";
const root = mkdtempSync(join(tmpdir(), "xpkgs-bench-cache-"));
const storeDir = process.env.XPKGS_STORE_DIR ?? join(root, "store");
const env = { ...process.env, XPKGS_STORE_DIR: storeDir };
const nixEnv = (d) => {
  for (const s of ["state", "log", "conf", "xdg", "home"])
    mkdirSync(join(d, s), { recursive: true });
  return {
    ...process.env,
    NIX_STORE_DIR: storeDir,
    NIX_STATE_DIR: join(d, "state"),
    NIX_LOG_DIR: join(d, "log"),
    NIX_CONF_DIR: join(d, "conf"),
    XDG_CACHE_HOME: join(d, "xdg"),
    HOME: join(d, "home"),
  };
};
let n = 0;
const fresh = () => join(root, `f${n++}`);

function timed(cmd, args, e = env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: e, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out: r.stdout, err: r.stderr };
}
const xpkgs = (args, e = env) => timed(cli, args, e);
const nix = (args, e) =>
  timed(
    "nix",
    ["--extra-experimental-features", "nix-command", "--option", "build-users-group", "", ...args],
    e,
  );
/** xpkgs in a fresh store at the same store dir. */
function xpkgsFresh(args) {
  const d = fresh();
  mkdirSync(join(d, "store"), { recursive: true });
  const script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"';
  return timed(
    "unshare",
    ["-m", "sh", "-c", script, "sh", join(d, "store"), storeDir, cli, ...args],
    {
      ...env,
      XPKGS_STATE_DIR: join(d, "var"),
    },
  );
}
const localNix = (d) =>
  `local?store=${storeDir}&real=${join(d, "real")}&state=${join(d, "lstate")}&log=${join(d, "llog")}`;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

const out = xpkgs(["build", "--no-out-link", "-q", attr]).out.trim();
const keyDir = join(root, "keys");
mkdirSync(keyDir);
xpkgs([
  "key",
  "generate",
  "--name",
  "bench-1",
  "--secret",
  join(keyDir, "s"),
  "--public",
  join(keyDir, "p"),
]);
const secret = join(keyDir, "s");
const pub = readFileSync(join(keyDir, "p"), "utf8");
const narSize = JSON.parse(xpkgs(["path-info", "--json", out]).out)[0]?.narSize;

const rows = [];
for (const c of ["xz", "zstd"]) {
  const ours = join(root, `ours-${c}`);
  const push = xpkgs([
    "copy",
    "-q",
    "--to",
    `file://${ours}`,
    "--compression",
    c,
    "--secret-key",
    secret,
    out,
  ]);
  // Nix pushes the same path from a Nix store that holds it.
  const nd = fresh();
  const ne = nixEnv(nd);
  nix(
    ["copy", "--from", `file://${ours}`, "--trusted-public-keys", pub, "--to", localNix(nd), out],
    ne,
  );
  const theirs = join(root, `nix-${c}`);
  const nixPush = nix(
    [
      "copy",
      "--from",
      localNix(nd),
      "--to",
      `file://${theirs}?compression=${c}&secret-key=${secret}`,
      out,
    ],
    ne,
  );
  rows.push([`push to file:// (${c})`, push.ms, nixPush.ms]);
  const sub = xpkgsFresh([
    "copy",
    "-q",
    "--from",
    `file://${ours}`,
    "--trusted-public-keys",
    pub,
    out,
  ]);
  const nd2 = fresh();
  const nixSub = nix(
    ["copy", "--from", `file://${ours}`, "--trusted-public-keys", pub, "--to", localNix(nd2), out],
    nixEnv(nd2),
  );
  rows.push([`substitute from file:// into a fresh store (${c})`, sub.ms, nixSub.ms]);
  const nar = readFileSync(
    join(
      ours,
      readFileSync(join(ours, `${out.split("/").pop().slice(0, 32)}.narinfo`), "utf8").match(
        /^URL: (.*)$/m,
      )[1],
    ),
  );
  const decompress = (() => {
    const file = join(root, "nar-file");
    writeFileSync(file, nar);
    return timed("sh", ["-c", `${c === "xz" ? "xz" : "zstd -q"} -dc < ${file} > /dev/null`]).ms;
  })();
  const build = xpkgsFresh([
    "build",
    "--no-out-link",
    "-q",
    "--substituters",
    `file://${ours}`,
    "--trusted-public-keys",
    pub,
    attr,
  ]);
  rows.push([
    `\`xpkgs build\` of the attribute, all in the cache, fresh store (${c}); decompression alone ${s(decompress)}`,
    build.ms,
    null,
  ]);
}

// serve: NAR throughput over loopback, against a plain Node server of the same bytes.
async function throughput(url) {
  const start = process.hrtime.bigint();
  const res = await fetch(url);
  let bytes = 0;
  for await (const c of res.body) bytes += c.length;
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  return { bytes, mbps: bytes / 1e6 / sec };
}
const server = spawn(cli, ["serve", "--port", "0", "-q"], {
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
const banner = await new Promise((r) => server.stdout.once("data", (d) => r(d.toString())));
const base = banner.match(/at (http:\/\/\S+?)(,|\s)/)[1];
const ni = await (await fetch(`${base}/${out.split("/").pop().slice(0, 32)}.narinfo`)).text();
const narUrl = `${base}/${ni.match(/^URL: (.*)$/m)[1]}`;
await throughput(narUrl);
const served = [await throughput(narUrl), await throughput(narUrl), await throughput(narUrl)].sort(
  (a, b) => a.mbps - b.mbps,
)[1];
server.kill("SIGTERM");
// The reference: the NAR as a plain file, served by Node's http and fs streams.
const plainFile = join(root, "plain");
{
  const ours = join(root, "ours-none");
  xpkgs([
    "copy",
    "-q",
    "--to",
    `file://${ours}`,
    "--compression",
    "none",
    "--secret-key",
    secret,
    out,
  ]);
  const url = readFileSync(
    join(ours, `${out.split("/").pop().slice(0, 32)}.narinfo`),
    "utf8",
  ).match(/^URL: (.*)$/m)[1];
  writeFileSync(plainFile, readFileSync(join(ours, url)));
}
const plain = createServer((req, res) => {
  res.writeHead(200, { "content-length": statSync(plainFile).size });
  createReadStream(plainFile, { highWaterMark: 1 << 20 }).pipe(res);
});
await new Promise((r) => plain.listen(0, "127.0.0.1", r));
const plainUrl = `http://127.0.0.1:${plain.address().port}/`;
await throughput(plainUrl);
const ref = [
  await throughput(plainUrl),
  await throughput(plainUrl),
  await throughput(plainUrl),
].sort((a, b) => a.mbps - b.mbps)[1];
plain.close();

console.log(
  `Closure: ${out.split("/").pop()} (1 path, NAR ${(narSize / 2 ** 20).toFixed(1)} MiB).`,
);
console.log("");
console.log("| what | xpkgs | Nix 2.8 | ratio |");
console.log("|---|---|---|---|");
for (const [what, a, b] of rows) {
  console.log(
    `| ${what} | ${s(a)} | ${b === null ? "" : s(b)} | ${b === null ? "" : `${(a / b).toFixed(2)}×`} |`,
  );
}
console.log(
  `| \`xpkgs serve\` NAR throughput over loopback (none) | ${served.mbps.toFixed(0)} MB/s | plain Node file server: ${ref.mbps.toFixed(0)} MB/s | ${(served.mbps / ref.mbps).toFixed(2)}× |`,
);
rmSync(root, { recursive: true, force: true });
