/**
 * Derivations computed in memory, each finalised once, so that derivations
 * depending on them hash without touching the store.
 */
import { sha256 } from "../store/hash.js";
import { makeTextPath } from "../store/store-path.js";
import type { Derivation } from "./derivation.js";
import { DerivationHasher } from "./hash.js";
import { storeDerivationLoader } from "./drv-file.js";

export interface FinalDerivation {
  drvPath: string;
  drv: Derivation;
  /** The `.drv` text. */
  text: string;
}

export class DerivationGraph {
  readonly byPath = new Map<string, FinalDerivation>();
  /** Text sources (scripts such as setup.sh) by store path. */
  readonly texts = new Map<string, { name: string; content: string }>();
  private readonly hasher: DerivationHasher;
  /** Paths of texts already added, by name and content: setup.sh is added by every derivation. */
  private readonly textPaths = new Map<string, Map<string, string>>();

  constructor(readonly storeDir: string) {
    const fromStore = storeDerivationLoader(storeDir);
    this.hasher = new DerivationHasher(storeDir, (p) => this.byPath.get(p)?.drv ?? fromStore(p));
  }

  /** A text file as a store source, named as Nix names `builtins.toFile` paths. */
  addText(name: string, content: string): string {
    let byContent = this.textPaths.get(name);
    if (byContent === undefined) this.textPaths.set(name, (byContent = new Map()));
    const known = byContent.get(content);
    if (known !== undefined) return known;
    const path = makeTextPath(name, sha256(content), [], this.storeDir);
    this.texts.set(path, { name, content });
    byContent.set(content, path);
    return path;
  }

  add(draft: Derivation): FinalDerivation {
    const final = this.hasher.finalize(draft);
    const known = this.byPath.get(final.drvPath);
    if (known !== undefined) return known;
    this.byPath.set(final.drvPath, final);
    return final;
  }

  /** A derivation and every derivation it depends on, inputs first. */
  closure(drvPath: string): FinalDerivation[] {
    const seen = new Set<string>();
    const order: FinalDerivation[] = [];
    const visit = (p: string): void => {
      if (seen.has(p)) return;
      seen.add(p);
      const d = this.byPath.get(p);
      if (d === undefined) return;
      for (const input of Object.keys(d.drv.inputDrvs)) visit(input);
      order.push(d);
    };
    visit(drvPath);
    return order;
  }
}
