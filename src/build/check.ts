/**
 * `xpkgs build --check`: rebuild derivations whose outputs are valid, into a
 * scratch store, and compare NAR hashes with what is registered.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";
import { readDerivationFile } from "../derivation/drv-file.js";
import { narHashOf } from "../store/nar.js";
import { type Store, removeTree, tempPathIn } from "../store/store.js";
import { buildDerivation } from "./builder.js";
import type { Reporter } from "./scheduler.js";
import { mkdirSync } from "node:fs";

/** Relative paths of files whose type, mode or bytes differ between two trees (the first few). */
export function differingFiles(a: string, b: string, limit = 10): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    if (out.length >= limit) return;
    const pa = join(a, rel);
    const pb = join(b, rel);
    let sa, sb;
    try {
      sa = lstatSync(pa);
      sb = lstatSync(pb);
    } catch {
      out.push(rel || ".");
      return;
    }
    if (sa.isDirectory() && sb.isDirectory()) {
      const names = new Set([...readdirSync(pa), ...readdirSync(pb)]);
      for (const n of [...names].sort()) walk(rel === "" ? n : `${rel}/${n}`);
      return;
    }
    if (
      sa.mode !== sb.mode ||
      sa.isFile() !== sb.isFile() ||
      (sa.isFile() && !readFileSync(pa).equals(readFileSync(pb)))
    ) {
      out.push(rel || ".");
    }
  };
  walk("");
  return out;
}

export async function checkDerivation(
  store: Store,
  drvPaths: string[],
  opts: { cores: number; reporter: Reporter },
): Promise<string[]> {
  const reports: string[] = [];
  for (const drvPath of drvPaths) {
    const drv = readDerivationFile(drvPath);
    for (const o of Object.values(drv.outputs)) {
      if (!store.isValid(o.path)) {
        throw new XpkgsError(
          `--check rebuilds valid outputs only, and ${o.path} is not built yet. Build it first.`,
        );
      }
    }
    const scratch = tempPathIn(store.storeDir, "check");
    mkdirSync(scratch);
    try {
      opts.reporter.started(drvPath, drv.name, "build");
      await buildDerivation(store, drvPath, drv, readDerivationFile, {
        cores: opts.cores,
        keepOutputsIn: scratch,
      });
      opts.reporter.finished(drvPath, drv.name, null);
      const kept = (id: string) => join(scratch, id);
      for (const [id, o] of Object.entries(drv.outputs)) {
        const registered = store.info(o.path)!.narHash;
        const rebuilt = `sha256:${narHashOf(kept(id)).narHash.nix32}`;
        if (registered === rebuilt) {
          reports.push(`reproducible: ${o.path}`);
        } else {
          const diff = differingFiles(o.path, kept(id));
          reports.push(
            `NOT reproducible: ${o.path}\n  registered ${registered}\n  rebuilt    ${rebuilt}\n` +
              `  differing files: ${diff.join(", ")}`,
          );
        }
      }
    } finally {
      removeTree(scratch);
    }
  }
  return reports;
}
