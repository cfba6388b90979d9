/**
 * Output checks: every ELF file in a build output must be for the machine
 * that was asked for, and static when static was asked for. Nothing here
 * knows about platforms; callers say what they expect.
 */
import { closeSync, lstatSync, openSync, readFileSync, readSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import {
  ElfFormatError,
  ET_DYN,
  ET_EXEC,
  PT_DYNAMIC,
  PT_INTERP,
  isElf,
  machineNames,
  parseElf,
} from "./parse.js";

export interface ElfExpectations {
  /** e_machine every ELF file must have. */
  machine: number;
  /** Executables must have no interpreter and no dynamic section. */
  static: boolean;
  /** When dynamic, the interpreter executables must ask for. */
  interpreter?: string;
}

function machineName(m: number): string {
  return machineNames[m] ?? `machine ${m}`;
}

function hasElfMagic(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && isElf(b);
  } finally {
    closeSync(fd);
  }
}

/** Problems found in the ELF files under `root`, as one line each (relative paths). */
export function checkElfOutputs(root: string, expect: ElfExpectations, limit = 20): string[] {
  const problems: string[] = [];
  const visit = (path: string): void => {
    if (problems.length >= limit) return;
    const st = lstatSync(path);
    if (st.isDirectory()) {
      for (const e of readdirSync(path).sort()) visit(join(path, e));
      return;
    }
    if (!st.isFile() || st.size < 52 || !hasElfMagic(path)) return;
    const rel = relative(root, path) || ".";
    let elf;
    try {
      elf = parseElf(readFileSync(path));
    } catch (e) {
      if (e instanceof ElfFormatError) {
        problems.push(`${rel}: ${e.message}`);
        return;
      }
      throw e;
    }
    if (elf.machine !== expect.machine) {
      problems.push(
        `${rel}: built for ${machineName(elf.machine)}, but the host platform is ${machineName(expect.machine)}`,
      );
      return;
    }
    const executable = elf.type === ET_EXEC || (elf.type === ET_DYN && elf.interpreter !== null);
    if (!executable) return;
    const dynamic = elf.programHeaders.some((p) => p.type === PT_INTERP || p.type === PT_DYNAMIC);
    if (expect.static && dynamic) {
      problems.push(
        `${rel}: dynamically linked (interpreter ${elf.interpreter ?? "none"}, needs ${elf.needed.join(", ") || "nothing"}), but static linking was asked for`,
      );
    } else if (
      !expect.static &&
      expect.interpreter !== undefined &&
      elf.interpreter !== null &&
      elf.interpreter !== expect.interpreter
    ) {
      problems.push(
        `${rel}: asks for the interpreter ${elf.interpreter}, not ${expect.interpreter}`,
      );
    }
  };
  visit(root);
  return problems;
}
