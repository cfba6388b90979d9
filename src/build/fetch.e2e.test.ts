import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it, before, after } from "node:test";
import { runCliAsync } from "../cli/testing.js";
import { fetchurl } from "../pkgs/fetchurl.js";
import { sha256 } from "../store/hash.js";
import { makeTestStore } from "./testing.js";

const body = "the tarball's bytes\n";
let base = "";
let closed = "";
const server = createServer((req, res) => {
  if (req.url === "/pool/main/x/x/x.tar.gz" || req.url === "/file") res.end(body);
  else {
    res.statusCode = 404;
    res.end("not found");
  }
});

describe("fetchurl", () => {
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port that refuses connections: listen on it, then close it.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((r) => probe.close(() => r()));
  });
  after(() => server.close());

  it("fetches through mirror://debian, tries mirrors in order, and caches by hash", async () => {
    const t = makeTestStore();
    const src = t.add(
      fetchurl({ url: "mirror://debian/pool/main/x/x/x.tar.gz", hash: sha256(body).sri }),
    );
    const env = { ...t.env, XPKGS_MIRRORS_DEBIAN: `${closed} ${base}` };
    const r = await runCliAsync(["build", "--no-out-link", src.drvPath], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), src.out);
    assert.equal(readFileSync(src.out, "utf8"), body);
    assert.ok(t.store.isValid(src.out));
    // Another store, with no reachable mirror at all: the cache serves it.
    const t2 = makeTestStore(t.env.XPKGS_CACHE_DIR);
    const src2 = t2.add(
      fetchurl({ url: "mirror://debian/pool/main/x/x/x.tar.gz", hash: sha256(body).sri }),
    );
    const r2 = await runCliAsync(["build", "--no-out-link", src2.drvPath], {
      ...t2.env,
      XPKGS_MIRRORS_DEBIAN: closed,
    });
    assert.equal(r2.status, 0, r2.stderr);
    assert.equal(readFileSync(src2.out, "utf8"), body);
  });

  it("fails on a hash mismatch with the URL and both hashes, and keeps nothing", async () => {
    const t = makeTestStore();
    const wrong = sha256("other bytes");
    const src = t.add(fetchurl({ url: `${base}/file`, hash: wrong.sri, name: "file" }));
    const r = await runCliAsync(["build", "--no-out-link", src.drvPath], t.env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`url: +${base}/file`));
    assert.match(r.stderr, new RegExp(`specified: ${wrong.sri.replace(/[+/]/g, "\\$&")}`));
    assert.match(r.stderr, new RegExp(`got: +${sha256(body).sri.replace(/[+/]/g, "\\$&")}`));
    assert.ok(!existsSync(src.out));
    assert.ok(!t.store.isValid(src.out));
    assert.deepEqual(
      readdirSync(t.store.storeDir).filter((e) => !e.endsWith(".drv")),
      [],
    );
    assert.ok(
      !existsSync(t.env.XPKGS_CACHE_DIR!) ||
        readdirSync(`${t.env.XPKGS_CACHE_DIR}/downloads`).length === 0,
    );
  });

  it("lists every mirror tried, with its error, when none answers", async () => {
    const t = makeTestStore();
    const src = t.add(
      fetchurl({ url: "mirror://debian/pool/main/x/x/missing.tar.gz", hash: sha256(body).sri }),
    );
    const env = { ...t.env, XPKGS_MIRRORS_DEBIAN: `${closed} ${base}` };
    const r = await runCliAsync(["build", "--no-out-link", src.drvPath], env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Every URL failed:/);
    assert.ok(
      r.stderr.includes(`${closed}/pool/main/x/x/missing.tar.gz: fetch failed (ECONNREFUSED)`),
      r.stderr,
    );
    assert.match(r.stderr, /\/pool\/main\/x\/x\/missing\.tar\.gz: HTTP 404/);
  });
});
