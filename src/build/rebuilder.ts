/**
 * Where a derivation's outputs come from: already valid, substituted from a
 * binary cache, or built here. The scheduler asks this once per derivation
 * while it plans, and only orders the work (Build Systems à la Carte: the
 * rebuilder decides, the scheduler orders).
 */
import type { Derivation } from "../derivation/derivation.js";
import type { Hit, Substituters } from "../cache/substitute.js";
import type { Store } from "../store/store.js";

export type Origin =
  | { kind: "valid" }
  | { kind: "substitute"; hits: Map<string, Hit>; from: string[] }
  | { kind: "build" };

export async function originOf(
  store: Store,
  drv: Derivation,
  subs: Substituters | null,
  warn: (line: string) => void,
): Promise<Origin> {
  const outputs = Object.values(drv.outputs).map((o) => o.path);
  const invalid = outputs.filter((o) => !store.isValid(o));
  if (invalid.length === 0) return { kind: "valid" };
  if (subs === null) return { kind: "build" };
  const { hits, missing } = await subs.closure(store, invalid);
  if (missing.length === 0) {
    const from = [...new Set(invalid.map((o) => hits.get(o)!.cache.url))];
    return { kind: "substitute", hits, from };
  }
  // A cache that had the path but failed a check is worth a word; one that lacks it is not.
  for (const m of missing)
    if (subs.refusals.has(m))
      warn(`warning: not substituting ${m}: ${subs.explain(m)} Building it instead.`);
  return { kind: "build" };
}
