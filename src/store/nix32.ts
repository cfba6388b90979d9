/**
 * Nix's base-32: a 32-letter alphabet without e, o, u and t, read from the
 * last 5-bit group to the first.
 */
export const nix32Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

export function nix32Encode(bytes: Uint8Array): string {
  const len = Math.ceil((bytes.length * 8) / 5);
  let out = "";
  for (let n = len - 1; n >= 0; n--) {
    const bit = n * 5;
    const i = Math.floor(bit / 8);
    const j = bit % 8;
    const lo = bytes[i]! >> j;
    const hi = i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0;
    out += nix32Alphabet[(lo | hi) & 0x1f];
  }
  return out;
}

/** Decode `text` into `size` bytes; null when it is not valid nix32 of that size. */
export function nix32Decode(text: string, size: number): Uint8Array | null {
  if (text.length !== Math.ceil((size * 8) / 5)) return null;
  const out = new Uint8Array(size);
  for (let n = 0; n < text.length; n++) {
    const digit = nix32Alphabet.indexOf(text[text.length - 1 - n]!);
    if (digit < 0) return null;
    const bit = n * 5;
    const i = Math.floor(bit / 8);
    const j = bit % 8;
    out[i]! |= (digit << j) & 0xff;
    const carry = digit >> (8 - j);
    if (i + 1 < size) out[i + 1]! |= carry;
    else if (carry !== 0) return null;
  }
  return out;
}
