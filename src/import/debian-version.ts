/**
 * Debian's version order (deb-version(7)): epoch, then the upstream version, then the
 * Debian revision, each compared part by part, non-digits (letters before other
 * characters, `~` before everything, even the end) alternating with numbers.
 */

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === "~") return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** Compares one part (upstream or revision) as dpkg does. */
function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // The non-digit run, character by character.
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const x = i < a.length && !/\d/.test(a[i]!) ? a[i] : undefined;
      const y = j < b.length && !/\d/.test(b[j]!) ? b[j] : undefined;
      const d = order(x) - order(y);
      if (d !== 0) return d < 0 ? -1 : 1;
      if (x !== undefined) i++;
      if (y !== undefined) j++;
    }
    // The digit run, as a number (leading zeros do not count).
    let m = i;
    while (m < a.length && /\d/.test(a[m]!)) m++;
    let n = j;
    while (n < b.length && /\d/.test(b[n]!)) n++;
    const x = a.slice(i, m).replace(/^0+/, "");
    const y = b.slice(j, n).replace(/^0+/, "");
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
    i = m;
    j = n;
  }
  return 0;
}

function split(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(":");
  const hasEpoch = colon > 0 && /^\d+$/.test(v.slice(0, colon));
  const epoch = hasEpoch ? Number(v.slice(0, colon)) : 0;
  const rest = hasEpoch ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf("-");
  return dash < 0
    ? { epoch, upstream: rest, revision: "" }
    : { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) };
}

/** Negative when `a` is older than `b`, positive when newer, 0 when the same version. */
export function compareDebianVersions(a: string, b: string): number {
  const x = split(a);
  const y = split(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return comparePart(x.upstream, y.upstream) || comparePart(x.revision, y.revision);
}
