/**
 * xpkgs import against the real Debian archive (the one apt's sources name):
 * recipes for tools the collection lacks, written to an overlay, loaded by
 * `xpkgs -f`, and built for static aarch64 with --try, with no hand edit. hdparm's
 * Makefile installs to /sbin and names gcc: stdenv's plain-Makefile flags carry it.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";

describe("xpkgs import debian:…", { timeout: 20 * 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-import-"));
  const env = e2eStoreEnv(root);
  const overlay = join(root, "imported.ts");
  after(() => rmSync(root, { recursive: true, force: true }));

  it("imports stress (autoreconf), pwgen (autotools) and hdparm (a plain Makefile that installs to /sbin), builds them static for aarch64 and runs them under qemu", async () => {
    for (const name of ["stress", "pwgen", "hdparm"]) {
      const r = await runCliAsync(
        [
          "import",
          `debian:${name}`,
          "--overlay",
          overlay,
          "--try",
          "pkgsCross.aarch64-multiplatform.pkgsStatic",
        ],
        env,
        root,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`${name} (--version|--help): `));
    }
    const text = readFileSync(overlay, "utf8");
    assert.match(text, /"stress": \(\{ stdenv, fetchurl, autoreconfHook \}\) =>/);
    assert.match(
      text,
      /url: "mirror:\/\/debian\/pool\/main\/p\/pwgen\/pwgen_[0-9.]+\.orig\.tar\.gz"/,
    );
    assert.match(text, /hash: "sha256-[A-Za-z0-9+/]+=*"/);
    assert.match(text, /makeFlags: \["PREFIX=@out@", "prefix=@out@", "manprefix=@out@"\]/);
    const shown = await runCliAsync(
      ["-f", overlay, "show", "--json", "pkgsCross.aarch64-multiplatform.pkgsStatic.pwgen"],
      env,
    );
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /pwgen-static-aarch64-unknown-linux-musl/);
  });

  it("takes a binary package's name to its source, and reads Debian's packaging", async () => {
    const r = await runCliAsync(
      ["import", "debian:zlib1g-dev", "-o", join(root, "zlib.ts")],
      env,
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(join(root, "zlib.ts"), "utf8");
    assert.match(text, /pname: "zlib",/);
    assert.match(text, /license: "Zlib",/);
    assert.match(text, /the collection has zlib too/);
  });

  it("suggests near names for an unknown package, and refuses a bad spec", async () => {
    const r = await runCliAsync(["import", "debian:pwgn"], env, root);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /has no source or binary package 'pwgn'\. Did you mean .*pwgen/);
    const bad = await runCliAsync(["import", "pwgen"], env, root);
    assert.match(bad.stderr, /Write debian:NAME or debian:NAME=VERSION/);
  });
});
