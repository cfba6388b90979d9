/** Reading and writing `.drv` files in a store directory. */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { XpkgsError } from "../errors.js";
import type { Store } from "../store/store.js";
import { parseStorePath } from "../store/store-path.js";
import { parseDerivation } from "./aterm.js";
import { type Derivation, drvReferences } from "./derivation.js";
import { type DerivationLoader, DerivationHasher } from "./hash.js";

export class MissingDerivationError extends XpkgsError {
  override name = "MissingDerivationError";
}

/** The derivation name of a `.drv` file name (`<hash>-hello-2.10.drv` → `hello-2.10`). */
export function drvNameOfPath(path: string): string {
  const base = basename(path);
  const withoutHash = /^[0-9a-z]{32}-/.test(base) ? base.slice(33) : base;
  return withoutHash.endsWith(".drv") ? withoutHash.slice(0, -4) : withoutHash;
}

/** Read and parse a `.drv` file anywhere on disk. */
export function readDerivationFile(path: string): Derivation {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MissingDerivationError(
      code === "ENOENT"
        ? `The derivation ${path} does not exist.`
        : `Could not read the derivation ${path}: ${(e as Error).message}.`,
    );
  }
  return parseDerivation(text, drvNameOfPath(path), path);
}

/** A loader for derivations already in `storeDir`. */
export function storeDerivationLoader(storeDir: string): DerivationLoader {
  return (drvPath: string) => {
    parseStorePath(drvPath, storeDir);
    try {
      return readDerivationFile(drvPath);
    } catch (e) {
      if (e instanceof MissingDerivationError) {
        throw new MissingDerivationError(
          `The input derivation ${drvPath} is not in the store ${storeDir}. Add it first ` +
            `('xpkgs derivation add'), inputs before the derivations that use them.`,
        );
      }
      throw e;
    }
  };
}

/**
 * What `nix derivation add` does: compute the output paths and the `.drv`
 * path of a derivation whose inputs are in the store, and write the `.drv`.
 */
export function addDerivationToStore(
  draft: Derivation,
  store: Store,
): { drvPath: string; drv: Derivation } {
  const storeDir = store.storeDir;
  const load = storeDerivationLoader(storeDir);
  const hasher = new DerivationHasher(storeDir, (p) => {
    if (!store.isValid(p)) {
      throw new MissingDerivationError(
        `The input derivation ${p} is not in the store ${storeDir}. Add it first ` +
          `('xpkgs derivation add'), inputs before the derivations that use them.`,
      );
    }
    return load(p);
  });
  for (const input of Object.keys(draft.inputDrvs)) hasher.hashModuloOfPath(input);
  const { drv, drvPath, text } = hasher.finalize(draft);
  const written = store.addText(`${drv.name}.drv`, text, drvReferences(drv));
  if (written !== drvPath) throw new Error(`internal: ${drvPath} was written as ${written}`);
  return { drvPath, drv };
}
