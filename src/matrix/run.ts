/**
 * Running a matrix: evaluate every cell, build them all at once through the
 * scheduler with keep-going (a valid output is not rebuilt, only judged
 * again), then judge each: its ELF facts, its smoke test, and for a static
 * cell the smoke test again in an empty root.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { BuildError, logPathOf } from "../build/builder.js";
import { type RealiseResult, type Reporter, type WorkKind, realise } from "../build/scheduler.js";
import type { FinalDerivation } from "../derivation/graph.js";
import { writeDerivations } from "../derivation/instantiate.js";
import { judgeCell, mainProgramFacts } from "../pkgs/collection.js";
import { UnsupportedPackageError } from "../pkgs/meta-check.js";
import type { Package } from "../pkgs/package.js";
import { type SmokeResult, runSmokeTest } from "../pkgs/smoke.js";
import type { PackageUniverse } from "../pkgs/top-level.js";
import type { Store } from "../store/store.js";
import { PlatformParseError } from "../systems/parse.js";
import { MissingToolchainError } from "../toolchains/detect.js";
import { VariantError } from "../pkgs/variants.js";
import { type CellId, attrOf, cellKey } from "./cells.js";
import { inEmptyRoot } from "./empty-root.js";
import { type MatrixCell, type MatrixFile, classify } from "./record.js";

export interface EvaluatedCell {
  id: CellId;
  attr: string;
  /** The package, unless meta refused it or it could not be evaluated here. */
  pkg: Package | null;
  refused?: string;
  /** Why it cannot be evaluated on this machine (its cross compiler is not installed). */
  unavailable?: string;
}

/** Resolves every cell's attribute; a meta refusal (brokenOn, platforms) is a cell's result, not an error. */
export function evaluateCells(universe: PackageUniverse, ids: CellId[]): EvaluatedCell[] {
  return ids.map((id) => {
    const attr = attrOf(id);
    try {
      return { id, attr, pkg: universe.resolve(attr) };
    } catch (e) {
      if (e instanceof UnsupportedPackageError) return { id, attr, pkg: null, refused: e.message };
      // No cross compiler installed, no musl port (a static cell of sparc64): not built here.
      if (
        e instanceof MissingToolchainError ||
        e instanceof PlatformParseError ||
        e instanceof VariantError
      )
        return { id, attr, pkg: null, unavailable: e.message };
      throw e;
    }
  });
}

/** The derivations of every evaluated cell and all they need, inputs first, each once. */
export function closureOf(universe: PackageUniverse, cells: EvaluatedCell[]): FinalDerivation[] {
  const seen = new Set<string>();
  const out: FinalDerivation[] = [];
  for (const c of cells) {
    if (c.pkg === null) continue;
    for (const d of universe.graph.closure(c.pkg.drvPath)) {
      if (seen.has(d.drvPath)) continue;
      seen.add(d.drvPath);
      out.push(d);
    }
  }
  return out;
}

/**
 * What the scheduler would build and fetch, found as it finds it (a derivation whose
 * outputs are all valid is not visited, nor what it needs), over the evaluated graph
 * instead of .drv files read back from the store: a dry run of a thousand cells
 * writes nothing and reads nothing but the store's database.
 */
export function planInMemory(
  store: Store,
  universe: PackageUniverse,
  targets: string[],
): RealiseResult {
  const seen = new Set<string>();
  const toFetch: string[] = [];
  const toBuild: string[] = [];
  const visit = (p: string): void => {
    if (seen.has(p)) return;
    seen.add(p);
    const d = universe.graph.byPath.get(p);
    if (d === undefined) return;
    if (Object.values(d.drv.outputs).every((o) => store.isValid(o.path))) return;
    for (const input of Object.keys(d.drv.inputDrvs)) visit(input);
    (d.drv.builder === "builtin:fetchurl" ? toFetch : toBuild).push(p);
  };
  for (const t of targets) visit(t);
  return {
    built: [],
    failed: [],
    skipped: [],
    toFetch,
    toBuild,
    toSubstitute: [],
    substituted: [],
    builtOn: new Map(),
  };
}

/** Passes every event on, and times each derivation's build. */
class TimingReporter implements Reporter {
  readonly seconds = new Map<string, number>();
  private readonly since = new Map<string, number>();
  constructor(private readonly inner: Reporter) {}
  plan(
    toFetch: string[],
    toBuild: string[],
    toSubstitute?: { drvPath: string; from: string[] }[],
  ): void {
    this.inner.plan(toFetch, toBuild, toSubstitute);
  }
  started(drvPath: string, name: string, kind: WorkKind): void {
    this.since.set(drvPath, Date.now());
    this.inner.started(drvPath, name, kind);
  }
  waiting(drvPath: string, name: string): void {
    this.inner.waiting(drvPath, name);
  }
  finished(drvPath: string, name: string, error: Error | null): void {
    const t = this.since.get(drvPath);
    if (t !== undefined) this.seconds.set(drvPath, Math.round((Date.now() - t) / 100) / 10);
    this.inner.finished(drvPath, name, error);
  }
  logLine(drvPath: string, line: string): void {
    this.inner.logLine(drvPath, line);
  }
  close(): void {
    this.inner.close();
  }
}

export interface MatrixRunOptions {
  jobs: number;
  cores: number;
  dryRun: boolean;
  reporter: Reporter;
  /** The file this run merges into: a cell valid before keeps its recorded build time. */
  previous: MatrixFile | null;
}

export interface MatrixRun {
  evaluated: EvaluatedCell[];
  realised: RealiseResult;
  /** Empty on a dry run. */
  cells: MatrixCell[];
}

function firstLine(s: string): string {
  return s.trim().split("\n")[0] ?? "";
}

function logOf(store: Store, drvPath: string, error: Error | undefined): MatrixCell["log"] {
  if (error instanceof BuildError) {
    return { drvPath, path: error.logPath, tail: error.logTail };
  }
  const path = logPathOf(store, drvPath);
  let tail: string[] = [];
  try {
    tail = readFileSync(path, "utf8").trimEnd().split("\n").slice(-25);
  } catch {
    return { drvPath, path: null, tail: error !== undefined ? error.message.split("\n") : [] };
  }
  return { drvPath, path, tail };
}

function reasonOf(error: Error): string {
  return error instanceof BuildError ? error.reason : firstLine(error.message);
}

export async function runMatrix(
  store: Store,
  universe: PackageUniverse,
  ids: CellId[],
  opts: MatrixRunOptions,
): Promise<MatrixRun> {
  const evaluated = evaluateCells(universe, ids);
  const targets = [...new Set(evaluated.flatMap((c) => (c.pkg === null ? [] : [c.pkg.drvPath])))];
  if (opts.dryRun)
    return { evaluated, realised: planInMemory(store, universe, targets), cells: [] };
  writeDerivations(store, closureOf(universe, evaluated), universe.graph);
  const reporter = new TimingReporter(opts.reporter);
  const realised = await realise(store, targets, {
    jobs: opts.jobs,
    cores: opts.cores,
    keepGoing: true,
    dryRun: false,
    reporter,
  });
  const failed = new Map(realised.failed.map((f) => [f.drvPath, f.error]));
  const skipped = new Set(realised.skipped);
  const before = new Map((opts.previous?.cells ?? []).map((c) => [cellKey(c), c]));
  const cells = evaluated.map((c) =>
    judge(store, universe, c, failed, skipped, reporter.seconds, before.get(cellKey(c.id))),
  );
  return { evaluated, realised, cells };
}

function judge(
  store: Store,
  universe: PackageUniverse,
  c: EvaluatedCell,
  failed: Map<string, Error>,
  skipped: Set<string>,
  seconds: Map<string, number>,
  previous: MatrixCell | undefined,
): MatrixCell {
  const base: MatrixCell = {
    ...c.id,
    attr: c.attr,
    status: "not-built",
    checkedAt: new Date().toISOString(),
  };
  if (c.pkg === null && c.refused !== undefined)
    return { ...base, status: classify({ refused: c.refused, valid: false }), reason: c.refused };
  if (c.pkg === null)
    return {
      ...base,
      status: classify({ valid: false }),
      reason: c.unavailable ?? "not evaluated",
    };
  const pkg = c.pkg;
  const cell: MatrixCell = {
    ...base,
    triple: pkg.hostPlatform.config,
    drvPath: pkg.drvPath,
    outPath: pkg.out,
  };
  const own = failed.get(pkg.drvPath);
  if (own !== undefined) {
    return {
      ...cell,
      status: classify({ buildFailed: true, valid: false }),
      reason: reasonOf(own),
      buildSeconds: seconds.get(pkg.drvPath) ?? null,
      log: logOf(store, pkg.drvPath, own),
    };
  }
  if (skipped.has(pkg.drvPath)) {
    const dep = universe.graph.closure(pkg.drvPath).find((d) => failed.has(d.drvPath));
    const error = dep !== undefined ? failed.get(dep.drvPath)! : undefined;
    return {
      ...cell,
      status: classify({ dependencyFailed: true, valid: false }),
      reason:
        dep !== undefined
          ? `needs ${dep.drv.name}, which failed: ${reasonOf(error!)}`
          : "a derivation it needs failed",
      ...(dep !== undefined ? { log: logOf(store, dep.drvPath, error) } : {}),
    };
  }
  if (!store.isValid(pkg.out)) {
    return {
      ...cell,
      status: classify({ valid: false }),
      reason: "its output is not in the store",
    };
  }
  const built = seconds.get(pkg.drvPath);
  cell.buildSeconds =
    built ?? (previous?.outPath === pkg.out ? (previous.buildSeconds ?? null) : null);
  let smoke: SmokeResult | null = null;
  try {
    const facts = mainProgramFacts(pkg);
    cell.mainProgram = pkg.meta.mainProgram ?? null;
    if (facts.elf !== null) cell.elf = facts.elf;
    cell.size = facts.size;
    const verdict = judgeCell(pkg, pkg.out, (p, out) => (smoke = runSmokeTest(p, out)));
    if (smoke !== null) cell.smoke = smoke;
    if (!verdict.ok) cell.reason = verdict.text;
    cell.status = classify({ valid: true, smokeOk: verdict.ok });
    if (c.id.linkage === "static" && facts.program !== null) {
      cell.emptyRoot = runSmokeTest(pkg, pkg.out, undefined, inEmptyRoot);
      // The empty root is the device: a static program that runs only with this machine's
      // files around it has not passed.
      if (verdict.ok && !cell.emptyRoot.ok) {
        cell.status = classify({ valid: true, smokeOk: false });
        cell.reason = `ran here, but not in an empty root: ${cell.emptyRoot.reason}`;
      }
    }
  } catch (e) {
    cell.status = classify({ valid: true, smokeOk: false });
    cell.reason = firstLine((e as Error).message);
  }
  return cell;
}

/** Where and on what this run happens, for the file's header. */
export function runOrigin(): MatrixFile["generated"] {
  let commit: string | null = null;
  try {
    const repo = fileURLToPath(new URL("../..", import.meta.url));
    commit = execFileSync("git", ["-C", repo, "rev-parse", "--short=12", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    commit = null;
  }
  let os = "Linux";
  try {
    const rel = readFileSync("/etc/os-release", "utf8");
    os = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(rel)?.[1] ?? os;
  } catch {
    // keep "Linux"
  }
  const cores = availableParallelism();
  return {
    date: new Date().toISOString(),
    commit,
    machine: `${os}, ${arch() === "x64" ? "x86-64" : arch()}, ${cores} core${cores === 1 ? "" : "s"}`,
  };
}
