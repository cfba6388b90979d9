/**
 * Output checks: every ELF file in a build output must be for the machine
 * that was asked for, and static when static was asked for. They read the
 * portability report (inspect.ts), so that a build and `xpkgs inspect`
 * agree. Nothing here knows about platforms; callers say what they expect.
 */
import { machineName } from "./constants.js";
import { inspectTree } from "./inspect.js";

export interface ElfExpectations {
  /** e_machine every ELF file must have. */
  machine: number;
  /** Executables must have no interpreter and no libraries (static-pie counts as static). */
  static: boolean;
  /** When dynamic, the interpreter executables must ask for. */
  interpreter?: string;
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
