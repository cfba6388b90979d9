// The seed, end to end: binutils-unwrapped in its four variants, checked with
// Debian's file(1), and the static aarch64 readelf run under qemu against
// the host's readelf.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";

const seed = [
  {
    attr: "binutils-unwrapped",
    file: /^ELF 64-bit LSB pie executable, x86-64, .*dynamically linked, interpreter \/lib64\/ld-linux-x86-64\.so\.2/,
  },
  {
    attr: "pkgsStatic.binutils-unwrapped",
    file: /^ELF 64-bit LSB executable, x86-64, .*statically linked/,
  },
  {
    attr: "pkgsCross.aarch64-multiplatform.binutils-unwrapped",
    file: /^ELF 64-bit LSB pie executable, ARM aarch64, .*dynamically linked, interpreter \/lib\/ld-linux-aarch64\.so\.1/,
  },
  {
    attr: "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped",
    file: /^ELF 64-bit LSB executable, ARM aarch64, .*statically linked/,
  },
];

describe("the seed's four builds", () => {
  it("give readelf as the seed shows it", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-seed-"));
    const r = await runCliAsync(
      ["build", "-j", "2", ...seed.map((s) => s.attr)],
      e2eStoreEnv(root),
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    seed.forEach((s, i) => {
      const readelf = join(root, i === 0 ? "result" : `result-${i + 1}`, "bin", "readelf");
      const words = execFileSync("file", ["-b", "-L", readelf], { encoding: "utf8" });
      assert.match(words, s.file, s.attr);
    });
    const target = "/usr/bin/ls";
    const host = execFileSync("readelf", ["-h", target], { encoding: "utf8" });
    const nativeDynamic = execFileSync(join(root, "result", "bin", "readelf"), ["-h", target], {
      encoding: "utf8",
    });
    assert.equal(nativeDynamic, host);
    const aarch64Static = execFileSync(
      "qemu-aarch64-static",
      [join(root, "result-4", "bin", "readelf"), "-h", target],
      {
        encoding: "utf8",
      },
    );
    assert.equal(aarch64Static, host);
    const aarch64Dynamic = execFileSync(
      "qemu-aarch64-static",
      ["-L", "/usr/aarch64-linux-gnu", join(root, "result-3", "bin", "readelf"), "-h", target],
      { encoding: "utf8" },
    );
    assert.equal(aarch64Dynamic, host);
  });
});
