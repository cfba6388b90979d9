// The package collection, used for real across machines: what a static aarch64 build
// makes, the native build reads.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";

// The collection's four cells (native/aarch64 × dynamic/static) for every package are in the
// matrix, which runs outside CI (xpkgs matrix, docs/matrix.md); matrix.e2e.test.ts proves the
// four cells on hello, and toolbox.e2e.test.ts builds the C++ packages. Here: packages used
// for real, across machines. The test files share one store.

describe("file", () => {
  it("links liblzma and zlib from buildInputs: the aarch64 static file looks inside .xz and .gz", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-file-"));
    const r = await runCliAsync(
      ["build", "-o", "f", "pkgsCross.aarch64-multiplatform.pkgsStatic.file"],
      e2eStoreEnv(root),
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(join(root, "t.txt"), "just some words\n");
    execFileSync("xz", ["-k", join(root, "t.txt")]);
    execFileSync("gzip", ["-k", join(root, "t.txt")]);
    const file = join(root, "f", "bin", "file");
    for (const [suffix, words] of [
      ["xz", /ASCII text \(XZ compressed data/],
      ["gz", /ASCII text \(gzip compressed data/],
    ] as const) {
      const out = execFileSync(
        "qemu-aarch64-static",
        [file, "-b", "-z", join(root, `t.txt.${suffix}`)],
        {
          encoding: "utf8",
        },
      );
      assert.match(out, words);
    }
  });
});

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
