/**
 * Debian's control-file format (deb822): paragraphs separated by blank
 * lines, `Field: value` lines, continuation lines starting with a space.
 */
export type Paragraph = Map<string, string>;

export function* paragraphs(text: string): Generator<Paragraph> {
  let p: Paragraph = new Map();
  let last: string | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (p.size > 0) yield p;
      p = new Map();
      last = null;
    } else if ((line.startsWith(" ") || line.startsWith("\t")) && last !== null) {
      p.set(last, `${p.get(last)!}\n${line.slice(1)}`);
    } else if (!line.startsWith("#")) {
      const i = line.indexOf(":");
      if (i <= 0) continue;
      last = line.slice(0, i);
      p.set(last, line.slice(i + 1).trim());
    }
  }
  if (p.size > 0) yield p;
}

/** Whether an architecture restriction (`[linux-any]`, `[!hurd-any kfreebsd-any]`) admits Linux. */
function forLinux(arches: string | undefined): boolean {
  if (arches === undefined) return true;
  const list = arches.split(/\s+/).filter(Boolean);
  const negated = list.filter((a) => a.startsWith("!")).map((a) => a.slice(1));
  const positive = list.filter((a) => !a.startsWith("!"));
  const linuxish = (a: string) =>
    a === "any" || a === "linux-any" || a.startsWith("linux-") || !a.includes("-");
  if (negated.some((a) => a === "linux-any" || a === "any")) return false;
  return positive.length === 0 || positive.some(linuxish);
}

/** A relationship field (Build-Depends) as package names, alternatives, versions and arch lists dropped. */
export function relationNames(field: string | undefined): string[][] {
  if (field === undefined) return [];
  return field
    .split(",")
    .map((item) =>
      item
        .split("|")
        .filter((alt) => forLinux(/\[(.*?)\]/.exec(alt)?.[1]))
        .map((alt) =>
          alt
            .replace(/\(.*?\)|\[.*?\]|<.*?>/g, "")
            .trim()
            .split(":")[0]!
            .trim(),
        )
        .filter((n) => n !== ""),
    )
    .filter((alts) => alts.length > 0);
}
