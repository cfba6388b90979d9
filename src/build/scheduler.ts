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
import type { Machine } from "../remote/machines.js";
import { requiredFeatures } from "../remote/machines.js";
import type { BuilderPool, MachineState } from "../remote/pool.js";
import { buildRemotely } from "../remote/remote-build.js";
import { RemoteError, type ServeClient } from "../remote/serve-client.js";

export type WorkKind = "fetch" | "build" | "substitute";

export interface Reporter {
  /** `toSubstitute`: derivations whose outputs come from a binary cache, with the cache. */
  plan(
    toFetch: string[],
    toBuild: string[],
    toSubstitute?: { drvPath: string; from: string[] }[],
  ): void;
  /** `where`: the machine a remote build runs on. */
  started(drvPath: string, name: string, kind: WorkKind, where?: string): void;
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
  /** Remote machines to build on besides the `jobs` local slots (`jobs` 0: only there). */
  builders?: RemoteBuilders | null;
}

export interface RemoteBuilders {
  pool: BuilderPool;
  connect: (m: Machine, onStderrLine: (line: string) => void) => Promise<ServeClient>;
  /** Builders substitute inputs from their own caches before any is sent. */
  useSubstitutes: boolean;
  /** The features this machine offers local builds (its toolchains'). */
  localFeatures: Set<string>;
  localSystem: string;
}

/** Where one ready derivation goes now. */
type Placement =
  | { kind: "local" }
  | { kind: "remote"; state: MachineState }
  | { kind: "wait" }
  | { kind: "impossible"; why: string };

/** How often one derivation may lose its machine before it fails. */
const maxMachineFaults = 3;

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
  /** Derivation → the machine that built it, for remote builds. */
  builtOn: Map<string, string>;
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
    builtOn: new Map(),
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

    const unblockDependents = (node: Node): void => {
      for (const d of node.dependents) {
        const left = remaining.get(d)! - 1;
        if (left < 0) continue;
        remaining.set(d, left);
        if (left === 0) ready.push(d);
      }
    };

    const remote = opts.builders ?? null;
    const faults = new Map<string, number>();
    let localRunning = 0;
    const place = (node: Node): Placement => {
      const localFree = localRunning < opts.jobs;
      if (node.origin.kind === "substitute" || isFetch(node.drv)) {
        // Fetches and substitutions stay here, even with --max-jobs 0.
        return localRunning < Math.max(opts.jobs, 1) ? { kind: "local" } : { kind: "wait" };
      }
      if (remote === null) return localFree ? { kind: "local" } : { kind: "wait" };
      const system = node.drv.system;
      const features = requiredFeatures(node.drv.env);
      const state = remote.pool.pick(system, features);
      if (state !== null) return { kind: "remote", state };
      const lacking = features.filter((f) => !remote.localFeatures.has(f));
      const localCan = opts.jobs > 0 && system === remote.localSystem && lacking.length === 0;
      if (localCan) return localFree ? { kind: "local" } : { kind: "wait" };
      if (remote.pool.anyAlive(system, features)) return { kind: "wait" };
      const here =
        opts.jobs === 0
          ? "local builds are off (--max-jobs 0)"
          : system !== remote.localSystem
            ? `this machine is ${remote.localSystem}`
            : `this machine lacks ${lacking.join(", ")}`;
      const there =
        remote.pool.states.length === 0
          ? "no builders are configured"
          : `no builder offers both (${remote.pool.states.map((m) => `${m.name}: ${m.machine.systems.join(",")} with ${[...m.machine.supportedFeatures, ...m.machine.mandatoryFeatures].join(",") || "no features"}`).join("; ")})`;
      return {
        kind: "impossible",
        why:
          `nothing can build it: it needs a ${system} machine with the features ` +
          `${features.join(", ") || "(none)"}; ${here}, and ${there}. ` +
          "Add a builder that lists them (xpkgs doctor --builder prints its set-up), or build here",
      };
    };

    const runRemote = async (p: string, state: MachineState): Promise<void> => {
      const node = nodes.get(p)!;
      const name = node.drv.name;
      const locks = Object.values(node.drv.outputs)
        .map((o) => o.path)
        .sort()
        .map((o) => store.lockFor(o));
      remote!.pool.acquire(state);
      let outcome: boolean | "fault" = false;
      try {
        for (const l of locks) await l.acquire(() => opts.reporter.waiting(p, name));
        if (!outputsValid(store, node.drv)) {
          roots.add(inputClosure(store, node.drv, cache.load));
          opts.reporter.started(p, name, "build", state.name);
          const client = await remote!.connect(state.machine, (line) =>
            opts.reporter.logLine(p, `${state.name}: ${line}`),
          );
          try {
            await buildRemotely(store, client, p, node.drv, cache.load, {
              machine: state.name,
              useSubstitutes: remote!.useSubstitutes,
              onLogLine: (line) => opts.reporter.logLine(p, line),
            });
          } finally {
            await client.close().catch(() => client.kill());
          }
          result.built.push(p);
          result.builtOn.set(p, state.name);
        }
        outcome = true;
        opts.reporter.finished(p, name, null);
        unblockDependents(node);
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        const n = (faults.get(p) ?? 0) + 1;
        if (e instanceof RemoteError && e.machineFault && n < maxMachineFaults) {
          // The machine failed, not the build: it rests, and the job goes elsewhere.
          outcome = "fault";
          faults.set(p, n);
          process.stderr.write(
            `warning: ${state.name} failed while building ${name} (attempt ${n} of ${maxMachineFaults}); ` +
              "it is set aside for a while, and the build goes to another machine, or back to it " +
              `once it is up.\n${error.message}\n`,
          );
          ready.unshift(p);
        } else {
          const gaveUp = e instanceof RemoteError && e.machineFault;
          if (gaveUp) outcome = "fault";
          const reported = gaveUp
            ? new RemoteError(
                `${error.message}\nGiving up on ${name}: its machine failed ${n} times.`,
                true,
              )
            : error;
          result.failed.push({ drvPath: p, error: reported });
          opts.reporter.finished(p, name, reported);
          skipDependents(p);
          if (!opts.keepGoing) stop = true;
        }
      } finally {
        for (const l of locks) l.release();
        remote!.pool.release(state, outcome);
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
        unblockDependents(node);
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

    const fail = (p: string, why: string): void => {
      const node = nodes.get(p)!;
      const error = new RealiseError(`Cannot build ${p}: ${why}.`);
      result.failed.push({ drvPath: p, error });
      opts.reporter.finished(p, node.drv.name, error);
      skipDependents(p);
      if (!opts.keepGoing) stop = true;
    };
    while (!stop && (ready.length > 0 || running.size > 0)) {
      for (let i = 0; !stop && i < ready.length;) {
        const p = ready[i]!;
        if (remaining.get(p) === -1) {
          ready.splice(i, 1);
          continue;
        }
        const where = place(nodes.get(p)!);
        if (where.kind === "wait") {
          i++;
          continue;
        }
        ready.splice(i, 1);
        if (where.kind === "impossible") {
          fail(p, where.why);
          continue;
        }
        let job: Promise<void>;
        if (where.kind === "remote") {
          job = runRemote(p, where.state).finally(() => running.delete(job));
        } else {
          localRunning++;
          job = runOne(p).finally(() => {
            localRunning--;
            running.delete(job);
          });
        }
        running.add(job);
      }
      const back = remote?.pool.nextRecovery() ?? null;
      if (running.size > 0) {
        // Wake when a job ends, or when a machine a waiting job needs is back.
        let timer: NodeJS.Timeout | undefined;
        const recovered =
          back !== null && ready.length > 0
            ? new Promise<void>((r) => (timer = setTimeout(r, Math.max(back - Date.now(), 10))))
            : null;
        await Promise.race(recovered !== null ? [...running, recovered] : running);
        clearTimeout(timer);
      } else if (!stop && ready.length > 0) {
        // Everything left waits for a machine that is down: sleep until one is back.
        if (back === null) {
          for (const p of ready.splice(0)) fail(p, "every machine that can build it has failed");
        } else {
          await new Promise((r) => setTimeout(r, Math.max(back - Date.now(), 10)));
        }
      }
    }
    await Promise.all(running);
    return result;
  } finally {
    roots.release();
    opts.reporter.close();
  }
}
