/**
 * A derivation: a pure value that says how to build some store paths. It is
 * what a `.drv` file holds. Everything here is plain data.
 */

export interface DerivationOutput {
  /** The output's store path; empty while it is being computed. */
  path: string;
  /** For fixed outputs: `sha256` (flat) or `r:sha256` (recursive); otherwise empty. */
  hashAlgo: string;
  /** For fixed outputs: the expected hash in lowercase hex; otherwise empty. */
  hash: string;
}

export interface Derivation {
  /** The name of the `.drv` without `.drv`, and of the `out` output. */
  name: string;
  outputs: Record<string, DerivationOutput>;
  /** Input derivation paths, each with the outputs this derivation uses. */
  inputDrvs: Record<string, string[]>;
  /** Store paths that are inputs as they are (sources, scripts). */
  inputSrcs: string[];
  system: string;
  builder: string;
  args: string[];
  env: Record<string, string>;
}

/** True when the derivation has one output `out` whose content hash is fixed in advance. */
export function isFixedOutput(drv: Derivation): boolean {
  const ids = Object.keys(drv.outputs);
  return ids.length === 1 && ids[0] === "out" && drv.outputs.out!.hash !== "";
}

/** The store paths a `.drv` file refers to: its input sources and input derivations. */
export function drvReferences(drv: Derivation): string[] {
  return [...new Set([...drv.inputSrcs, ...Object.keys(drv.inputDrvs)])];
}
