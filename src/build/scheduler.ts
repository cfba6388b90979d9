/**
 * The scheduler: which derivations must be built for some targets, and in
 * what order, up to N at a time. It decides nothing about validity (the
 * store does) and nothing about how one derivation builds (builder.ts does).
 */
import { XpkgsError } from "../errors.js";
import type { Derivation } from "../derivation/derivation.js";
import { readDerivationFile } from "../derivation/drv-file.js";
import type { FileLock } from "../store/lock.js";
import type { Store } from "../store/store.js";
import { TempRoots } from "../store/temp-roots.js";

export { TempRoots };
import { buildDerivation, inputClosure } from "./builder.js";
import { hostPackagesMessage, unmetOf } from "./host-requirements.js";
import { type Origin, originOf } from "./rebuilder.js";
import { fetchPath, orderHits, rootsOfHits, type Substituters } from "../cache/substitute.js";

export type WorkKind = "fetch" | "build" | "substitute";

export interface Reporter {
  /** `toSubstitute`: derivations whose outputs come from a binary cache, with the cache. */
  plan(
    toFetch: string[],
    toBuild: string[],
    toSubstitute?: { drvPath: string; from: string[] }[],
  ): void;
  started(drvPath: string, name: string, kind: WorkKind): void;
  waiting(drvPath: string, name: string): void;
  finished(drvPath: string, name: string, error: Error | null): void;
  logLine(drvPath: string, line: string): void;
  close(): void;
}

export interface RealiseOptions {
  jobs: number;
  cores: number;
  keepGoing: boolean;
  dryRun: boolean;
  reporter: Reporter;
  env?: NodeJS.ProcessEnv;
  /** Binary caches to substitute from before building; null or absent: build everything. */
  substituters?: Substituters | null;
}

export interface RealiseResult {
  built: string[];
  failed: { drvPath: string; error: Error }[];
  /** Derivations not built because something they need failed. */
  skipped: string[];
  toFetch: string[];
  toBuild: string[];
  toSubstitute: { drvPath: string; from: string[] }[];
  /** Derivations whose outputs were substituted. */
  substituted: string[];
}

export class RealiseError extends XpkgsError {
  override name = "RealiseError";
}

interface Node {
  drvPath: string;
  drv: Derivation;
  deps: Set<string>;
  dependents: Set<string>;
  origin: Origin;
}

function isFetch(drv: Derivation): boolean {
  return drv.builder === "builtin:fetchurl";
}

export class DerivationCache {
  private readonly cache = new Map<string, Derivation>();
  load = (drvPath: string): Derivation => {
    let d = this.cache.get(drvPath);
    if (d === undefined) {
      d = readDerivationFile(drvPath);
      this.cache.set(drvPath, d);
    }
    return d;
  };
}

function outputsValid(store: Store, drv: Derivation): boolean {
  return Object.values(drv.outputs).every((o) => store.isValid(o.path));
}

export async function realise(
  store: Store,
  targets: string[],
  opts: RealiseOptions,
): Promise<RealiseResult> {
  const cache = new DerivationCache();
  const nodes = new Map<string, Node>();
  const visits = new Map<string, Promise<void>>();
  const subs = opts.substituters ?? null;
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const visit = (p: string): Promise<void> => {
    let v = visits.get(p);
    if (v === undefined) {
      v = (async () => {
        const drv = cache.load(p);
        const origin = await originOf(store, drv, subs, warn);
        if (origin.kind === "valid") return;
        const node: Node = { drvPath: p, drv, deps: new Set(), dependents: new Set(), origin };
        if (origin.kind === "build") {
          for (const src of drv.inputSrcs) {
            if (!store.isValid(src)) {
              throw new RealiseError(
                `${p} needs the input source ${src}, which is not in the store. Add it first.`,
              );
            }
          }
          const inputs = Object.keys(drv.inputDrvs);
          await Promise.all(inputs.map(visit));
          for (const input of inputs) if (nodes.has(input)) node.deps.add(input);
        }
        nodes.set(p, node);
      })();
      visits.set(p, v);
    }
    return v;
  };
  await Promise.all(targets.map(visit));
  for (const n of nodes.values()) for (const d of n.deps) nodes.get(d)!.dependents.add(n.drvPath);

  const built = [...nodes.values()].filter((n) => n.origin.kind === "build");
  const toFetch = built.filter((n) => isFetch(n.drv)).map((n) => n.drvPath);
  const toBuild = built.filter((n) => !isFetch(n.drv)).map((n) => n.drvPath);
  const toSubstitute = [...nodes.values()].flatMap((n) =>
    n.origin.kind === "substitute" ? [{ drvPath: n.drvPath, from: n.origin.from }] : [],
  );
  const result: RealiseResult = {
    built: [],
    failed: [],
    skipped: [],
    toFetch,
    toBuild,
    toSubstitute,
    substituted: [],
  };
  opts.reporter.plan(toFetch, toBuild, toSubstitute);
  if (opts.dryRun || nodes.size === 0) return result;
  // A missing host tool stops everything before it starts; with keep-going only what needs it.
  if (!opts.keepGoing) {
    const needing = built.filter((n) => unmetOf(n.drv, cache.load).length > 0);
    if (needing.length > 0) {
      const unmet = needing.flatMap((n) => unmetOf(n.drv, cache.load));
      const byName = new Map(unmet.map((u) => [u.name, u]));
      opts.reporter.close();
      throw hostPackagesMessage(
        [...byName.values()],
        needing.map((n) => n.drv.name),
      );
    }
  }

  const roots = new TempRoots(store.stateDir);
  try {
    for (const n of nodes.values()) {
      roots.add([n.drvPath, ...Object.values(n.drv.outputs).map((o) => o.path)]);
    }
    const remaining = new Map([...nodes.values()].map((n) => [n.drvPath, n.deps.size]));
    const ready = [...nodes.values()].filter((n) => n.deps.size === 0).map((n) => n.drvPath);
    const running = new Set<Promise<void>>();
    let stop = false;

    const skipDependents = (p: string): void => {
      for (const d of nodes.get(p)!.dependents) {
        if (remaining.get(d) === -1) continue;
        remaining.set(d, -1);
        result.skipped.push(d);
        skipDependents(d);
      }
    };

    const runOne = async (p: string): Promise<void> => {
      const node = nodes.get(p)!;
      const name = node.drv.name;
      // A substitution locks each path as it fetches it (cache/substitute.ts).
      const locks: FileLock[] =
        node.origin.kind === "substitute"
          ? []
          : Object.values(node.drv.outputs)
              .map((o) => o.path)
              .sort()
              .map((o) => store.lockFor(o));
      try {
        for (const l of locks) await l.acquire(() => opts.reporter.waiting(p, name));
        if (!outputsValid(store, node.drv) && node.origin.kind === "substitute") {
          opts.reporter.started(p, name, "substitute");
          const hits = node.origin.hits;
          roots.add(rootsOfHits(store, hits));
          for (const path of orderHits(hits)) await fetchPath(store, path, hits.get(path)!);
          result.substituted.push(p);
        } else if (!outputsValid(store, node.drv)) {
          const unmet = unmetOf(node.drv, cache.load);
          if (unmet.length > 0) throw hostPackagesMessage(unmet, [name]);
          roots.add(inputClosure(store, node.drv, cache.load));
          opts.reporter.started(p, name, isFetch(node.drv) ? "fetch" : "build");
          await buildDerivation(store, p, node.drv, cache.load, {
            cores: opts.cores,
            onLogLine: (line) => opts.reporter.logLine(p, line),
            ...(opts.env !== undefined ? { env: opts.env } : {}),
          });
          result.built.push(p);
        }
        opts.reporter.finished(p, name, null);
        for (const d of node.dependents) {
          const left = remaining.get(d)! - 1;
          if (left < 0) continue;
          remaining.set(d, left);
          if (left === 0) ready.push(d);
        }
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        result.failed.push({ drvPath: p, error });
        opts.reporter.finished(p, name, error);
        skipDependents(p);
        if (!opts.keepGoing) stop = true;
      } finally {
        for (const l of locks) l.release();
      }
    };

    while (!stop && (ready.length > 0 || running.size > 0)) {
      while (!stop && ready.length > 0 && running.size < opts.jobs) {
        const p = ready.shift()!;
        if (remaining.get(p) === -1) continue;
        const job: Promise<void> = runOne(p).finally(() => running.delete(job));
        running.add(job);
      }
      if (running.size > 0) await Promise.race(running);
    }
    await Promise.all(running);
    return result;
  } finally {
    roots.release();
    opts.reporter.close();
  }
}
