/**
 * Output checks: every ELF file in a build output must be for the machine
 * that was asked for, and static when static was asked for. They read the
 * portability report (inspect.ts), so that a build and `xpkgs inspect`
 * agree. Nothing here knows about platforms; callers say what they expect.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  archAttributes,
  armCpuArchName,
  armFpArchName,
  armVfpArgsName,
  mipsIsaName,
  parseRiscvArch,
} from "./attributes.js";
import { machineName } from "./constants.js";
import { inspectTree } from "./inspect.js";
import { parseElf } from "./parse.js";

/**
 * The instruction-set baseline every ELF file must stay within, where the
 * architecture records it (attributes absent from a file are not judged).
 */
export interface ArchExpectations {
  /** The baseline in words, for messages: "ARMv6KZ with VFPv2 (arm1176)". */
  baseline: string;
  /** Allowed ARM Tag_CPU_arch values. */
  armCpuArch?: number[];
  /** Allowed ARM Tag_FP_arch values. */
  armFpArch?: number[];
  /** Allowed ARM Tag_ABI_VFP_args values (executables and shared libraries). */
  armVfpArgs?: number[];
  /** RISC-V: the base ("rv64") and the extensions Tag_RISCV_arch may name. */
  riscvBase?: string;
  riscvExtensions?: string[];
  /** Allowed MIPS EF_MIPS_ARCH values. */
  mipsIsa?: number[];
}

export interface ElfExpectations {
  /** e_machine every ELF file must have. */
  machine: number;
  /** Executables must have no interpreter and no libraries (static-pie counts as static). */
  static: boolean;
  /** When dynamic, the interpreter executables must ask for. */
  interpreter?: string;
  /** The instruction-set baseline (ARM, RISC-V and MIPS record theirs). */
  arch?: ArchExpectations;
}

/** Problems with one file's architecture attributes, as phrases (empty when within the baseline). */
export function checkArchAttributes(bytes: Uint8Array, expect: ArchExpectations): string[] {
  const a = archAttributes(parseElf(bytes));
  const out: string[] = [];
  const names = (vs: number[], name: (v: number) => string) => vs.map(name).join(", ");
  const judge = (
    got: number | undefined,
    allowed: number[] | undefined,
    what: string,
    name: (v: number) => string,
  ) => {
    if (got === undefined || allowed === undefined || allowed.includes(got)) return;
    out.push(`${what} is ${name(got)}, beyond the baseline (allowed: ${names(allowed, name)})`);
  };
  judge(a.armCpuArch, expect.armCpuArch, "Tag_CPU_arch", armCpuArchName);
  judge(a.armFpArch, expect.armFpArch, "Tag_FP_arch", armFpArchName);
  judge(a.armVfpArgs, expect.armVfpArgs, "Tag_ABI_VFP_args", armVfpArgsName);
  judge(a.mipsIsa, expect.mipsIsa, "the MIPS ISA level (EF_MIPS_ARCH)", mipsIsaName);
  if (a.riscvArch !== undefined && expect.riscvExtensions !== undefined) {
    const parsed = parseRiscvArch(a.riscvArch);
    if (parsed === null) out.push(`Tag_RISCV_arch "${a.riscvArch}" is not an ISA string`);
    else {
      if (expect.riscvBase !== undefined && parsed.base !== expect.riscvBase)
        out.push(`Tag_RISCV_arch "${a.riscvArch}" is ${parsed.base}, not ${expect.riscvBase}`);
      const extra = parsed.extensions.filter((e) => !expect.riscvExtensions!.includes(e));
      if (extra.length > 0)
        out.push(
          `Tag_RISCV_arch "${a.riscvArch}" needs ${extra.join(", ")}, beyond the baseline (allowed: ${expect.riscvExtensions.join(", ")})`,
        );
    }
  }
  return out;
}

/** Problems found in the ELF files under `root`, as one line each (relative paths). */
export function checkElfOutputs(root: string, expect: ElfExpectations, limit = 20): string[] {
  const { reports, problems } = inspectTree(root, "");
  const lines = problems.map((p) => `${p.path}: ${p.error}`);
  const wanted = machineName(expect.machine);
  for (const r of reports) {
    if (r.machine !== wanted) {
      lines.push(`${r.path}: built for ${r.machine}, but the host platform is ${wanted}`);
      continue;
    }
    if (expect.arch !== undefined) {
      const bytes = readFileSync(r.path === "." ? root : join(root, r.path));
      let problems = checkArchAttributes(bytes, expect.arch);
      // The calling convention matters where code is called: executables and libraries.
      if (r.kind === "object") problems = problems.filter((p) => !p.startsWith("Tag_ABI_VFP"));
      for (const p of problems)
        lines.push(`${r.path}: ${p}; the platform is ${expect.arch.baseline}`);
    }
    if (expect.static && r.kind === "shared library") {
      lines.push(
        `${r.path}: a shared library, but static linking was asked for; build the package without ` +
          "shared libraries (its --disable-shared or equivalent switch), or delete the file in postInstall",
      );
      continue;
    }
    if (r.kind !== "executable") continue;
    if (expect.static && !r.static) {
      lines.push(
        `${r.path}: dynamically linked (interpreter ${r.interpreter ?? "none"}, needs ${r.needed.join(", ") || "nothing"}), but static linking was asked for`,
      );
    } else if (
      !expect.static &&
      expect.interpreter !== undefined &&
      r.interpreter !== null &&
      r.interpreter !== expect.interpreter
    ) {
      lines.push(`${r.path}: asks for the interpreter ${r.interpreter}, not ${expect.interpreter}`);
    }
  }
  return lines.slice(0, limit);
}
