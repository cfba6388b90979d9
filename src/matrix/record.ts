/**
 * What a matrix records: one entry per cell (its status and the facts behind
 * it), in a JSON file that runs merge into, so that a matrix can be built in
 * pieces across sessions.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { type CellId, type Linkage, MatrixInputError, cellKey } from "./cells.js";

export const statuses = [
  "ran",
  "smoke-failed",
  "build-failed",
  "dependency-failed",
  "refused",
  "not-built",
] as const;
export type CellStatus = (typeof statuses)[number];

export interface RunResult {
  ok: boolean;
  /** The command line that ran. */
  command: string[];
  /** What went wrong, in a few words; empty when ok. */
  reason: string;
}

export interface MatrixCell extends CellId {
  attr: string;
  status: CellStatus;
  /** Why, in one line, for every status but "ran". */
  reason?: string;
  /** The platform's triple (static cells: the musl one). */
  triple?: string;
  drvPath?: string;
  outPath?: string;
  /** The main program (or, for a library, null) and what its ELF header says. */
  mainProgram?: string | null;
  elf?: { machine: string; static: boolean; interpreter: string | null };
  /** Bytes of the main program (a library: of its lib/ files). */
  size?: number;
  /** Seconds the cell's own derivation took to build (null: valid before this run). */
  buildSeconds?: number | null;
  /** For a failure: the failed derivation's log. */
  log?: { path: string | null; tail: string[]; drvPath: string };
  smoke?: RunResult;
  /** Static cells: the smoke test again in a root holding only the program (and qemu). */
  emptyRoot?: RunResult;
  /** When the cell was last judged (ISO 8601). */
  checkedAt: string;
  /** The commit of xpkgs that judged it (cells of earlier runs may come from older ones). */
  commit?: string | null;
}

export interface MatrixFile {
  format: 1;
  /** Where the last run that wrote this file ran. */
  generated: { date: string; commit: string | null; machine: string };
  cells: MatrixCell[];
}

/** The facts a cell's status follows from, in the order they decide it. */
export interface CellFacts {
  /** meta refused it (brokenOn, platforms): the reason. */
  refused?: string;
  /** Its own derivation failed to build. */
  buildFailed?: boolean;
  /** A derivation it needs failed (so its own was not attempted). */
  dependencyFailed?: boolean;
  /** Its output is valid in the store. */
  valid: boolean;
  /** The smoke test (or the library check) passed. */
  smokeOk?: boolean;
}

export function classify(f: CellFacts): CellStatus {
  if (f.refused !== undefined) return "refused";
  if (f.buildFailed === true) return "build-failed";
  if (f.dependencyFailed === true) return "dependency-failed";
  if (!f.valid) return "not-built";
  return f.smokeOk === true ? "ran" : "smoke-failed";
}

const linkOrder: Record<Linkage, number> = { dynamic: 0, static: 1 };

/** Cells sorted by package, then target (native first), then linkage. */
export function sortCells(cells: MatrixCell[]): MatrixCell[] {
  return [...cells].sort(
    (a, b) =>
      a.package.localeCompare(b.package) ||
      (a.target === "native" ? -1 : 0) - (b.target === "native" ? -1 : 0) ||
      a.target.localeCompare(b.target) ||
      linkOrder[a.linkage] - linkOrder[b.linkage],
  );
}

/** `existing` with `fresh` cells in place of the ones they judge again; the rest kept. */
export function mergeCells(existing: MatrixFile | null, fresh: MatrixFile): MatrixFile {
  const byKey = new Map<string, MatrixCell>();
  for (const c of existing?.cells ?? []) byKey.set(cellKey(c), c);
  for (const c of fresh.cells) byKey.set(cellKey(c), c);
  return { format: 1, generated: fresh.generated, cells: sortCells([...byKey.values()]) };
}

/** Reads a matrix JSON file; null when there is none yet. */
export function readMatrixFile(path: string): MatrixFile | null {
  if (!existsSync(path)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new MatrixInputError(
      `${path} is not JSON (${(e as Error).message}), so the matrix cannot merge into it. ` +
        "Move it away, or name another file with --json.",
    );
  }
  const f = data as Partial<MatrixFile>;
  if (f.format !== 1 || !Array.isArray(f.cells)) {
    throw new MatrixInputError(
      `${path} is not a matrix file of xpkgs (no "format": 1 and "cells"), so the matrix will not ` +
        "overwrite it. Name another file with --json.",
    );
  }
  return f as MatrixFile;
}

/** Writes atomically: a reader never sees half a file. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function countByStatus(cells: MatrixCell[]): Record<CellStatus, number> {
  const out = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<CellStatus, number>;
  for (const c of cells) out[c.status]++;
  return out;
}
