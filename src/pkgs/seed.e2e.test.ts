// The seed, end to end: binutils-unwrapped in its four variants, checked with
// Debian's file(1), and each readelf run (natively or under qemu) against the
// host's readelf. CI builds the seed's own command, the static aarch64 one: since
// issue 14 each binutils builds ld.gold (C++), about ten minutes on 2 cores, and
// the other three run with the matrix outside CI (XPKGS_SEED_ALL=1 runs all four).
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

const all = process.env.XPKGS_SEED_ALL === "1";

describe("the seed's four builds", () => {
  it(
    all
      ? "give readelf as the seed shows it"
      : "give the static aarch64 readelf as the seed shows it",
    async () => {
      const root = mkdtempSync(join(tmpdir(), "xpkgs-seed-"));
      const chosen = all ? seed : seed.slice(3);
      const r = await runCliAsync(
        ["build", "-j", "2", ...chosen.map((s) => s.attr)],
        e2eStoreEnv(root),
        root,
      );
      assert.equal(r.status, 0, r.stderr);
      const result = (attr: string) => {
        const i = chosen.findIndex((s) => s.attr === attr);
        return join(root, i === 0 ? "result" : `result-${i + 1}`, "bin", "readelf");
      };
      for (const s of chosen) {
        const words = execFileSync("file", ["-b", "-L", result(s.attr)], { encoding: "utf8" });
        assert.match(words, s.file, s.attr);
      }
      const target = "/usr/bin/ls";
      const host = execFileSync("readelf", ["-h", target], { encoding: "utf8" });
      const aarch64Static = execFileSync(
        "qemu-aarch64-static",
        [result(seed[3]!.attr), "-h", target],
        {
          encoding: "utf8",
        },
      );
      assert.equal(aarch64Static, host);
      if (!all) return;
      const nativeDynamic = execFileSync(result(seed[0]!.attr), ["-h", target], {
        encoding: "utf8",
      });
      assert.equal(nativeDynamic, host);
      const aarch64Dynamic = execFileSync(
        "qemu-aarch64-static",
        ["-L", "/usr/aarch64-linux-gnu", result(seed[2]!.attr), "-h", target],
        { encoding: "utf8" },
      );
      assert.equal(aarch64Dynamic, host);
    },
  );
});
