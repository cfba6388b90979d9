/**
 * An ELF reader over a DataView: ELF32 and ELF64, either byte order. It reads
 * the file header, the program and section headers (with their names), the
 * interpreter and the dynamic section eagerly; notes, symbols and symbol
 * versions on demand, from the same bytes, copying nothing. Every read is
 * bounds-checked: a bad file gets an ElfFormatError naming what was bad and
 * where. Nothing here imports the rest of xpkgs.
 */
import {
  DT_FLAGS,
  DT_FLAGS_1,
  DT_NEEDED,
  DT_NULL,
  DT_RPATH,
  DT_RUNPATH,
  DT_SONAME,
  DT_STRSZ,
  DT_STRTAB,
  PT_DYNAMIC,
  PT_INTERP,
  PT_LOAD,
  SHT_DYNAMIC,
  SHT_NOBITS,
  SHT_NULL,
} from "./constants.js";
import { ElfFormatError, Reader } from "./reader.js";

export * from "./constants.js";
export { ElfFormatError } from "./reader.js";

/** The 64-bit fields of a header, exact (the number fields are rounded above 2^53). */
export interface ProgramHeaderExact {
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
  exact: ProgramHeaderExact;
}

export interface SectionHeaderExact {
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  addralign: bigint;
  entsize: bigint;
}

export interface SectionHeader {
  index: number;
  name: string;
  nameOffset: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  exact: SectionHeaderExact;
}

export interface DynamicEntry {
  tag: bigint;
  value: bigint;
  /** File offset of the entry. */
  at: number;
}

export interface ElfFile {
  /** The bytes parsed; later reads (notes, symbols) come from here. */
  readonly bytes: Uint8Array;
  class: 32 | 64;
  endianness: "little" | "big";
  /** EI_OSABI and EI_ABIVERSION. */
  osabi: number;
  abiVersion: number;
  /** e_version. */
  version: number;
  type: number;
  machine: number;
  flags: number;
  /** e_entry, rounded above 2^53; `entryExact` is exact. */
  entry: number;
  entryExact: bigint;
  phoff: number;
  shoff: number;
  ehsize: number;
  phentsize: number;
  shentsize: number;
  /** The section count (from section 0's sh_size when e_shnum overflows). */
  shnum: number;
  shstrndx: number;
  programHeaders: ProgramHeader[];
  sections: SectionHeader[];
  interpreter: string | null;
  /** The dynamic section's entries, up to DT_NULL; empty when static. */
  dynamic: DynamicEntry[];
  /** File offset of the dynamic string table, or null. */
  dynstrOffset: number | null;
  dynstrSize: number;
  needed: string[];
  soname: string | null;
  runpath: string | null;
  rpath: string | null;
  /** DT_FLAGS and DT_FLAGS_1 (0 when absent). */
  dtFlags: number;
  dtFlags1: number;
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

/** A reader over the parsed file, in its class and byte order. */
export function readerOf(elf: ElfFile): Reader {
  const b = elf.bytes;
  return new Reader(
    new DataView(b.buffer, b.byteOffset, b.byteLength),
    elf.endianness === "little",
    elf.class === 64,
  );
}

/** The file offset of a virtual address, through the PT_LOAD segment that maps it; null if none does. */
export function offsetOfAddress(
  elf: ElfFile,
  addr: number | bigint,
  size: number | bigint = 1,
): number | null {
  const a = BigInt(addr);
  const n = BigInt(size);
  for (const p of elf.programHeaders) {
    if (p.type !== PT_LOAD) continue;
    const { vaddr, filesz, offset } = p.exact;
    if (a >= vaddr && a + n <= vaddr + filesz) {
      const o = offset + (a - vaddr);
      return o <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(o) : null;
    }
  }
  return null;
}

function readProgramHeaders(r: Reader, phoff: number, phnum: number, phentsize: number) {
  const is64 = r.is64;
  const minEnt = is64 ? 56 : 32;
  if (phnum > 0 && phentsize < minEnt) {
    throw new ElfFormatError(`e_phentsize ${phentsize} is below ${minEnt}`, is64 ? 54 : 42);
  }
  r.check(phoff, phnum * phentsize, "the program header table");
  const out: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (is64) {
      const exact: ProgramHeaderExact = {
        offset: r.u64big(o + 8, "p_offset"),
        vaddr: r.u64big(o + 16, "p_vaddr"),
        paddr: r.u64big(o + 24, "p_paddr"),
        filesz: r.u64big(o + 32, "p_filesz"),
        memsz: r.u64big(o + 40, "p_memsz"),
        align: r.u64big(o + 48, "p_align"),
      };
      out.push({
        type: r.u32(o, "p_type"),
        flags: r.u32(o + 4, "p_flags"),
        offset: Number(exact.offset),
        vaddr: Number(exact.vaddr),
        paddr: Number(exact.paddr),
        filesz: Number(exact.filesz),
        memsz: Number(exact.memsz),
        align: Number(exact.align),
        exact,
      });
    } else {
      const p = {
        type: r.u32(o, "p_type"),
        offset: r.u32(o + 4, "p_offset"),
        vaddr: r.u32(o + 8, "p_vaddr"),
        paddr: r.u32(o + 12, "p_paddr"),
        filesz: r.u32(o + 16, "p_filesz"),
        memsz: r.u32(o + 20, "p_memsz"),
        flags: r.u32(o + 24, "p_flags"),
        align: r.u32(o + 28, "p_align"),
      };
      out.push({
        ...p,
        exact: {
          offset: BigInt(p.offset),
          vaddr: BigInt(p.vaddr),
          paddr: BigInt(p.paddr),
          filesz: BigInt(p.filesz),
          memsz: BigInt(p.memsz),
          align: BigInt(p.align),
        },
      });
    }
  }
  return out;
}

function readSectionHeader(r: Reader, o: number, index: number): SectionHeader {
  const w = r.is64 ? 8 : 4;
  // name, type, flags, addr, offset, size, link, info, addralign, entsize
  const flagsAt = o + 8;
  const addrAt = flagsAt + w;
  const offsetAt = addrAt + w;
  const sizeAt = offsetAt + w;
  const linkAt = sizeAt + w;
  const exact: SectionHeaderExact = {
    flags: r.wordBig(flagsAt, "sh_flags"),
    addr: r.wordBig(addrAt, "sh_addr"),
    offset: r.wordBig(offsetAt, "sh_offset"),
    size: r.wordBig(sizeAt, "sh_size"),
    addralign: r.wordBig(linkAt + 8, "sh_addralign"),
    entsize: r.wordBig(linkAt + 8 + w, "sh_entsize"),
  };
  return {
    index,
    name: "",
    nameOffset: r.u32(o, "sh_name"),
    type: r.u32(o + 4, "sh_type"),
    flags: Number(exact.flags),
    addr: Number(exact.addr),
    offset: Number(exact.offset),
    size: Number(exact.size),
    link: r.u32(linkAt, "sh_link"),
    info: r.u32(linkAt + 4, "sh_info"),
    addralign: Number(exact.addralign),
    entsize: Number(exact.entsize),
    exact,
  };
}

function readSections(
  r: Reader,
  shoff: number,
  shnumField: number,
  shentsize: number,
  shstrndxField: number,
): { sections: SectionHeader[]; shnum: number; shstrndx: number } {
  if (shoff === 0) return { sections: [], shnum: 0, shstrndx: 0 };
  const minEnt = r.is64 ? 64 : 40;
  if (shentsize < minEnt) {
    throw new ElfFormatError(`e_shentsize ${shentsize} is below ${minEnt}`, r.is64 ? 58 : 46);
  }
  let shnum = shnumField;
  let shstrndx = shstrndxField;
  if (shnum === 0 || shstrndx === 0xffff) {
    // Extended numbering: section 0 holds the real count and string table index.
    const zero = readSectionHeader(r, shoff, 0);
    if (shnum === 0) shnum = zero.size;
    if (shstrndx === 0xffff) shstrndx = zero.link;
  }
  r.check(shoff, shnum * shentsize, "the section header table");
  const sections: SectionHeader[] = [];
  for (let i = 0; i < shnum; i++) sections.push(readSectionHeader(r, shoff + i * shentsize, i));
  const names = shstrndx < sections.length ? sections[shstrndx] : undefined;
  if (names !== undefined && names.type !== SHT_NOBITS && names.type !== SHT_NULL) {
    r.check(names.offset, names.size, "the section name table");
    for (const s of sections) {
      if (s.nameOffset >= names.size) {
        throw new ElfFormatError(
          `section ${s.index}'s name offset ${s.nameOffset} is past the name table (${names.size} bytes)`,
          shoff + s.index * shentsize,
        );
      }
      s.name = r.cstring(names.offset + s.nameOffset, names.offset + names.size, "a section name");
    }
  }
  return { sections, shnum, shstrndx };
}

export function parseElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes)) throw new ElfFormatError("the magic number is not \\x7fELF", 0);
  if (bytes.length < 16) throw new ElfFormatError("the identification bytes are truncated", 4);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) {
    throw new ElfFormatError(`EI_CLASS is ${cls}, neither 1 (32-bit) nor 2 (64-bit)`, 4);
  }
  if (data !== 1 && data !== 2) {
    throw new ElfFormatError(`EI_DATA is ${data}, neither 1 (LSB) nor 2 (MSB)`, 5);
  }
  const is64 = cls === 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(view, data === 1, is64);
  r.check(0, is64 ? 64 : 52, "the file header");
  const w = is64 ? 8 : 4;
  const phoffAt = 24 + w;
  const shoffAt = phoffAt + w;
  const flagsAt = shoffAt + w;
  const phoff = r.word(phoffAt, "e_phoff");
  const shoff = r.word(shoffAt, "e_shoff");
  const phentsize = r.u16(flagsAt + 6, "e_phentsize");
  const phnum = r.u16(flagsAt + 8, "e_phnum");
  const shentsize = r.u16(flagsAt + 10, "e_shentsize");
  const programHeaders = readProgramHeaders(r, phoff, phnum, phentsize);
  const { sections, shnum, shstrndx } = readSections(
    r,
    shoff,
    r.u16(flagsAt + 12, "e_shnum"),
    shentsize,
    r.u16(flagsAt + 14, "e_shstrndx"),
  );
  const elf: ElfFile = {
    bytes,
    class: is64 ? 64 : 32,
    endianness: data === 1 ? "little" : "big",
    osabi: bytes[7]!,
    abiVersion: bytes[8]!,
    version: r.u32(20, "e_version"),
    type: r.u16(16, "e_type"),
    machine: r.u16(18, "e_machine"),
    flags: r.u32(flagsAt, "e_flags"),
    entry: r.wordRounded(24, "e_entry"),
    entryExact: r.wordBig(24, "e_entry"),
    phoff,
    shoff,
    ehsize: r.u16(flagsAt + 4, "e_ehsize"),
    phentsize,
    shentsize,
    shnum,
    shstrndx,
    programHeaders,
    sections,
    interpreter: null,
    dynamic: [],
    dynstrOffset: null,
    dynstrSize: 0,
    needed: [],
    soname: null,
    runpath: null,
    rpath: null,
    dtFlags: 0,
    dtFlags1: 0,
  };
  const interp = programHeaders.find((p) => p.type === PT_INTERP);
  if (interp !== undefined && interp.filesz === 0) {
    // Separate debug files keep PT_INTERP but not its bytes.
    elf.interpreter = "";
  } else if (interp !== undefined) {
    r.check(interp.offset, interp.filesz, "PT_INTERP");
    elf.interpreter = r.cstring(
      interp.offset,
      interp.offset + interp.filesz,
      "the interpreter path",
    );
  }
  readDynamic(elf, r);
  return elf;
}

/** Where the dynamic section is: PT_DYNAMIC (as the loader finds it), else the SHT_DYNAMIC section. */
function dynamicExtent(elf: ElfFile): { offset: number; size: number } | null {
  const seg = elf.programHeaders.find((p) => p.type === PT_DYNAMIC);
  if (seg !== undefined) return { offset: seg.offset, size: seg.filesz };
  const sec = elf.sections.find((s) => s.type === SHT_DYNAMIC);
  if (sec !== undefined) return { offset: sec.offset, size: sec.size };
  return null;
}

function readDynamic(elf: ElfFile, r: Reader): void {
  const ext = dynamicExtent(elf);
  if (ext === null) return;
  r.check(ext.offset, ext.size, "the dynamic section");
  const entSize = r.is64 ? 16 : 8;
  for (let o = ext.offset; o + entSize <= ext.offset + ext.size; o += entSize) {
    const tag = r.sword(o, "d_tag");
    elf.dynamic.push({ tag, value: r.wordBig(o + entSize / 2, "d_val"), at: o });
    if (tag === BigInt(DT_NULL)) break;
  }
  const get = (t: number) => elf.dynamic.find((e) => e.tag === BigInt(t));
  elf.dtFlags = Number((get(DT_FLAGS)?.value ?? 0n) & 0xffffffffn);
  elf.dtFlags1 = Number((get(DT_FLAGS_1)?.value ?? 0n) & 0xffffffffn);
  const strtab = get(DT_STRTAB);
  if (strtab === undefined) return;
  const strsz = get(DT_STRSZ);
  const size = strsz !== undefined && strsz.value < BigInt(r.size) ? Number(strsz.value) : null;
  // DT_STRTAB is a virtual address: map it through PT_LOAD; an object without
  // segments (or a prelinked oddity) falls back to the dynamic section's sh_link.
  let offset = offsetOfAddress(elf, strtab.value, size ?? 1);
  let limit = size;
  if (offset === null) {
    const dynSec = elf.sections.find((s) => s.type === SHT_DYNAMIC);
    const linked = dynSec !== undefined ? elf.sections[dynSec.link] : undefined;
    if (linked === undefined) {
      throw new ElfFormatError("DT_STRTAB points outside every loaded segment", strtab.at);
    }
    offset = linked.offset;
    limit = linked.size;
  }
  if (limit === null) {
    const seg = elf.programHeaders.find(
      (p) => p.type === PT_LOAD && offset! >= p.offset && offset! < p.offset + p.filesz,
    );
    limit = seg !== undefined ? seg.offset + seg.filesz - offset : 0;
  }
  r.check(offset, limit, "the dynamic string table");
  elf.dynstrOffset = offset;
  elf.dynstrSize = limit;
  for (const e of elf.dynamic) {
    const t = Number(e.tag);
    if (t !== DT_NEEDED && t !== DT_SONAME && t !== DT_RUNPATH && t !== DT_RPATH) continue;
    const s = dynamicString(elf, r, e);
    if (t === DT_NEEDED) elf.needed.push(s);
    else if (t === DT_SONAME) elf.soname = s;
    else if (t === DT_RUNPATH) elf.runpath = s;
    else elf.rpath = s;
  }
}

/** The string a dynamic entry's value points at in the dynamic string table. */
export function dynamicString(elf: ElfFile, r: Reader, e: DynamicEntry): string {
  if (elf.dynstrOffset === null) {
    throw new ElfFormatError("a dynamic entry names a string, but there is no DT_STRTAB", e.at);
  }
  if (e.value >= BigInt(elf.dynstrSize)) {
    throw new ElfFormatError("a dynamic string offset is past the string table", e.at);
  }
  const start = elf.dynstrOffset + Number(e.value);
  return r.cstring(start, elf.dynstrOffset + elf.dynstrSize, "a dynamic string");
}

/** Whether the file is statically linked: no interpreter and no dynamic section. */
export function isStaticallyLinked(elf: ElfFile): boolean {
  return elf.interpreter === null && !elf.programHeaders.some((p) => p.type === PT_DYNAMIC);
}

/** A section by name, or undefined. */
export function sectionNamed(elf: ElfFile, name: string): SectionHeader | undefined {
  return elf.sections.find((s) => s.name === name);
}
