/**
 * Derivation hashing, as Nix does it: the output paths of an input-addressed
 * derivation come from the sha256 of its ATerm with outputs blanked and each
 * input derivation replaced by that input's own hash "modulo" fixed outputs.
 * A fixed-output input counts only by its declared content hash, so changing
 * how a tarball is fetched never rebuilds what uses it.
 */
import { XpkgsError } from "../errors.js";
import { type Hash, type HashAlgo, hashSizes, parseHash, sha256 } from "../store/hash.js";
import {
  type FileIngestionMethod,
  checkStoreName,
  makeFixedOutputPath,
  makeOutputPath,
  makeTextPath,
} from "../store/store-path.js";
import { unparseDerivation } from "./aterm.js";
import { type Derivation, drvReferences, isFixedOutput } from "./derivation.js";

export class InvalidDerivationError extends XpkgsError {
  override name = "InvalidDerivationError";
}

/** Finds the derivation stored at a `.drv` path; throws when it is not known. */
export type DerivationLoader = (drvPath: string) => Derivation;

/** The method and algorithm of a fixed output's `hashAlgo` field (`r:sha256` → recursive sha256). */
export function parseHashAlgoField(field: string): { method: FileIngestionMethod; algo: HashAlgo } {
  const recursive = field.startsWith("r:");
  const algo = recursive ? field.slice(2) : field;
  if (!Object.prototype.hasOwnProperty.call(hashSizes, algo)) {
    throw new InvalidDerivationError(
      `'${field}' is not a fixed-output hash algorithm: use sha256, sha512 or sha1, ` +
        `with 'r:' in front for a recursive (NAR) hash.`,
    );
  }
  return { method: recursive ? "recursive" : "flat", algo: algo as HashAlgo };
}

export class DerivationHasher {
  private readonly cache = new Map<string, Hash>();

  constructor(
    readonly storeDir: string,
    private readonly load: DerivationLoader,
  ) {}

  /**
   * Hash of a derivation modulo fixed outputs. Inputs are hashed with their
   * output paths in place; the derivation being computed masks its own.
   */
  hashModulo(drv: Derivation, maskOutputs: boolean): Hash {
    if (isFixedOutput(drv)) {
      const out = drv.outputs.out!;
      return sha256(`fixed:out:${out.hashAlgo}:${out.hash}:${out.path}`);
    }
    const inputs: Record<string, string[]> = {};
    for (const [drvPath, outputs] of Object.entries(drv.inputDrvs)) {
      const key = this.hashModuloOfPath(drvPath).hex;
      // Two fixed-output inputs with the same hash collapse into one entry, as in Nix.
      inputs[key] = [...new Set([...(inputs[key] ?? []), ...outputs])];
    }
    return sha256(unparseDerivation(drv, { maskOutputs, inputDrvs: inputs }));
  }

  hashModuloOfPath(drvPath: string): Hash {
    let h = this.cache.get(drvPath);
    if (h === undefined) {
      h = this.hashModulo(this.load(drvPath), false);
      this.cache.set(drvPath, h);
    }
    return h;
  }

  /** Remember a derivation's hash when the caller already has it. */
  remember(drvPath: string, drv: Derivation): void {
    if (!this.cache.has(drvPath)) this.cache.set(drvPath, this.hashModulo(drv, false));
  }

  /**
   * Fill in the output paths of a derivation whose outputs are blank (or
   * already correct), set the env entries named after outputs, and return it
   * with its `.drv` path. Supplied paths that disagree are an error.
   */
  finalize(draft: Derivation): { drv: Derivation; drvPath: string; text: string } {
    checkStoreName(draft.name);
    const ids = Object.keys(draft.outputs);
    if (ids.length === 0) {
      throw new InvalidDerivationError(
        `The derivation '${draft.name}' has no outputs; give it at least 'out'.`,
      );
    }
    for (const id of ids) checkStoreName(id === "out" ? draft.name : `${draft.name}-${id}`);
    const drv: Derivation = {
      ...draft,
      outputs: Object.fromEntries(ids.map((id) => [id, { ...draft.outputs[id]! }])),
      env: { ...draft.env },
    };
    const fixed = ids.filter(
      (id) => drv.outputs[id]!.hash !== "" || drv.outputs[id]!.hashAlgo !== "",
    );
    let computed: Record<string, string>;
    if (fixed.length > 0) {
      if (ids.length !== 1 || ids[0] !== "out") {
        throw new InvalidDerivationError(
          `The derivation '${drv.name}' has a fixed output hash, so it must have exactly one output, ` +
            `named 'out'; it has ${ids.map((i) => `'${i}'`).join(", ")}.`,
        );
      }
      const out = drv.outputs.out!;
      const { method, algo } = parseHashAlgoField(out.hashAlgo);
      const hash = parseHash(out.hash, algo);
      out.hash = hash.hex;
      computed = { out: makeFixedOutputPath(drv.name, method, hash, this.storeDir) };
    } else {
      for (const id of ids) {
        drv.outputs[id]!.path = "";
        drv.env[id] = "";
      }
      const modulo = this.hashModulo(drv, true);
      computed = Object.fromEntries(
        ids.map((id) => [id, makeOutputPath(id, modulo, drv.name, this.storeDir)]),
      );
    }
    for (const id of ids) {
      const given = draft.outputs[id]!.path;
      if (given !== "" && given !== computed[id]) {
        throw new InvalidDerivationError(
          `The output '${id}' of '${drv.name}' is given as ${given}, but its inputs hash to ` +
            `${computed[id]}. Leave output paths empty and xpkgs computes them.`,
        );
      }
      const givenEnv = draft.env[id];
      if (givenEnv !== undefined && givenEnv !== "" && givenEnv !== computed[id]) {
        throw new InvalidDerivationError(
          `The environment variable '${id}' of '${drv.name}' is ${givenEnv}, but the output '${id}' ` +
            `is ${computed[id]}. Leave it empty and xpkgs fills it in.`,
        );
      }
      drv.outputs[id]!.path = computed[id]!;
      drv.env[id] = computed[id]!;
    }
    const text = unparseDerivation(drv);
    const drvPath = makeTextPath(
      `${drv.name}.drv`,
      sha256(text),
      drvReferences(drv),
      this.storeDir,
    );
    this.remember(drvPath, drv);
    return { drv, drvPath, text };
  }
}
