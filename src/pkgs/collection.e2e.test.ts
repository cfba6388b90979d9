// The package collection: every package in the matrix's four cells, built
// and smoke-tested; then some used for real, across machines.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";
import { describePath } from "../elf/describe.js";
import { parseElf } from "../elf/parse.js";
import { formatHeader } from "../elf/readelf.js";
import { buildMachinePlatform } from "../systems/elaborate.js";
import { collectionColumns, judgeCell } from "./collection.js";
import { PackageUniverse } from "./top-level.js";

// The first eight packages in all four cells; every package's aarch64 static cell is in
// toolbox.e2e.test.ts, and the whole matrix runs outside CI (xpkgs matrix).
const firstEight = [
  "binutils-unwrapped",
  "busybox",
  "bzip2",
  "file",
  "hello",
  "ncurses",
  "xz",
  "zlib",
];

describe("the collection matrix", () => {
  it("builds the first eight packages native and for aarch64, dynamic and static, and each runs", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-collection-"));
    const env = e2eStoreEnv(root);
    const attrs = firstEight.flatMap((p) => collectionColumns.map((c) => c.prefix + p));
    const r = await runCliAsync(["build", "-k", "-j", "2", "--no-out-link", ...attrs], env, root);
    const universe = new PackageUniverse(buildMachinePlatform(), env.XPKGS_STORE_DIR!);
    const failures = attrs
      .map((a) => ({ a, v: judgeCell(universe.resolve(a)) }))
      .filter(({ v }) => !v.ok)
      .map(({ a, v }) => `${a}: ${v.text}`);
    assert.deepEqual(failures, [], r.stderr.slice(-3000));
    assert.equal(r.status, 0);
    // The ELF toolkit on what xpkgs built: the same words as file(1), the same header as readelf.
    for (const a of attrs) {
      const pkg = universe.resolve(a);
      if (pkg.meta.mainProgram === undefined) continue;
      const bin = realpathSync(join(pkg.out, "bin", pkg.meta.mainProgram));
      assert.equal(
        describePath(bin),
        execFileSync("file", ["-b", bin], { encoding: "utf8" }).trim(),
        a,
      );
      assert.equal(
        formatHeader(parseElf(readFileSync(bin))),
        execFileSync("readelf", ["-h", bin], { encoding: "utf8" }),
        a,
      );
    }
  });
});

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
