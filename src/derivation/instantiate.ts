/** Writing computed derivations into the store as registered `.drv` files, inputs first. */
import type { Store } from "../store/store.js";
import { drvReferences } from "./derivation.js";
import type { FinalDerivation } from "./graph.js";

export function writeDerivations(store: Store, closure: FinalDerivation[]): void {
  for (const d of closure) {
    const path = store.addText(`${d.drv.name}.drv`, d.text, drvReferences(d.drv));
    if (path !== d.drvPath) {
      throw new Error(`internal: ${d.drvPath} was written as ${path}`);
    }
  }
}
