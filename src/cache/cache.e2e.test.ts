// The binary cache end to end, with Nix as the oracle both ways: xpkgs pushes and Nix
// verifies and substitutes; Nix pushes and xpkgs substitutes; tampered and hostile caches
// are refused by both, and nothing half-made is registered.
import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TestStore } from "../build/testing.js";
import { buildSamplePair } from "./testing/sample.js";
import { runCli, runCliAsync } from "../cli/testing.js";
import { startPutServer } from "./testing/put-server.js";
import { StoreDb } from "../store/db.js";
import { generateKeyPair, parseSecretKey } from "./signing.js";
import { parseNarInfo } from "./narinfo.js";
import { freshClient, nixAvailable, nixClient } from "./testing/clients.js";

const skip = nixAvailable();

describe("binary cache, with Nix as the oracle", { skip: skip ?? false }, () => {
  let t: TestStore;
  let root: string;
  let lib: { drvPath: string; out: string };
  let app: { drvPath: string; out: string };
  const key = generateKeyPair("xpkgs-test-1");
  const other = generateKeyPair("other-1");
  let secretFile: string;
  let cacheDir: string;
  let cacheUrl: string;
  let drvJson: string;

  before(async () => {
    ({ t, lib, app } = await buildSamplePair("cache"));
    root = t.root;
    secretFile = join(root, "xpkgs-test-1.secret");
    writeFileSync(secretFile, key.secret);
    cacheDir = join(root, "cache-xz");
    cacheUrl = `file://${cacheDir}`;
    drvJson = join(root, "drvs.json");
    const show = runCli(["show-derivation", "-r", app.drvPath], t.env);
    assert.equal(show.status, 0, show.stderr);
    writeFileSync(drvJson, show.stdout);
  });
  after(() => {
    t.store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("pushes a closure to file://, NAR before narinfo; Nix verifies it and substitutes it", async () => {
    const r = runCli(["copy", "--to", cacheUrl, "--secret-key", secretFile, app.out], t.env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /pushed 2 paths to file:/);
    assert.match(
      readFileSync(join(cacheDir, "nix-cache-info"), "utf8"),
      new RegExp(`^StoreDir: ${t.store.storeDir}\n`),
    );
    const info = parseNarInfo(
      readFileSync(join(cacheDir, `${app.out.split("/").pop()!.slice(0, 32)}.narinfo`), "utf8"),
      t.store.storeDir,
      "t",
    );
    assert.deepEqual(info.references, [lib.out]);
    assert.equal(info.deriver, app.drvPath);
    assert.equal(info.compression, "xz");
    assert.ok(existsSync(join(cacheDir, info.url)));
    assert.ok(
      existsSync(join(cacheDir, "log", app.drvPath.split("/").pop()!)),
      "the build log is pushed",
    );
    // A second push finds everything there.
    const again = runCli(["copy", "--to", cacheUrl, "--secret-key", secretFile, app.out], t.env);
    assert.match(again.stdout, /pushed 0 paths/);

    const nix = nixClient(root, t.store.storeDir);
    const verify = nix.run([
      "store",
      "verify",
      "--store",
      cacheUrl,
      "--trusted-public-keys",
      key.public,
      "-r",
      app.out,
    ]);
    assert.equal(verify.status, 0, verify.stderr);
    const copy = nix.run([
      "copy",
      "--from",
      cacheUrl,
      "--trusted-public-keys",
      key.public,
      "--to",
      nix.localStore,
      app.out,
    ]);
    assert.equal(copy.status, 0, copy.stderr);
    const base = app.out.split("/").pop()!;
    assert.match(readFileSync(join(nix.realDir, base, "bin", "app"), "utf8"), new RegExp(lib.out));
  });

  it("Nix refuses it too when the key is wrong, NarSize is changed or a NAR byte is flipped; so does xpkgs", () => {
    const nix = nixClient(root, t.store.storeDir);
    const wrongKey = nix.run([
      "store",
      "verify",
      "--store",
      cacheUrl,
      "--trusted-public-keys",
      other.public,
      "-r",
      app.out,
    ]);
    assert.notEqual(wrongKey.status, 0);
    assert.match(wrongKey.stderr, /untrusted|signature/i);
    const hashPart = lib.out.split("/").pop()!.slice(0, 32);
    const sized = join(root, "cache-sized");
    cpSync(cacheDir, sized, { recursive: true });
    const ni = join(sized, `${hashPart}.narinfo`);
    writeFileSync(
      ni,
      readFileSync(ni, "utf8").replace(
        /NarSize: (\d+)/,
        (_, n: string) => `NarSize: ${Number(n) + 8}`,
      ),
    );
    const badSize = nix.run([
      "store",
      "verify",
      "--store",
      `file://${sized}`,
      "--trusted-public-keys",
      key.public,
      "-r",
      lib.out,
    ]);
    assert.notEqual(badSize.status, 0);
    const flipped = join(root, "cache-flipped");
    cpSync(cacheDir, flipped, { recursive: true });
    const url = parseNarInfo(
      readFileSync(join(flipped, `${hashPart}.narinfo`), "utf8"),
      t.store.storeDir,
      "t",
    ).url;
    const bytes = readFileSync(join(flipped, url));
    bytes[Math.floor(bytes.length / 2)]! ^= 1;
    writeFileSync(join(flipped, url), bytes);
    const badByte = nix.run([
      "store",
      "verify",
      "--store",
      `file://${flipped}`,
      "--trusted-public-keys",
      key.public,
      "-r",
      lib.out,
    ]);
    assert.notEqual(badByte.status, 0);
    // And xpkgs refuses both, registering nothing.
    return (async () => {
      for (const [dir, why] of [
        [sized, /no valid signature by a trusted key/],
        [flipped, /could not decompress|hashes to|The NAR of .* (has|is|ends)/],
      ] as const) {
        const c = freshClient(root, t.store.storeDir);
        const r = await c.run([
          "copy",
          "--from",
          `file://${dir}`,
          "--trusted-public-keys",
          key.public,
          lib.out,
        ]);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, why);
        assert.deepEqual(readdirSync(c.storeFiles), []);
      }
    })();
  });

  it("substitutes into a fresh store through build: nothing is built, and --dry-run says where each output comes from", async () => {
    const c = freshClient(root, t.store.storeDir);
    const add = await c.run(["derivation", "add", drvJson]);
    assert.equal(add.status, 0, add.stderr);
    const subst = ["--substituters", cacheUrl, "--trusted-public-keys", key.public];
    const dry = await c.run(["build", "--dry-run", ...subst, app.drvPath]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stderr,
      new RegExp(
        `these 1 derivations' outputs will be substituted:\\n  ${app.drvPath} from ${cacheUrl}`,
      ),
    );
    assert.doesNotMatch(dry.stderr, /will be built/);
    const r = await c.run(["build", "--no-out-link", ...subst, app.drvPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /substituted cacheapp/);
    assert.doesNotMatch(r.stderr, /building/);
    assert.equal(r.stdout.trim(), app.out);
    const base = (p: string) => p.split("/").pop()!;
    assert.equal(readFileSync(join(c.storeFiles, base(lib.out), "lib", "data"), "utf8"), "hello\n");
    assert.equal(readlinkSync(join(c.storeFiles, base(lib.out), "lib", "link")), "data");
    const db = new StoreDb(join(c.stateDir, "db", "db.sqlite"));
    try {
      const got = db.info(app.out)!;
      const want = t.store.info(app.out)!;
      assert.equal(got.narHash, want.narHash);
      assert.deepEqual(got.references, [lib.out]);
      assert.equal(got.sigs.length, 1);
    } finally {
      db.close();
    }
  });

  it("substitutes caches that Nix wrote, xz and zstd", async () => {
    const nix = nixClient(root, t.store.storeDir);
    const into = nix.run([
      "copy",
      "--from",
      cacheUrl,
      "--trusted-public-keys",
      key.public,
      "--to",
      nix.localStore,
      app.out,
    ]);
    assert.equal(into.status, 0, into.stderr);
    const nixSecret = join(root, "nix-made.secret");
    const made = nix.run(["key", "generate-secret", "--key-name", "nix-made-1"]);
    writeFileSync(nixSecret, made.stdout);
    const nixPublic = parseSecretKey(made.stdout).publicText;
    for (const compression of ["zstd", "xz"]) {
      const dir = join(root, `nix-cache-${compression}`);
      const push = nix.run([
        "copy",
        "--from",
        nix.localStore,
        "--to",
        `file://${dir}?secret-key=${nixSecret}&compression=${compression}`,
        app.out,
      ]);
      assert.equal(push.status, 0, push.stderr);
      assert.ok(
        readdirSync(join(dir, "nar")).every((f) =>
          f.endsWith(compression === "xz" ? ".nar.xz" : ".nar.zst"),
        ),
      );
      const c = freshClient(root, t.store.storeDir);
      const r = await c.run([
        "copy",
        "--from",
        `file://${dir}`,
        "--trusted-public-keys",
        nixPublic,
        app.out,
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /copied 2 paths/);
      assert.match(
        readFileSync(join(c.storeFiles, app.out.split("/").pop()!, "bin", "app"), "utf8"),
        /cat .*\/lib\/data/,
      );
    }
  });

  it("skips a cache that cannot be reached with one warning, and builds", async () => {
    const c = freshClient(root, t.store.storeDir);
    assert.equal((await c.run(["derivation", "add", drvJson])).status, 0);
    const r = await c.run([
      "build",
      "--no-out-link",
      "--substituters",
      `file://${join(root, "no-such-cache")} http://127.0.0.1:9`,
      "--trusted-public-keys",
      key.public,
      app.drvPath,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.match(/warning: skipping the substituter file:/g)?.length, 1);
    assert.equal(r.stderr.match(/warning: skipping the substituter http:/g)?.length, 1);
    assert.match(r.stderr, /built cacheapp/);
  });

  it("pushes to and substitutes from http:// (PUT to write, GET to read), with the config file's settings", async () => {
    const server = await startPutServer(join(root, "http-cache"));
    try {
      const push = await runCliAsync(
        ["copy", "--to", server.url, "--secret-key", secretFile, "--compression", "zstd", app.out],
        t.env,
      );
      assert.equal(push.status, 0, push.stderr);
      assert.match(push.stdout, /pushed 2 paths/);
      // NARs first, each narinfo after its NAR, nix-cache-info before all.
      const order = server.puts;
      assert.equal(order[0], "nix-cache-info");
      for (const [i, p] of order.entries()) {
        if (p.endsWith(".narinfo"))
          assert.ok(
            order.slice(0, i).some((q) => q.startsWith("nar/")),
            order.join(" "),
          );
      }
      const c = freshClient(root, t.store.storeDir);
      const conf = join(root, "xpkgs.conf");
      writeFileSync(
        conf,
        `# a comment\nsubstituters = ${server.url}\ntrusted-public-keys = ${key.public}\nrequire-sigs = true\n`,
      );
      const r = await c.run(["copy", "--from", server.url, app.out], { XPKGS_CONF: conf });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /copied 2 paths/);
      const nix = nixClient(root, t.store.storeDir);
      const n = await nix.runAsync([
        "copy",
        "--from",
        server.url,
        "--trusted-public-keys",
        key.public,
        "--to",
        nix.localStore,
        app.out,
      ]);
      assert.equal(n.status, 0, n.stderr);
      const bad = join(root, "bad.conf");
      writeFileSync(bad, "substituter = x\n");
      const e = await c.run(["copy", "--from", server.url, app.out], { XPKGS_CONF: bad });
      assert.match(e.stderr, /bad\.conf line 1 sets 'substituter', which xpkgs does not know/);
    } finally {
      await server.stop();
    }
  });
});
