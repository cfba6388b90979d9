import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { nix32Encode } from "../store/nix32.js";
import { runCli } from "./testing.js";

describe("xpkgs prefetch", () => {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-prefetch-"));
  const env = { XPKGS_CACHE_DIR: join(root, "cache") };

  it("downloads into the download cache and prints the SRI hash, then nix32", () => {
    const file = join(root, "data.txt");
    writeFileSync(file, "some upstream tarball\n");
    const digest = createHash("sha256").update(readFileSync(file)).digest();
    const r = runCli(["prefetch", `file://${file}`], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `sha256-${digest.toString("base64")}\n${nix32Encode(digest)}\n`);
    const cached = join(root, "cache/downloads", `sha256-${digest.toString("hex")}`);
    assert.ok(existsSync(cached), "the file is in the download cache under its hash");
    assert.match(r.stderr, /cached as .*sha256-[0-9a-f]{64} \(22 bytes\)/);
    const j = runCli(["prefetch", "--json", `file://${file}`], env);
    assert.deepEqual(JSON.parse(j.stdout), {
      url: `file://${file}`,
      hash: `sha256-${digest.toString("base64")}`,
      nix32: nix32Encode(digest),
      path: cached,
      size: 22,
    });
  });

  it("refuses what is not a URL, and names every URL that failed", () => {
    const bad = runCli(["prefetch", "hello.tar.gz"], env);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /'hello.tar.gz' is not a URL xpkgs can fetch. Give http\(s\):\/\/…/);
    const missing = runCli(["prefetch", `file://${root}/nothing`], env);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /Could not download file:\/\/.*nothing. Every URL failed:\n {2}file:\/\//,
    );
  });
});
