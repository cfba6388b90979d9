// The package collection beyond the seed: each package built native and
// static for aarch64, and used for real.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";

describe("xz", () => {
  it("compresses on aarch64 (static) what the native build decompresses", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-xz-"));
    const r = await runCliAsync(
      ["build", "-o", "xz", "pkgsCross.aarch64-multiplatform.pkgsStatic.xz", "xz"],
      e2eStoreEnv(root),
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    const packed = execFileSync("qemu-aarch64-static", [join(root, "xz", "bin", "xz"), "-9"], {
      input: "xpkgs was here\n",
    });
    const unpacked = execFileSync(join(root, "xz-2", "bin", "xz"), ["-d"], {
      input: packed,
      encoding: "utf8",
    });
    assert.equal(unpacked, "xpkgs was here\n");
    // Static: the library is an archive only; native: shared too.
    assert.ok(existsSync(join(root, "xz", "lib", "liblzma.a")));
    assert.ok(!existsSync(join(root, "xz", "lib", "liblzma.so")));
    assert.ok(existsSync(join(root, "xz-2", "lib", "liblzma.so.5")));
  });
});

describe("bzip2", () => {
  it("compresses on aarch64 (static) what the native build decompresses", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-bzip2-"));
    const r = await runCliAsync(
      ["build", "-o", "bz", "pkgsCross.aarch64-multiplatform.pkgsStatic.bzip2", "bzip2"],
      e2eStoreEnv(root),
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    const packed = execFileSync("qemu-aarch64-static", [join(root, "bz", "bin", "bzip2")], {
      input: "xpkgs was here\n",
    });
    const unpacked = execFileSync(join(root, "bz-2", "bin", "bzip2"), ["-d"], {
      input: packed,
      encoding: "utf8",
    });
    assert.equal(unpacked, "xpkgs was here\n");
    assert.ok(existsSync(join(root, "bz", "lib", "libbz2.a")));
  });
});
