// xpkgs prefetch against the real Debian archive: the hash it prints is the one our hello recipe pins.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCliAsync } from "./testing.js";

describe("xpkgs prefetch mirror://debian/…", () => {
  it("prints the sha256 the hello recipe pins", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-prefetch-"));
    const r = await runCliAsync(
      ["prefetch", "mirror://debian/pool/main/h/hello/hello_2.10.orig.tar.gz"],
      { XPKGS_CACHE_DIR: join(root, "cache") },
    );
    assert.equal(r.status, 0, r.stderr);
    const recipe = readFileSync(
      new URL("../../src/pkgs/by-name/hello.ts", import.meta.url),
      "utf8",
    );
    const pinned = /hash: "(sha256-[^"]+)"/.exec(recipe)![1];
    assert.equal(r.stdout.split("\n")[0], pinned);
  });
});
