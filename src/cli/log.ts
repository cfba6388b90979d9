import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { logPathOf } from "../build/builder.js";
import { XpkgsError } from "../errors.js";
import { openUniverse } from "./universe.js";
import { Store } from "../store/store.js";
import { storePathFromUserInput } from "./path-info.js";

export function registerLog(program: Command): void {
  program
    .command("log")
    .argument("<path-or-attr>", "a .drv path, an output path, or an attribute path")
    .description("Print the build log of a derivation.")
    .action(async (arg: string, _opts: unknown, cmd: Command) => {
      const store = Store.fromEnv();
      try {
        let drvPath: string | null = null;
        if (arg.endsWith(".drv")) drvPath = arg;
        else if (arg.includes("/"))
          drvPath = store.info(await storePathFromUserInput(store, arg, cmd))?.deriver ?? null;
        else drvPath = (await openUniverse(cmd, store.storeDir)).resolve(arg).drvPath;
        if (drvPath === null)
          throw new XpkgsError(`${arg} has no known derivation, so it has no build log.`);
        const file = logPathOf(store, drvPath);
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          throw new XpkgsError(
            `There is no build log for ${drvPath} (looked in ${file}); it has not been built here.`,
          );
        }
        process.stdout.write(text);
      } finally {
        store.close();
      }
    });
}
