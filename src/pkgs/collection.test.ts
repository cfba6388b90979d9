import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { elaboratePlatform } from "../systems/elaborate.js";
import { judgeCell } from "./collection.js";
import { PackageUniverse } from "./top-level.js";

const universe = new PackageUniverse(elaboratePlatform("x86_64-unknown-linux-gnu"), "/xpkgs/store");
const root = mkdtempSync(join(tmpdir(), "xpkgs-judge-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A fake output whose lib/ holds these files. */
function output(name: string, files: string[]): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "lib"), { recursive: true });
  for (const f of files) writeFileSync(join(dir, "lib", f), "");
  return dir;
}

describe("judging a library cell", () => {
  const dynamic = universe.resolve("zlib");
  const statik = universe.resolve("pkgsStatic.zlib");
  it("a dynamic set's library needs a shared object, and an archive is optional", () => {
    assert.equal(judgeCell(dynamic, output("d-so", ["libz.so"])).ok, true);
    assert.equal(judgeCell(dynamic, output("d-both", ["libz.so", "libz.a"])).ok, true);
    assert.deepEqual(judgeCell(dynamic, output("d-a", ["libz.a"])), {
      ok: false,
      text: "library without a lib/*.so",
    });
  });
  it("a static set's library needs an archive and no shared object", () => {
    assert.equal(judgeCell(statik, output("s-a", ["libz.a"])).ok, true);
    assert.deepEqual(judgeCell(statik, output("s-so", ["libz.so"])), {
      ok: false,
      text: "library without a lib/*.a",
    });
    assert.match(judgeCell(statik, output("s-both", ["libz.a", "libz.so"])).text, /libz\.so/);
  });
});

describe("flags a platform or a set gives a recipe", () => {
  it("cmake builds shared libraries in dynamic sets and static ones in static sets", () => {
    assert.match(universe.resolve("fmt").drv.env.cmakeFlags ?? "", /-DBUILD_SHARED_LIBS=ON/);
    assert.match(
      universe.resolve("pkgsStatic.fmt").drv.env.cmakeFlags ?? "",
      /-DBUILD_SHARED_LIBS=OFF/,
    );
  });
  it("openssl leaves out its NEON assembly where the FPU has no NEON (VFPv3-D16)", () => {
    const flags = (attr: string) => universe.resolve(attr).drv.env.configureFlags ?? "";
    assert.match(flags("pkgsCross.armv7l-hf-multiplatform.pkgsStatic.openssl"), /\bno-asm\b/);
    assert.doesNotMatch(flags("pkgsCross.raspberryPi.pkgsStatic.openssl"), /\bno-asm\b/);
    assert.doesNotMatch(flags("pkgsCross.aarch64-multiplatform.pkgsStatic.openssl"), /no-asm/);
  });
});
