import type { Command } from "commander";
import { collectGarbage } from "../store/gc.js";
import { Store } from "../store/store.js";
import { human } from "./table.js";

export function registerGc(program: Command): void {
  program
    .command("gc")
    .description(
      "Delete every store path that no root reaches. Roots are out-links (./result…), symlinks in " +
        "<state>/gcroots, and paths in use by running xpkgs processes.",
    )
    .option("-n, --dry-run", "list what would be deleted, and delete nothing")
    .action((opts: { dryRun?: boolean }) => {
      const store = Store.fromEnv();
      try {
        const r = collectGarbage(store, { dryRun: opts.dryRun === true });
        if (opts.dryRun === true) for (const p of r.deleted) process.stdout.write(`${p}\n`);
        process.stderr.write(
          `${opts.dryRun === true ? "would delete" : "deleted"} ${r.deleted.length} store paths, ` +
            `${human(r.bytesFreed)} ${opts.dryRun === true ? "would be" : ""} freed\n`.replace(
              "  ",
              " ",
            ),
        );
      } finally {
        store.close();
      }
    });
}
