import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  Tag_ABI_VFP_args,
  Tag_CPU_arch,
  Tag_CPU_name,
  archAttributes,
  parseAttributesSection,
  parseRiscvArch,
} from "./attributes.js";
import { ElfFormatError, parseElf } from "./parse.js";
import { Reader } from "./reader.js";
import { checkArchAttributes, checkElfOutputs } from "./verify.js";

const have = (cc: string) => spawnSync(cc, ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "xpkgs-attributes-"));
writeFileSync(join(dir, "f.c"), "double f(double x, int n) { return x * n / 3; }\n");

function compile(cc: string, flags: string[], name: string): Uint8Array {
  const out = join(dir, name);
  execFileSync(cc, [...flags, "-O2", "-c", "-o", out, join(dir, "f.c")]);
  return readFileSync(out);
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** An attributes section: 'A', one vendor subsection, one file scope of `pairs`. */
function section(vendor: string, pairs: number[], little = true): Uint8Array {
  const scope = [1, 0, 0, 0, 0, ...pairs];
  const sub = [0, 0, 0, 0, ...Buffer.from(`${vendor}\0`), ...scope];
  const b = new Uint8Array([0x41, ...sub]);
  const v = new DataView(b.buffer);
  v.setUint32(1, sub.length, little);
  v.setUint32(1 + 4 + vendor.length + 1 + 1, scope.length, little);
  return b;
}

const readerOver = (b: Uint8Array, little = true) =>
  new Reader(new DataView(b.buffer, b.byteOffset, b.byteLength), little, false);

describe("build attributes", () => {
  it("parses an aeabi subsection: numbers and strings, either byte order", () => {
    const pairs = [
      Tag_CPU_name,
      ...Buffer.from("ARM1176JZF-S\0"),
      Tag_CPU_arch,
      7,
      Tag_ABI_VFP_args,
      1,
      // An unknown tag above 32: odd is a string, even a number.
      71,
      ...Buffer.from("x\0"),
      72,
      ...uleb(300),
    ];
    for (const little of [true, false]) {
      const b = section("aeabi", pairs, little);
      const [v] = parseAttributesSection(readerOver(b, little), 0, b.length);
      assert.equal(v!.vendor, "aeabi");
      assert.equal(v!.file.get(Tag_CPU_name), "ARM1176JZF-S");
      assert.equal(v!.file.get(Tag_CPU_arch), 7);
      assert.equal(v!.file.get(Tag_ABI_VFP_args), 1);
      assert.equal(v!.file.get(71), "x");
      assert.equal(v!.file.get(72), 300);
    }
  });
  it("throws ElfFormatError, never anything else, on truncated and corrupt sections", () => {
    const b = section("aeabi", [Tag_CPU_name, ...Buffer.from("7-A\0"), Tag_CPU_arch, 10]);
    for (let n = 1; n < b.length; n++) {
      try {
        parseAttributesSection(readerOver(b.subarray(0, n)), 0, n);
      } catch (e) {
        assert.ok(e instanceof ElfFormatError, `${n}: ${String(e)}`);
      }
    }
    const bad = Uint8Array.from(b);
    bad[0] = 0x42;
    assert.throws(() => parseAttributesSection(readerOver(bad), 0, bad.length), ElfFormatError);
  });
  it("splits RISC-V ISA strings, with and without versions", () => {
    assert.deepEqual(parseRiscvArch("rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0"), {
      base: "rv64",
      extensions: ["i", "m", "a", "f", "d", "c", "zicsr", "zifencei"],
    });
    assert.deepEqual(parseRiscvArch("rv32imac"), {
      base: "rv32",
      extensions: ["i", "m", "a", "c"],
    });
    assert.deepEqual(parseRiscvArch("rv64gcv_zvl128b1p0")?.extensions, ["g", "c", "v", "zvl128b"]);
    assert.equal(parseRiscvArch("x86"), null);
  });
  it("reads the MIPS ISA level from e_flags", () => {
    const h = new Uint8Array(52);
    h.set([0x7f, 0x45, 0x4c, 0x46, 1, 2, 1]);
    const v = new DataView(h.buffer);
    v.setUint16(16, 1); // ET_REL
    v.setUint16(18, 8); // EM_MIPS
    v.setUint32(20, 1);
    v.setUint32(36, 0x70001007); // EF_MIPS_ARCH_32R2, o32, PIC|CPIC|NOREORDER
    v.setUint16(40, 52);
    assert.equal(archAttributes(parseElf(h)).mipsIsa, 7);
    assert.deepEqual(checkArchAttributes(h, { baseline: "MIPS32r2", mipsIsa: [0, 1, 5, 7] }), []);
    v.setUint32(36, 0x90001007); // MIPS32r6
    assert.deepEqual(checkArchAttributes(h, { baseline: "MIPS32r2", mipsIsa: [0, 1, 5, 7] }), [
      "the MIPS ISA level (EF_MIPS_ARCH) is mips32r6, beyond the baseline (allowed: mips1, mips2, mips32, mips32r2)",
    ]);
  });
  it(
    "reads ARM attributes as GNU readelf -A prints them",
    { skip: !have("arm-linux-gnueabihf-gcc") },
    () => {
      const v6 = compile(
        "arm-linux-gnueabihf-gcc",
        ["-march=armv6k", "-mfpu=vfp", "-marm"],
        "v6.o",
      );
      const v7 = compile("arm-linux-gnueabihf-gcc", [], "v7.o");
      assert.deepEqual(archAttributes(parseElf(v6)), {
        armCpuName: "6K",
        armCpuArch: 9,
        armThumb: 1,
        armFpArch: 2,
        armVfpArgs: 1,
      });
      const a7 = archAttributes(parseElf(v7));
      assert.equal(a7.armCpuArch, 10);
      assert.equal(a7.armThumb, 2);
      assert.equal(a7.armFpArch, 4);
      const readelf = execFileSync("arm-linux-gnueabihf-readelf", ["-A", join(dir, "v7.o")], {
        encoding: "utf8",
      });
      assert.match(readelf, /Tag_CPU_arch: v7\n/);
      assert.match(readelf, /Tag_FP_arch: VFPv3-D16\n/);
      const pi = {
        baseline: "ARMv6KZ",
        armCpuArch: [0, 1, 2, 3, 4, 5, 6, 7, 9],
        armFpArch: [0, 1, 2],
      };
      assert.deepEqual(checkArchAttributes(v6, pi), []);
      assert.deepEqual(checkArchAttributes(v7, pi), [
        "Tag_CPU_arch is v7, beyond the baseline (allowed: Pre-v4, v4, v4T, v5T, v5TE, v5TEJ, v6, v6KZ, v6K)",
        "Tag_FP_arch is VFPv3-D16, beyond the baseline (allowed: No, VFPv1, VFPv2)",
      ]);
      // In a build output, every ELF file is judged and the message names the platform.
      mkdirSync(join(dir, "out", "lib"), { recursive: true });
      writeFileSync(join(dir, "out", "lib", "f.o"), v7);
      assert.deepEqual(checkElfOutputs(join(dir, "out"), { machine: 40, static: true, arch: pi }), [
        "lib/f.o: Tag_CPU_arch is v7, beyond the baseline (allowed: Pre-v4, v4, v4T, v5T, v5TE, v5TEJ, v6, v6KZ, v6K); the platform is ARMv6KZ",
        "lib/f.o: Tag_FP_arch is VFPv3-D16, beyond the baseline (allowed: No, VFPv1, VFPv2); the platform is ARMv6KZ",
      ]);
    },
  );
  it("reads Tag_RISCV_arch", { skip: !have("riscv64-linux-gnu-gcc") }, () => {
    const gc = compile("riscv64-linux-gnu-gcc", [], "gc.o");
    const gcv = compile("riscv64-linux-gnu-gcc", ["-march=rv64gcv"], "gcv.o");
    const arch = archAttributes(parseElf(gc)).riscvArch!;
    assert.match(arch, /^rv64i2p\d_m2p0_a2p\d_f2p\d_d2p\d_c2p0/);
    const expect = {
      baseline: "RV64GC",
      riscvBase: "rv64",
      riscvExtensions: ["a", "c", "d", "f", "i", "m", "zicsr", "zifencei", "zmmul"],
    };
    assert.deepEqual(checkArchAttributes(gc, expect), []);
    const problems = checkArchAttributes(gcv, expect);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^Tag_RISCV_arch "rv64.*" needs v, .*beyond the baseline/);
  });
});
