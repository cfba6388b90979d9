/** Helpers for the build tests: a throwaway store and hand-written derivations. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Derivation } from "../derivation/derivation.js";
import { DerivationGraph } from "../derivation/graph.js";
import { writeDerivations } from "../derivation/instantiate.js";
import { Store } from "../store/store.js";

export interface TestStore {
  root: string;
  env: Record<string, string>;
  store: Store;
  graph: DerivationGraph;
  /** Add a derivation (and its inputs) to the store; returns its .drv path and outputs. */
  add(drv: Derivation): { drvPath: string; out: string; outputs: Record<string, string> };
}

export function makeTestStore(cacheDir?: string): TestStore {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-build-"));
  const storeDir = join(root, "store");
  const stateDir = join(root, "var");
  const env: Record<string, string> = {
    XPKGS_STORE_DIR: storeDir,
    XPKGS_STATE_DIR: stateDir,
    XPKGS_CACHE_DIR: cacheDir ?? join(root, "cache"),
  };
  const store = new Store({ storeDir, stateDir });
  const graph = new DerivationGraph(storeDir);
  return {
    root,
    env,
    store,
    graph,
    add(drv) {
      const final = graph.add(drv);
      writeDerivations(store, graph.closure(final.drvPath), graph);
      const outputs = Object.fromEntries(
        Object.entries(final.drv.outputs).map(([id, o]) => [id, o.path]),
      );
      return { drvPath: final.drvPath, out: outputs.out ?? "", outputs };
    },
  };
}

/** A derivation whose builder is `sh -c script`, with /usr/bin on PATH. */
export function shellDerivation(
  name: string,
  script: string,
  opts: {
    inputs?: Record<string, { drvPath: string; out: string }>;
    outputs?: string[];
    fixed?: { hashAlgo: string; hash: string };
  } = {},
): Derivation {
  const outputs = opts.outputs ?? ["out"];
  const env: Record<string, string> = {
    name,
    builder: "/bin/sh",
    system: "x86_64-linux",
    PATH: "/usr/bin:/bin",
  };
  const inputDrvs: Record<string, string[]> = {};
  for (const [key, input] of Object.entries(opts.inputs ?? {})) {
    env[key] = input.out;
    inputDrvs[input.drvPath] = ["out"];
  }
  for (const o of outputs) env[o] = "";
  return {
    name,
    outputs: Object.fromEntries(
      outputs.map((o) => [
        o,
        { path: "", hashAlgo: opts.fixed?.hashAlgo ?? "", hash: opts.fixed?.hash ?? "" },
      ]),
    ),
    inputDrvs,
    inputSrcs: [],
    system: "x86_64-linux",
    builder: "/bin/sh",
    args: ["-c", `set -eu\n${script}`],
    env,
  };
}
