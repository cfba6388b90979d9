// `xpkgs serve`: the store as a binary cache over HTTP. Another xpkgs store and Nix
// substitute from it, on one machine and across two network namespaces; it is read-only
// and serves only valid store paths.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cliPath } from "../cli/testing.js";
import { cacheServer } from "./serve.js";
import { generateKeyPair, parseSecretKey } from "./signing.js";
import { freshClient, nixAvailable, nixClient } from "./testing/clients.js";
import { type SamplePair, buildSamplePair } from "./testing/sample.js";
import { makeTwoHosts } from "./testing/two-hosts.js";

const skip = nixAvailable();
const key = generateKeyPair("serve-test-1");
const base = (p: string) => p.split("/").pop()!;

describe("xpkgs serve", { skip: skip ?? false }, () => {
  let s: SamplePair;
  before(async () => {
    s = await buildSamplePair("served");
  });
  after(() => {
    s.t.store.close();
    rmSync(s.t.root, { recursive: true, force: true });
  });

  for (const compression of ["none", "zstd"] as const) {
    it(`serves NARs (${compression}) that a fresh xpkgs store and Nix substitute`, async () => {
      const server = cacheServer(s.t.store, { keys: [parseSecretKey(key.secret)], compression });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const info = await fetch(`${url}/nix-cache-info`);
        assert.match(await info.text(), new RegExp(`^StoreDir: ${s.t.store.storeDir}\n`));
        const c = freshClient(s.t.root, s.t.store.storeDir);
        const r = await c.run([
          "copy",
          "--from",
          url,
          "--trusted-public-keys",
          key.public,
          s.app.out,
        ]);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /copied 2 paths/);
        assert.equal(
          readFileSync(join(c.storeFiles, base(s.lib.out), "lib", "data"), "utf8"),
          "hello\n",
        );
        const nix = nixClient(s.t.root, s.t.store.storeDir);
        const n = await nix.runAsync([
          "copy",
          "--from",
          url,
          "--trusted-public-keys",
          key.public,
          "--to",
          nix.localStore,
          s.app.out,
        ]);
        assert.equal(n.status, 0, n.stderr);
        assert.ok(readdirSync(nix.realDir).includes(base(s.app.out)));
      } finally {
        server.close();
        server.closeAllConnections();
      }
    });
  }

  it("is read-only and serves only valid paths of its store", async () => {
    const server = cacheServer(s.t.store, { keys: [], compression: "none" });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const put = await fetch(`${url}/${base(s.app.out).slice(0, 32)}.narinfo`, {
        method: "PUT",
        body: "x",
      });
      assert.equal(put.status, 405);
      for (const bad of [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        `/${"0".repeat(32)}.narinfo`,
        `/nar/${base(s.app.out).slice(0, 32)}-${"0".repeat(52)}.nar`,
        "/log/../../db/db.sqlite",
      ]) {
        const r = await fetch(`${url}${bad}`);
        assert.equal(r.status, 404, bad);
      }
      const ni = await (await fetch(`${url}/${base(s.app.out).slice(0, 32)}.narinfo`)).text();
      assert.doesNotMatch(ni, /^Sig:/m, "unsigned without a key");
      const narUrl = /^URL: (.*)$/m.exec(ni)![1]!;
      const nar = Buffer.from(await (await fetch(`${url}/${narUrl}`)).arrayBuffer());
      assert.equal(nar.length, s.t.store.info(s.app.out)!.narSize);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it("two machines: serve in one network namespace, a fresh store in another builds by substituting", async () => {
    const hosts = makeTwoHosts();
    const secret = join(s.t.root, "serve.secret");
    writeFileSync(secret, key.secret);
    let server: ChildProcess | null = null;
    try {
      server = spawn(
        hosts.exec("server")[0]!,
        [
          ...hosts.exec("server").slice(1),
          process.execPath,
          cliPath,
          "serve",
          "--bind",
          hosts.server.address,
          "--port",
          "5000",
          "--secret-key",
          secret,
        ],
        { env: { ...process.env, ...s.t.env }, stdio: ["ignore", "pipe", "pipe"] },
      );
      let log = "";
      server.stderr!.on("data", (d: Buffer) => (log += d.toString()));
      const banner = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(
          () => reject(new Error(`xpkgs serve did not start: ${log}`)),
          20_000,
        );
        server!.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("\n")) {
            clearTimeout(timer);
            resolve(out);
          }
        });
        server!.on("exit", () => reject(new Error(`xpkgs serve exited: ${log}`)));
      });
      assert.match(
        banner,
        new RegExp(
          `serving ${s.t.store.storeDir} at http://${hosts.server.address.replace(/\./g, "\\.")}:5000, signed by ${key.public.replace(/[+/]/g, "\\$&")}`,
        ),
      );
      const c = freshClient(s.t.root, s.t.store.storeDir, hosts.exec("client"));
      const json = join(s.t.root, "served.json");
      writeFileSync(json, await showDerivation(s));
      assert.equal((await c.run(["derivation", "add", json])).status, 0);
      const r = await c.run([
        "build",
        "--no-out-link",
        "--substituters",
        `http://${hosts.server.address}:5000`,
        "--trusted-public-keys",
        key.public,
        s.app.drvPath,
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /substituted servedapp/);
      assert.doesNotMatch(r.stderr, /building/);
      assert.match(log, /200 GET \/nar\//);
      // From the client's side, this machine's own loopback has no cache.
      const other = freshClient(s.t.root, s.t.store.storeDir, hosts.exec("client"));
      const none = await other.run([
        "copy",
        "--from",
        "http://127.0.0.1:5000",
        "--no-require-sigs",
        s.app.out,
      ]);
      assert.notEqual(none.status, 0);
      assert.match(
        none.stderr,
        /skipping the substituter http:\/\/127\.0\.0\.1:5000: .*cannot be reached/,
      );
    } finally {
      server?.kill("SIGTERM");
      hosts.stop();
    }
  });
});

async function showDerivation(s: SamplePair): Promise<string> {
  const { runCliAsync } = await import("../cli/testing.js");
  const r = await runCliAsync(["show-derivation", "-r", s.app.drvPath], s.t.env);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
