import type { Command } from "commander";
import type { Derivation } from "../derivation/derivation.js";
import { readDerivationFile, storeDerivationLoader } from "../derivation/drv-file.js";
import { showDerivationJson } from "../derivation/json.js";
import { storeDirFromEnv } from "../store/store-dir.js";
import { isStorePath } from "../store/store-path.js";
import { openUniverse } from "./universe.js";

function looksLikeFile(arg: string): boolean {
  return arg.endsWith(".drv") || arg.includes("/");
}

export function registerShowDerivation(program: Command): void {
  program
    .command("show-derivation")
    .argument("<drv-or-attr>", "a .drv file, or an attribute path such as hello")
    .description(
      "Print a derivation as JSON, in the shape 'nix derivation show' uses: an object keyed by " +
        "the .drv path, with outputs, inputDrvs, inputSrcs, system, builder, args and env.",
    )
    .option("-r, --recursive", "also print every derivation it depends on")
    .action(async (arg: string, opts: { recursive?: boolean }, cmd: Command) => {
      const shown: { drvPath: string; drv: Derivation }[] = [];
      if (looksLikeFile(arg)) {
        const storeDir = storeDirFromEnv();
        const top = { drvPath: arg, drv: readDerivationFile(arg) };
        shown.push(top);
        if (opts.recursive === true) {
          const load = storeDerivationLoader(storeDir);
          const seen = new Set<string>([arg]);
          const queue = Object.keys(top.drv.inputDrvs);
          while (queue.length > 0) {
            const p = queue.shift()!;
            if (seen.has(p) || !isStorePath(p, storeDir)) continue;
            seen.add(p);
            const drv = load(p);
            shown.push({ drvPath: p, drv });
            queue.push(...Object.keys(drv.inputDrvs));
          }
        }
      } else {
        const universe = await openUniverse(cmd);
        const pkg = universe.resolve(arg);
        if (opts.recursive === true) shown.push(...universe.graph.closure(pkg.drvPath).reverse());
        else shown.push({ drvPath: pkg.drvPath, drv: pkg.drv });
      }
      process.stdout.write(`${JSON.stringify(showDerivationJson(shown), null, 2)}\n`);
    });
}
