/**
 * The collection matrix: every package of the collection, native and for
 * aarch64, dynamic and static. A cell is built by the caller; this module
 * says which cells there are and judges a built one: what its main program
 * is (machine, static or interpreter) and whether its smoke test passes.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isStaticallyLinked, machineNames, parseElf } from "../elf/parse.js";
import { recipes } from "./by-name/index.js";
import type { Package } from "./package.js";
import { runSmokeTest } from "./smoke.js";

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

/** A library without a program: lib/ must hold an archive, and a shared object unless static. */
function judgeLibrary(pkg: Package, outPath: string): CellVerdict {
  const files = existsSync(join(outPath, "lib")) ? readdirSync(join(outPath, "lib")) : [];
  const archives = files.filter((f) => f.endsWith(".a"));
  const shared = files.filter((f) => f.endsWith(".so"));
  if (archives.length === 0) return { ok: false, text: "library without a lib/*.a" };
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

/** Judges a built package whose output is at `outPath`. */
export function judgeCell(pkg: Package, outPath: string = pkg.out): CellVerdict {
  if (!existsSync(outPath)) return { ok: false, text: "not built" };
  const main = pkg.meta.mainProgram;
  if (main === undefined) return judgeLibrary(pkg, outPath);
  const elf = parseElf(readFileSync(join(outPath, "bin", main)));
  const kind = isStaticallyLinked(elf)
    ? "static"
    : `dynamic, ${elf.interpreter ?? "no interpreter"}`;
  const what = `${machineNames[elf.machine] ?? `machine ${elf.machine}`}, ${kind}`;
  const smoke = runSmokeTest(pkg, outPath);
  return smoke.ok
    ? { ok: true, text: `ran \`${main} ${smokeArgs(pkg)}\` (${what})` }
    : { ok: false, text: `built; smoke test failed: ${smoke.reason} (${what})` };
}

function smokeArgs(pkg: Package): string {
  return (pkg.meta.smokeTest?.args ?? ["--version"]).join(" ");
}
