/** Build an attribute's derivation when its output is not in the store yet (as run, bundle and copy need). */
import { availableParallelism } from "node:os";
import { ProgressReporter } from "../build/progress.js";
import { realise } from "../build/scheduler.js";
import { writeDerivations } from "../derivation/instantiate.js";
import type { Package } from "../pkgs/package.js";
import type { PackageUniverse } from "../pkgs/top-level.js";
import type { Store } from "../store/store.js";
import type { Substituters } from "../cache/substitute.js";

export async function ensureBuilt(
  store: Store,
  universe: PackageUniverse,
  pkg: Package,
  quiet: boolean,
  substituters: Substituters | null = null,
): Promise<void> {
  if (store.isValid(pkg.out)) return;
  writeDerivations(store, universe.graph.closure(pkg.drvPath), universe.graph);
  const reporter = new ProgressReporter(process.stderr, quiet ? "quiet" : "normal");
  const cores = availableParallelism();
  const result = await realise(store, [pkg.drvPath], {
    jobs: cores,
    cores,
    keepGoing: false,
    dryRun: false,
    reporter,
    substituters,
  });
  const failed = result.failed[0];
  if (failed !== undefined) throw failed.error;
}
