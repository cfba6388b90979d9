/**
 * An ELF reader over a DataView: the file header, program headers, the
 * interpreter and the dynamic section. Every read is bounds-checked; a bad
 * file gets an ElfFormatError naming what was bad and where. Nothing here
 * imports the rest of xpkgs.
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

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;

export const ET_EXEC = 2;
export const ET_DYN = 3;

/** e_machine values and their names, as file(1) writes them. */
export const machineNames: Readonly<Record<number, string>> = {
  2: "SPARC",
  3: "Intel 80386",
  4: "Motorola m68k",
  8: "MIPS",
  20: "PowerPC",
  21: "64-bit PowerPC",
  22: "IBM S/390",
  40: "ARM",
  43: "SPARC V9",
  62: "x86-64",
  183: "ARM aarch64",
  195: "ARCompact",
  243: "UCB RISC-V",
  258: "LoongArch",
  0x9026: "Alpha",
};

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface ElfFile {
  class: 32 | 64;
  endianness: "little" | "big";
  type: number;
  machine: number;
  flags: number;
  entry: number;
  programHeaders: ProgramHeader[];
  interpreter: string | null;
  needed: string[];
  soname: string | null;
  runpath: string | null;
  rpath: string | null;
}

class Reader {
  constructor(
    readonly view: DataView,
    readonly little: boolean,
    readonly is64: boolean,
  ) {}
  check(offset: number, size: number, what: string): void {
    if (
      !Number.isSafeInteger(offset) ||
      offset < 0 ||
      size < 0 ||
      offset + size > this.view.byteLength
    ) {
      throw new ElfFormatError(
        `${what} lies outside the file (${this.view.byteLength} bytes)`,
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
  addr(o: number, what: string): number {
    if (!this.is64) return this.u32(o, what);
    this.check(o, 8, what);
    const v = this.view.getBigUint64(o, this.little);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError(`${what} is too large`, o);
    return Number(v);
  }
  cstring(o: number, limit: number, what: string): string {
    this.check(o, 0, what);
    const end = Math.min(this.view.byteLength, limit);
    let i = o;
    while (i < end && this.view.getUint8(i) !== 0) i++;
    if (i >= end) throw new ElfFormatError(`${what} is not NUL-terminated`, o);
    return Buffer.from(this.view.buffer, this.view.byteOffset + o, i - o).toString("utf8");
  }
}

export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x7f &&
    bytes[1] === 0x45 &&
    bytes[2] === 0x4c &&
    bytes[3] === 0x46
  );
}

export function parseElf(bytes: Uint8Array): ElfFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isElf(bytes)) throw new ElfFormatError("the magic number is not \\x7fELF", 0);
  if (bytes.length < 16) throw new ElfFormatError("the identification bytes are truncated", 4);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2)
    throw new ElfFormatError(`EI_CLASS is ${cls}, neither 1 (32-bit) nor 2 (64-bit)`, 4);
  if (data !== 1 && data !== 2)
    throw new ElfFormatError(`EI_DATA is ${data}, neither 1 (LSB) nor 2 (MSB)`, 5);
  const r = new Reader(view, data === 1, cls === 2);
  const is64 = cls === 2;
  const type = r.u16(16, "e_type");
  const machine = r.u16(18, "e_machine");
  const entry = r.addr(24, "e_entry");
  const phoff = r.addr(is64 ? 32 : 28, "e_phoff");
  const flags = r.u32(is64 ? 48 : 36, "e_flags");
  const phentsize = r.u16(is64 ? 54 : 42, "e_phentsize");
  const phnum = r.u16(is64 ? 56 : 44, "e_phnum");
  const minEnt = is64 ? 56 : 32;
  if (phnum > 0 && phentsize < minEnt)
    throw new ElfFormatError(`e_phentsize ${phentsize} is below ${minEnt}`, is64 ? 54 : 42);
  r.check(phoff, phnum * phentsize, "the program header table");
  const programHeaders: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    programHeaders.push(
      is64
        ? {
            type: r.u32(o, "p_type"),
            flags: r.u32(o + 4, "p_flags"),
            offset: r.addr(o + 8, "p_offset"),
            vaddr: r.addr(o + 16, "p_vaddr"),
            filesz: r.addr(o + 32, "p_filesz"),
            memsz: r.addr(o + 40, "p_memsz"),
          }
        : {
            type: r.u32(o, "p_type"),
            offset: r.addr(o + 4, "p_offset"),
            vaddr: r.addr(o + 8, "p_vaddr"),
            filesz: r.addr(o + 16, "p_filesz"),
            memsz: r.addr(o + 20, "p_memsz"),
            flags: r.u32(o + 24, "p_flags"),
          },
    );
  }
  let interpreter: string | null = null;
  const interp = programHeaders.find((p) => p.type === PT_INTERP);
  if (interp !== undefined) {
    r.check(interp.offset, interp.filesz, "PT_INTERP");
    interpreter = r.cstring(interp.offset, interp.offset + interp.filesz, "the interpreter path");
  }
  const result: ElfFile = {
    class: is64 ? 64 : 32,
    endianness: data === 1 ? "little" : "big",
    type,
    machine,
    flags,
    entry,
    programHeaders,
    interpreter,
    needed: [],
    soname: null,
    runpath: null,
    rpath: null,
  };
  const dyn = programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (dyn === undefined) return result;
  r.check(dyn.offset, dyn.filesz, "PT_DYNAMIC");
  const entSize = is64 ? 16 : 8;
  const entries: { tag: number; val: number; at: number }[] = [];
  for (let o = dyn.offset; o + entSize <= dyn.offset + dyn.filesz; o += entSize) {
    const tag = is64 ? Number(view.getBigInt64(o, r.little)) : view.getInt32(o, r.little);
    if (tag === DT_NULL) break;
    entries.push({ tag, val: r.addr(o + entSize / 2, "a dynamic entry"), at: o });
  }
  const strtabAddr = entries.find((e) => e.tag === DT_STRTAB);
  if (strtabAddr === undefined) return result;
  // DT_STRTAB is a virtual address: map it to a file offset through PT_LOAD.
  const seg = programHeaders.find(
    (p) => p.type === PT_LOAD && strtabAddr.val >= p.vaddr && strtabAddr.val < p.vaddr + p.filesz,
  );
  if (seg === undefined)
    throw new ElfFormatError("DT_STRTAB points outside every loaded segment", strtabAddr.at);
  const strtab = seg.offset + (strtabAddr.val - seg.vaddr);
  const strsz = entries.find((e) => e.tag === DT_STRSZ)?.val ?? seg.offset + seg.filesz - strtab;
  const str = (e: { val: number; at: number }) => {
    if (e.val >= strsz) throw new ElfFormatError("a dynamic string offset is past DT_STRSZ", e.at);
    return r.cstring(strtab + e.val, strtab + strsz, "a dynamic string");
  };
  for (const e of entries) {
    if (e.tag === DT_NEEDED) result.needed.push(str(e));
    else if (e.tag === DT_SONAME) result.soname = str(e);
    else if (e.tag === DT_RUNPATH) result.runpath = str(e);
    else if (e.tag === DT_RPATH) result.rpath = str(e);
  }
  return result;
}

/** Whether the file is statically linked: no interpreter and no dynamic section. */
export function isStaticallyLinked(elf: ElfFile): boolean {
  return elf.interpreter === null && !elf.programHeaders.some((p) => p.type === PT_DYNAMIC);
}
