import type { Command } from "commander";
import { existsSync } from "node:fs";
import { narHashOf } from "../store/nar.js";
import { Store } from "../store/store.js";
import { XpkgsError } from "../errors.js";

export function registerStore(program: Command): void {
  const store = program.command("store").description("Inspect and maintain the store.");
  store
    .command("verify")
    .description(
      "Re-hash every valid path against its registered NAR hash, and report each one that is missing or differs.",
    )
    .action(() => {
      const s = Store.fromEnv();
      try {
        const paths = s.db.allValidPaths();
        const bad: string[] = [];
        for (const p of paths) {
          const info = s.info(p)!;
          if (!existsSync(p)) {
            bad.push(`${p}: missing from disk`);
            continue;
          }
          const got = `sha256:${narHashOf(p).narHash.nix32}`;
          if (got !== info.narHash) bad.push(`${p}: NAR hash ${got}, registered ${info.narHash}`);
        }
        for (const b of bad) process.stdout.write(`corrupt: ${b}\n`);
        process.stderr.write(`checked ${paths.length} paths, ${bad.length} corrupt\n`);
        if (bad.length > 0) {
          throw new XpkgsError(
            `${bad.length} store path(s) do not match their registered contents. Delete them with ` +
              `'xpkgs gc' after removing their roots, or rebuild them.`,
          );
        }
      } finally {
        s.close();
      }
    });
}
