/**
 * The collection matrix: every package of the collection, native and for
 * aarch64, dynamic and static. A cell is built by the caller; this module
 * says which cells there are and judges a built one: what its main program
 * is (machine, static or interpreter) and whether its smoke test passes.
 */
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { reportElf } from "../elf/inspect.js";
import { isStaticallyLinked, machineNames, parseElf } from "../elf/parse.js";
import { recipes } from "./by-name/index.js";
import type { Package } from "./package.js";
import { type SmokeResult, runSmokeTest } from "./smoke.js";

export const collectionColumns = [
  { label: "native", prefix: "" },
  { label: "native static", prefix: "pkgsStatic." },
  { label: "aarch64", prefix: "pkgsCross.aarch64-multiplatform." },
  { label: "aarch64 static", prefix: "pkgsCross.aarch64-multiplatform.pkgsStatic." },
] as const;

/** The packages of the collection, by attribute name. */
export function collectionPackages(): string[] {
  return Object.keys(recipes).sort();
}

export interface CellVerdict {
  ok: boolean;
  /** One line for the matrix: what was built and how it ran. */
  text: string;
}

/**
 * A library without a program: in a static set lib/ must hold an archive and no shared
 * object; in a dynamic set, a shared object (an archive beside it is the package's choice).
 */
function judgeLibrary(pkg: Package, outPath: string): CellVerdict {
  const files = existsSync(join(outPath, "lib")) ? readdirSync(join(outPath, "lib")) : [];
  const archives = files.filter((f) => f.endsWith(".a"));
  const shared = files.filter((f) => f.endsWith(".so"));
  if (pkg.hostPlatform.isStatic && archives.length === 0)
    return { ok: false, text: "library without a lib/*.a" };
  if (pkg.hostPlatform.isStatic && shared.length > 0) {
    return { ok: false, text: `static library set, but lib/ has ${shared.join(", ")}` };
  }
  if (!pkg.hostPlatform.isStatic && shared.length === 0) {
    return { ok: false, text: "library without a lib/*.so" };
  }
  return {
    ok: true,
    text: `library: ${[...archives, ...shared].map((f) => `lib/${f}`).join(", ")}`,
  };
}

export interface MainProgramFacts {
  /** bin/<mainProgram>, or null for a library. */
  program: string | null;
  elf: { machine: string; static: boolean; interpreter: string | null } | null;
  /** Bytes of the program (a library: of its lib/ files). */
  size: number;
}

/** What the main program of a built package is (static-pie counts as static, as in the output check). */
export function mainProgramFacts(pkg: Package, outPath: string = pkg.out): MainProgramFacts {
  const main = pkg.meta.mainProgram;
  if (main === undefined) {
    const lib = join(outPath, "lib");
    const files = existsSync(lib) ? readdirSync(lib) : [];
    const size = files
      .map((f) => lstatSync(join(lib, f)))
      .filter((st) => st.isFile())
      .reduce((n, st) => n + st.size, 0);
    return { program: null, elf: null, size };
  }
  const path = join(outPath, "bin", main);
  const bytes = readFileSync(path);
  const r = reportElf(parseElf(bytes), main, "");
  return {
    program: path,
    elf: { machine: r.machine, static: r.static, interpreter: r.interpreter },
    size: bytes.length,
  };
}

/** Judges a built package whose output is at `outPath`. */
export function judgeCell(
  pkg: Package,
  outPath: string = pkg.out,
  smoke: (pkg: Package, outPath: string) => SmokeResult = runSmokeTest,
): CellVerdict {
  if (!existsSync(outPath)) return { ok: false, text: "not built" };
  const main = pkg.meta.mainProgram;
  if (main === undefined) return judgeLibrary(pkg, outPath);
  const file = join(outPath, "bin", main);
  if (!existsSync(file))
    return { ok: false, text: `built, but bin/${main} (meta.mainProgram) is missing` };
  const elf = parseElf(readFileSync(file));
  const kind = isStaticallyLinked(elf)
    ? "static"
    : `dynamic, ${elf.interpreter ?? "no interpreter"}`;
  const what = `${machineNames[elf.machine] ?? `machine ${elf.machine}`}, ${kind}`;
  const result = smoke(pkg, outPath);
  return result.ok
    ? { ok: true, text: `ran \`${main} ${smokeArgs(pkg)}\` (${what})` }
    : { ok: false, text: `built; smoke test failed: ${result.reason} (${what})` };
}

function smokeArgs(pkg: Package): string {
  return (pkg.meta.smokeTest?.args ?? ["--version"]).join(" ");
}
