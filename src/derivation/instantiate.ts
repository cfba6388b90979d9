/** Writing computed derivations (and their text sources) into the store as registered files, inputs first. */
import type { Store } from "../store/store.js";
import { drvReferences } from "./derivation.js";
import type { DerivationGraph, FinalDerivation } from "./graph.js";

export function writeDerivations(
  store: Store,
  closure: FinalDerivation[],
  graph?: DerivationGraph,
): void {
  for (const d of closure) {
    for (const src of d.drv.inputSrcs) {
      const text = graph?.texts.get(src);
      if (text !== undefined && !store.isValid(src)) {
        const written = store.addText(text.name, text.content, []);
        if (written !== src) throw new Error(`internal: ${src} was written as ${written}`);
      }
    }
    const path = store.addText(`${d.drv.name}.drv`, d.text, drvReferences(d.drv));
    if (path !== d.drvPath) {
      throw new Error(`internal: ${d.drvPath} was written as ${path}`);
    }
  }
}
