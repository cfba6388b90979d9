import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { addDerivationToStore } from "../derivation/drv-file.js";
import { DerivationJsonError, derivationsFromJson } from "../derivation/json.js";
import { XpkgsError } from "../errors.js";
import { Store } from "../store/store.js";
import { parseStorePath } from "../store/store-path.js";

function readInput(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new XpkgsError(
      `Could not read ${file === "-" ? "standard input" : file}: ${(e as Error).message}.`,
    );
  }
}

export function registerDerivationAdd(program: Command): void {
  const derivation = program
    .command("derivation")
    .description("Work with derivations as Nix's 'nix derivation' does.");
  derivation
    .command("add")
    .argument("[file]", "a JSON derivation; - or nothing reads standard input", "-")
    .description(
      "Read a derivation in 'xpkgs show-derivation' JSON (output paths empty or absent), compute " +
        "its output paths and .drv path as Nix does, write the .drv into the store, and print its path. " +
        "Its input derivations and input sources must already be in the store, or be in the same " +
        "JSON object (as 'show-derivation -r' prints), which are then added inputs first.",
    )
    .action((file: string) => {
      const store = Store.fromEnv();
      const storeDir = store.storeDir;
      const text = readInput(file);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new DerivationJsonError(
          `${file === "-" ? "standard input" : file} is not JSON: ${(e as Error).message}.`,
        );
      }
      const source = file === "-" ? "standard input" : file;
      for (const draft of derivationsFromJson(json, source)) {
        for (const src of draft.inputSrcs) {
          parseStorePath(src, storeDir);
          if (!store.isValid(src)) {
            throw new XpkgsError(
              `The input source ${src} of '${draft.name}' is not in the store ${storeDir}. Add it first.`,
            );
          }
        }
        const { drvPath } = addDerivationToStore(draft, store);
        process.stdout.write(`${drvPath}\n`);
      }
    });
}
