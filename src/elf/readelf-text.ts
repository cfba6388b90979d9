/** Text helpers shared by the readelf views. */

/** GNU readelf's `print_symbol`: at most `width` characters, cut with `[...]` unless wide; a negative width pads. */
export function printSymbol(width: number, name: string, wide: boolean): string {
  if (width === 0) return "";
  const pad = width < 0;
  const w = Math.abs(width);
  let text = "";
  for (const ch of name) {
    const c = ch.charCodeAt(0);
    text += c < 0x20 || c === 0x7f ? `^${String.fromCharCode((c + 0x40) & 0x7f)}` : ch;
  }
  if (!wide && name.length > w) {
    const keep = Math.max(0, w - 5);
    let out = "";
    let n = 0;
    for (const ch of name) {
      const c = ch.charCodeAt(0);
      const piece = c < 0x20 || c === 0x7f ? `^${String.fromCharCode((c + 0x40) & 0x7f)}` : ch;
      if (n + piece.length > keep) break;
      out += piece;
      n += piece.length;
    }
    text = `${out}[...]`;
  }
  return pad && text.length < w ? text.padEnd(w) : text;
}
