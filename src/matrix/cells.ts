/**
 * The cells of a matrix: packages × targets × linkage. A target is a
 * `pkgsCross` platform name or `native` (the build machine); a cell is the
 * attribute path that builds it.
 */
import { XpkgsError, didYouMean } from "../errors.js";
import type { Platform } from "../systems/elaborate.js";
import { exampleNames } from "../systems/examples.js";
import { examplePlatform } from "../systems/named.js";
import { debianTriple } from "../toolchains/debian-cross.js";

export type Linkage = "dynamic" | "static";
export const linkages: readonly Linkage[] = ["dynamic", "static"];

export interface CellId {
  package: string;
  target: string;
  linkage: Linkage;
}

export class MatrixInputError extends XpkgsError {
  override name = "MatrixInputError";
}

/** The attribute path of a cell: `pkgsCross.<target>.pkgsStatic.<package>`, `pkgsStatic.hello`… */
export function attrOf(c: CellId): string {
  const cross = c.target === "native" ? "" : `pkgsCross.${c.target}.`;
  return `${cross}${c.linkage === "static" ? "pkgsStatic." : ""}${c.package}`;
}

/** A stable key for merging: one cell per package, target and linkage. */
export function cellKey(c: CellId): string {
  return `${c.package}\u0000${c.target}\u0000${c.linkage}`;
}

/**
 * The default targets: `native` and every named platform with a Debian cross
 * compiler and a qemu-user emulator, except the build machine's own (gnu64 is
 * `native` under another name, with the same store paths).
 */
export function defaultTargets(build: Platform): string[] {
  const named = exampleNames.filter((n) => {
    const p = examplePlatform(n);
    return debianTriple(p) !== null && p.qemuArch !== null && p.key !== build.key;
  });
  return ["native", ...named];
}

/** Checks names against the known ones; an unknown one is refused with the nearest. */
export function checkNames(kind: "package" | "target", given: string[], known: string[]): void {
  for (const name of given) {
    if (known.includes(name)) continue;
    const list =
      kind === "package"
        ? "'xpkgs list' shows the collection"
        : "a target is 'native' or a platform name of 'xpkgs platforms'";
    throw new MatrixInputError(
      `'${name}' is not a ${kind} of the matrix.${didYouMean(name, known)} ${list[0]!.toUpperCase()}${list.slice(1)}.`,
    );
  }
}

/** Every cell, package-major, in the order the names were given. */
export function planCells(packages: string[], targets: string[], links: Linkage[]): CellId[] {
  const out: CellId[] = [];
  for (const p of packages)
    for (const t of targets) for (const l of links) out.push({ package: p, target: t, linkage: l });
  return out;
}

/** A comma-separated list option: "a,b , c" → ["a", "b", "c"], without repeats. */
export function listOption(text: string | undefined, flag: string): string[] | null {
  if (text === undefined) return null;
  const items = [
    ...new Set(
      text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
  if (items.length === 0)
    throw new MatrixInputError(`${flag} takes a comma-separated list of names, and got none.`);
  return items;
}

/** The six static targets of the published matrix: they span the hard cases. */
export const publishStaticTargets = [
  "aarch64-multiplatform",
  "armv7l-hf-multiplatform",
  "raspberryPi",
  "riscv64",
  "mips-linux-gnu",
  "s390x",
] as const;

/** The core set, static on every platform of the published matrix. */
export const publishCore = [
  "busybox",
  "binutils-unwrapped",
  "strace",
  "dropbear",
  "curl",
  "tcpdump",
] as const;

/**
 * The published matrix (docs/matrix.md): every package native and aarch64 dynamic; every
 * package static on the six targets above; the core set static on every default target
 * whose platform has a static (musl) variant. `isStaticTarget` says which do.
 */
export function publishCells(
  packages: string[],
  build: Platform,
  isStaticTarget: (target: string) => boolean,
): CellId[] {
  const out: CellId[] = [];
  const seen = new Set<string>();
  const add = (c: CellId) => {
    const k = cellKey(c);
    if (seen.has(k)) return;
    seen.add(k);
    out.push(c);
  };
  // A target that is the build machine under another name is `native` (defaultTargets).
  const targets = defaultTargets(build);
  const known = (t: string) => targets.includes(t);
  for (const p of packages) {
    for (const t of ["native", "aarch64-multiplatform"].filter(known))
      add({ package: p, target: t, linkage: "dynamic" });
    for (const t of publishStaticTargets.filter(known))
      add({ package: p, target: t, linkage: "static" });
  }
  for (const p of publishCore) {
    if (!packages.includes(p)) continue;
    for (const t of targets)
      if (isStaticTarget(t)) add({ package: p, target: t, linkage: "static" });
  }
  return out;
}
