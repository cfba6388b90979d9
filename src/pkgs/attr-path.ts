import { XpkgsError } from "../errors.js";

export class AttrPathError extends XpkgsError {
  override name = "AttrPathError";
}

/** Split `pkgsCross.aarch64-multiplatform.pkgsStatic.hello` at its dots; quoted parts keep theirs. */
export function parseAttrPath(text: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (c === "." && !quoted) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  if (quoted || parts.some((p) => p === "")) {
    throw new AttrPathError(
      `'${text}' is not an attribute path: write names separated by single dots, ` +
        `such as 'pkgsCross.aarch64-multiplatform.pkgsStatic.hello'.`,
    );
  }
  return parts;
}
