/**
 * Derivations computed in memory, each finalised once, so that derivations
 * depending on them hash without touching the store.
 */
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
  private readonly hasher: DerivationHasher;

  constructor(readonly storeDir: string) {
    const fromStore = storeDerivationLoader(storeDir);
    this.hasher = new DerivationHasher(storeDir, (p) => this.byPath.get(p)?.drv ?? fromStore(p));
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
