/**
 * The base of every error that xpkgs shows to a user. Its message is the whole
 * story: what went wrong and how to fix it. The CLI prints it without a stack
 * trace unless `--debug` is given; anything that is not an XpkgsError is a bug.
 */
export class XpkgsError extends Error {
  override name = "XpkgsError";
}

/** The closest names to `wanted` among `known`, best first, for "did you mean" hints. */
export function closestNames(wanted: string, known: Iterable<string>, max = 3): string[] {
  const scored: { name: string; distance: number }[] = [];
  const w = wanted.toLowerCase();
  for (const name of known) {
    const n = name.toLowerCase();
    let distance = editDistance(w, n);
    // A name that contains what was typed is a good guess even when much longer.
    const shorter = Math.min(n.length, w.length);
    const longer = Math.max(n.length, w.length);
    if ((n.includes(w) || w.includes(n)) && shorter >= 3 && shorter * 2 >= longer) {
      distance = Math.min(distance, 1);
    }
    scored.push({ name, distance });
  }
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return scored
    .filter((s) => s.distance <= limit)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** " Did you mean a, b or c?" or the empty string. */
export function didYouMean(wanted: string, known: Iterable<string>): string {
  const names = closestNames(wanted, known);
  if (names.length === 0) return "";
  const quoted = names.map((n) => `'${n}'`);
  const last = quoted.pop();
  return ` Did you mean ${quoted.length > 0 ? `${quoted.join(", ")} or ${last}` : last}?`;
}

/** Levenshtein distance with transpositions counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i]![0] = i;
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
