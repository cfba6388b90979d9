/**
 * Bounds-checked reads over a DataView of an ELF file, in the file's byte
 * order and class. Every read names what it reads, so that a bad offset
 * becomes an ElfFormatError saying what was bad and where.
 */

export class ElfFormatError extends Error {
  override name = "ElfFormatError";
  constructor(
    readonly what: string,
    readonly offset: number,
  ) {
    super(`not a valid ELF file: ${what} (at byte offset ${offset})`);
  }
}

export class Reader {
  readonly size: number;
  constructor(
    readonly view: DataView,
    readonly little: boolean,
    readonly is64: boolean,
  ) {
    this.size = view.byteLength;
  }

  check(offset: number, size: number, what: string): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(size) ||
      offset < 0 ||
      size < 0 ||
      offset + size > this.size
    ) {
      throw new ElfFormatError(
        `${what} (${size} bytes) lies outside the file (${this.size} bytes)`,
        offset,
      );
    }
  }
  u8(o: number, what: string): number {
    this.check(o, 1, what);
    return this.view.getUint8(o);
  }
  u16(o: number, what: string): number {
    this.check(o, 2, what);
    return this.view.getUint16(o, this.little);
  }
  u32(o: number, what: string): number {
    this.check(o, 4, what);
    return this.view.getUint32(o, this.little);
  }
  i32(o: number, what: string): number {
    this.check(o, 4, what);
    return this.view.getInt32(o, this.little);
  }
  u64big(o: number, what: string): bigint {
    this.check(o, 8, what);
    return this.view.getBigUint64(o, this.little);
  }
  /** A 64-bit value that must fit a JavaScript number (offsets, sizes, addresses). */
  u64(o: number, what: string): number {
    const v = this.u64big(o, what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfFormatError(`${what} (0x${v.toString(16)}) is too large`, o);
    }
    return Number(v);
  }
  /**
   * A 64-bit value as a number, rounded when it is above 2^53 (an ia64 address such as
   * 0x4000000000000040): the exact value is `u64big`'s. A rounded offset or size fails
   * `check`, so it can never be used to read.
   */
  u64rounded(o: number, what: string): number {
    return Number(this.u64big(o, what));
  }
  /** A word of the file's class: 4 bytes in ELF32, 8 in ELF64. */
  word(o: number, what: string): number {
    return this.is64 ? this.u64(o, what) : this.u32(o, what);
  }
  /** A word of the file's class as a number, rounded above 2^53 (see `u64rounded`). */
  wordRounded(o: number, what: string): number {
    return this.is64 ? this.u64rounded(o, what) : this.u32(o, what);
  }
  /** A word of the file's class, as a bigint (dynamic values, symbol values). */
  wordBig(o: number, what: string): bigint {
    return this.is64 ? this.u64big(o, what) : BigInt(this.u32(o, what));
  }
  /** A signed word of the file's class (dynamic tags). */
  sword(o: number, what: string): bigint {
    this.check(o, this.is64 ? 8 : 4, what);
    return this.is64
      ? this.view.getBigInt64(o, this.little)
      : BigInt(this.view.getInt32(o, this.little));
  }
  /** A NUL-terminated string starting at `o` that must end before `limit`. */
  cstring(o: number, limit: number, what: string): string {
    this.check(o, 0, what);
    const end = Math.min(this.size, limit);
    let i = o;
    while (i < end && this.view.getUint8(i) !== 0) i++;
    if (i >= end) throw new ElfFormatError(`${what} is not NUL-terminated`, o);
    return Buffer.from(this.view.buffer, this.view.byteOffset + o, i - o).toString("latin1");
  }
  bytes(o: number, n: number, what: string): Uint8Array {
    this.check(o, n, what);
    return new Uint8Array(this.view.buffer, this.view.byteOffset + o, n);
  }
}
