/**
 * What a platform's ELF files may say about their instruction set, from the
 * table's `cpu.elf` (examples.ts): the values of ARM's Tag_CPU_arch and
 * Tag_FP_arch, RISC-V's extensions and MIPS' ISA level that its CPU runs.
 * The output check (src/elf/verify.ts) compares every built file with them.
 */
import {
  armCpuArchNames,
  armFpArchNames,
  mipsIsaNames,
  parseRiscvArch,
} from "../elf/attributes.js";
import type { ArchExpectations } from "../elf/verify.js";
import type { Platform } from "./elaborate.js";

/** Each architecture version and the ones it directly includes (the rest follows). */
const armArchIncludes: Readonly<Record<string, readonly string[]>> = {
  v4: ["Pre-v4"],
  v4T: ["v4"],
  v5T: ["v4T"],
  v5TE: ["v5T"],
  v5TEJ: ["v5TE"],
  v6: ["v5TEJ"],
  v6K: ["v6"],
  v6KZ: ["v6K"],
  v6T2: ["v6"],
  v7: ["v6T2", "v6KZ"],
  v8: ["v7"],
};
const armFpIncludes: Readonly<Record<string, readonly string[]>> = {
  VFPv1: ["No"],
  VFPv2: ["VFPv1"],
  "VFPv3-D16": ["VFPv2"],
  VFPv3: ["VFPv3-D16"],
  "VFPv4-D16": ["VFPv3-D16"],
  VFPv4: ["VFPv4-D16", "VFPv3"],
};
const mipsIsaIncludes: Readonly<Record<string, readonly string[]>> = {
  mips2: ["mips1"],
  mips3: ["mips2"],
  mips4: ["mips3"],
  mips5: ["mips4"],
  mips32: ["mips2"],
  mips32r2: ["mips32"],
  mips64: ["mips5", "mips32"],
  mips64r2: ["mips64", "mips32r2"],
};
/** RISC-V extensions that others imply (`g` = imafd + zicsr + zifencei). */
const riscvImplies: Readonly<Record<string, readonly string[]>> = {
  g: ["i", "m", "a", "f", "d", "zicsr", "zifencei"],
  m: ["zmmul"],
  a: ["zaamo", "zalrsc"],
  f: ["zicsr"],
  d: ["f"],
  c: ["zca"],
};

function closure(top: string, includes: Readonly<Record<string, readonly string[]>>): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const m of includes[n] ?? []) visit(m);
  };
  visit(top);
  return [...seen];
}

function valuesOf(names: readonly string[], wanted: string[], what: string): number[] {
  return wanted
    .map((n) => {
      const i = names.indexOf(n);
      if (i < 0) throw new Error(`examples.ts names an unknown ${what} '${n}'`);
      return i;
    })
    .sort((a, b) => a - b);
}

/** The `arch` field of a platform's ELF check, or nothing when its architecture records none. */
export function elfArchExpectation(p: Platform): { arch?: ArchExpectations } {
  const elf = p.cpu?.elf;
  if (elf === undefined) return {};
  const arch: ArchExpectations = { baseline: `${p.cpu!.baseline} (qemu -cpu ${p.cpu!.qemu})` };
  if (p.isAarch32) {
    if (elf.armArch !== undefined)
      arch.armCpuArch = valuesOf(
        armCpuArchNames,
        closure(elf.armArch, armArchIncludes),
        "ARM arch",
      );
    if (elf.armFp !== undefined)
      arch.armFpArch = valuesOf(armFpArchNames, closure(elf.armFp, armFpIncludes), "ARM FPU");
    // 3 = "compatible": code that passes no floating-point arguments.
    arch.armVfpArgs = p.gcc.float === "hard" ? [1, 3] : [0, 3];
  }
  if (p.isRiscV && elf.riscvIsa !== undefined) {
    const isa = parseRiscvArch(elf.riscvIsa);
    if (isa === null) throw new Error(`examples.ts: '${elf.riscvIsa}' is not a RISC-V ISA string`);
    arch.riscvBase = isa.base;
    arch.riscvExtensions = [
      ...new Set(isa.extensions.flatMap((e) => closure(e, riscvImplies))),
    ].sort();
  }
  if (p.isMips && elf.mipsIsa !== undefined)
    arch.mipsIsa = valuesOf(mipsIsaNames, closure(elf.mipsIsa, mipsIsaIncludes), "MIPS ISA");
  return { arch };
}
