/** Build an attribute's derivation when its output is not in the store yet (as run, bundle and copy need). */
import type { Command } from "commander";
import { substitutersFor } from "./cache-options.js";
import { buildersFor, localJobs } from "./builder-options.js";
import { availableParallelism } from "node:os";
import { ProgressReporter } from "../build/progress.js";
import { realise } from "../build/scheduler.js";
import { writeDerivations } from "../derivation/instantiate.js";
import type { Package } from "../pkgs/package.js";
import type { PackageUniverse } from "../pkgs/top-level.js";
import type { Store } from "../store/store.js";

export async function ensureBuilt(
  store: Store,
  universe: PackageUniverse,
  pkg: Package,
  quiet: boolean,
  /** The command whose substituter and builder options apply. */
  cmd: Command | null = null,
): Promise<void> {
  if (store.isValid(pkg.out)) return;
  writeDerivations(store, universe.graph.closure(pkg.drvPath), universe.graph);
  const reporter = new ProgressReporter(process.stderr, quiet ? "quiet" : "normal");
  const cores = availableParallelism();
  const jobs = cmd !== null ? localJobs(cmd, cores) : cores;
  const substituters = cmd !== null ? substitutersFor(cmd, store.storeDir) : null;
  const builders = cmd !== null ? buildersFor(cmd, jobs) : null;
  const result = await realise(store, [pkg.drvPath], {
    jobs,
    cores,
    keepGoing: false,
    dryRun: false,
    reporter,
    substituters,
    builders,
  });
  const failed = result.failed[0];
  if (failed !== undefined) throw failed.error;
}
