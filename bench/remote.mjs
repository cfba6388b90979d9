#!/usr/bin/env node
// Remote builders beside local builds and beside Nix 2.8, in one run on this machine: two real
// Nix builders (sshd + nix-bin in network namespaces, src/remote/testing/ssh-builders.ts).
// 1. Overhead: a trivial derivation built here, and built on a builder (--max-jobs 0), each
//    through the CLI as a user runs it; the median of 5 of each.
// 2. Input transfer: the closure of the seed's static aarch64 binutils sent to a fresh builder by
//    xpkgs (the serve protocol's add-to-store-nar), and by `nix copy --to ssh://` from the first
//    builder's store to the second's, over the same kind of namespace link.
// Needs root, nix, sshd and ip. Prints a Markdown table.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dist = new URL("../dist/", import.meta.url).pathname;
const { startSshBuilders } = await import(`${dist}remote/testing/ssh-builders.js`);
const { hostToolchainFeatures } = await import(`${dist}remote/toolchain-features.js`);
const { connectMachine } = await import(`${dist}remote/connect.js`);
const { parseMachines } = await import(`${dist}remote/machines.js`);
const { sendClosure } = await import(`${dist}remote/remote-build.js`);
const { shellDerivation } = await import(`${dist}build/testing.js`);
const { DerivationGraph } = await import(`${dist}derivation/graph.js`);
const { writeDerivations } = await import(`${dist}derivation/instantiate.js`);
const { Store } = await import(`${dist}store/store.js`);

const cli = new URL("../dist/bin/xpkgs", import.meta.url).pathname;
const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped";
const root = mkdtempSync(join(tmpdir(), "xpkgs-bench-remote-"));
const storeDir = process.env.XPKGS_STORE_DIR ?? join(root, "store");
const env = { ...process.env, XPKGS_STORE_DIR: storeDir };

function timed(cmd, args, e = env) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: e, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, out: r.stdout };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

process.stderr.write(`bench/remote: building ${attr} here first (if it is not yet)\n`);
const out = timed(cli, ["build", "--no-out-link", "-q", attr]).out.trim().split("\n")[0];
const store = new Store({ storeDir, stateDir: join(storeDir, "../var") });
const b = await startSshBuilders(storeDir, 2, hostToolchainFeatures());
const rows = [];
try {
  const [one, two] = b.builders;
  // 1. Overhead of a remote build of a trivial derivation.
  const graph = new DerivationGraph(storeDir);
  const add = (name) => {
    const f = graph.add(shellDerivation(name, "echo x > $out"));
    writeDerivations(store, graph.closure(f.drvPath), graph);
    return f.drvPath;
  };
  const tag = `${process.pid}-${Date.now()}`;
  const local = [];
  const remote = [];
  for (let i = 0; i < 5; i++) {
    local.push(timed(cli, ["build", "--no-out-link", "-q", add(`bench-local-${tag}-${i}`)]).ms);
    remote.push(
      timed(cli, [
        "build",
        "--no-out-link",
        "-q",
        "--builders",
        one.line(),
        "--max-jobs",
        "0",
        add(`bench-remote-${tag}-${i}`),
      ]).ms,
    );
  }
  const lm = median(local);
  const rm = median(remote);
  rows.push(["trivial derivation, built here (xpkgs build)", s(lm), ""]);
  rows.push(["the same kind, built on a builder (--max-jobs 0)", s(rm), `overhead ${s(rm - lm)}`]);

  // 2. Input transfer: the binutils closure to a fresh builder.
  const closure = [...store.closure([out])];
  const bytes = closure.reduce((n, p) => n + store.info(p).narSize, 0);
  const client = await connectMachine(parseMachines(one.line())[0]);
  const t0 = process.hrtime.bigint();
  const sent = await sendClosure(store, client, closure, false);
  const xms = Number(process.hrtime.bigint() - t0) / 1e6;
  await client.close();
  if (sent.paths !== closure.length) throw new Error(`sent ${sent.paths} of ${closure.length}`);
  const conf = join(root, "nixconf");
  mkdirSync(conf);
  writeFileSync(join(conf, "nix.conf"), "substituters =\nbuild-users-group =\n");
  const nixEnv = {
    ...process.env,
    NIX_CONF_DIR: conf,
    NIX_SSHOPTS: `-i ${b.clientKey} -oStrictHostKeyChecking=no -oUserKnownHostsFile=/dev/null -oLogLevel=ERROR`,
  };
  const n = timed(
    "nix",
    [
      "--extra-experimental-features",
      "nix-command",
      "copy",
      "--no-check-sigs",
      "--from",
      one.storeUri,
      "--to",
      `ssh://root@${two.address}?store=${storeDir}`,
      out,
    ],
    nixEnv,
  );
  const mb = bytes / 1e6;
  rows.push([
    `binutils closure (${closure.length} paths, ${mb.toFixed(1)} MB of NAR) sent by xpkgs`,
    s(xms),
    `${(mb / (xms / 1000)).toFixed(0)} MB/s`,
  ]);
  rows.push([
    "the same closure, nix copy --to ssh:// (Nix 2.8)",
    s(n.ms),
    `${(mb / (n.ms / 1000)).toFixed(0)} MB/s; xpkgs/Nix time ${(xms / n.ms).toFixed(2)}×`,
  ]);
} finally {
  b.stop();
  store.close();
  rmSync(root, { recursive: true, force: true });
}
console.log("| what | time | note |\n| --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
