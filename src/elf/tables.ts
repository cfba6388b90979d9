/**
 * The tables of an ELF file that are read on demand: notes, symbols, and
 * symbol versions (what a file needs, what it defines). Each read is
 * bounds-checked, and every chain is walked a bounded number of steps.
 */
import {
  NT_GNU_ABI_TAG,
  NT_GNU_BUILD_ID,
  PT_NOTE,
  SHT_DYNSYM,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
  SHT_GNU_VERSYM,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_SYMTAB,
} from "./constants.js";
import { type ElfFile, type SectionHeader, readerOf } from "./parse.js";
import { ElfFormatError, type Reader } from "./reader.js";

export interface Note {
  owner: string;
  type: number;
  /** File offset and size of the descriptor. */
  descOffset: number;
  descSize: number;
  /** The section it came from, or null when read through PT_NOTE. */
  section: string | null;
  /** File offset and size of the section or segment it came from. */
  areaOffset: number;
  areaSize: number;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function notesIn(
  r: Reader,
  offset: number,
  size: number,
  alignment: number,
  section: string | null,
) {
  r.check(offset, size, "a note area");
  const a = alignment === 8 ? 8 : 4;
  const out: Note[] = [];
  let o = offset;
  const end = offset + size;
  while (o + 12 <= end) {
    const namesz = r.u32(o, "n_namesz");
    const descsz = r.u32(o + 4, "n_descsz");
    const type = r.u32(o + 8, "n_type");
    const nameAt = o + 12;
    const descAt = align(nameAt + namesz, a);
    if (nameAt + namesz > end || descAt + descsz > end) {
      throw new ElfFormatError(`a note's name or descriptor runs past its area`, o);
    }
    const owner = namesz === 0 ? "" : r.cstring(nameAt, nameAt + namesz, "a note's owner");
    out.push({
      owner,
      type,
      descOffset: descAt,
      descSize: descsz,
      section,
      areaOffset: offset,
      areaSize: size,
    });
    o = align(descAt + descsz, a);
  }
  return out;
}

/** The notes of the file: from its SHT_NOTE sections, or from PT_NOTE when it has no sections. */
export function readNotes(elf: ElfFile): Note[] {
  const r = readerOf(elf);
  const sections = elf.sections.filter((s) => s.type === SHT_NOTE);
  if (elf.sections.length > 0) {
    return sections.flatMap((s) => notesIn(r, s.offset, s.size, s.addralign, s.name));
  }
  return elf.programHeaders
    .filter((p) => p.type === PT_NOTE)
    .flatMap((p) => notesIn(r, p.offset, p.filesz, p.align, null));
}

/** The notes as GNU readelf finds them: from the SHT_NOTE sections, else from PT_NOTE. */
export function readelfNotes(elf: ElfFile): Note[] {
  const r = readerOf(elf);
  const sections = elf.sections.filter((s) => s.type === SHT_NOTE);
  if (sections.length > 0) {
    return sections.flatMap((s) => notesIn(r, s.offset, s.size, s.addralign, s.name));
  }
  return elf.programHeaders
    .filter((p) => p.type === PT_NOTE)
    .flatMap((p) => notesIn(r, p.offset, p.filesz, p.align, null));
}

export function noteDesc(elf: ElfFile, n: Note): Uint8Array {
  return readerOf(elf).bytes(n.descOffset, n.descSize, "a note descriptor");
}

/** The GNU build ID, in hex, or null. */
export function buildId(elf: ElfFile, notes = readNotes(elf)): string | null {
  const n = notes.find((x) => x.owner === "GNU" && x.type === NT_GNU_BUILD_ID);
  return n === undefined ? null : Buffer.from(noteDesc(elf, n)).toString("hex");
}

export const abiTagOs: Readonly<Record<number, string>> = {
  0: "Linux",
  1: "Hurd",
  2: "Solaris",
  3: "kFreeBSD",
  4: "kNetBSD",
};

/** The GNU ABI tag: the OS and the oldest kernel the file runs on, or null. */
export function abiTag(
  elf: ElfFile,
  notes = readNotes(elf),
): { os: number; version: [number, number, number] } | null {
  const n = notes.find((x) => x.owner === "GNU" && x.type === NT_GNU_ABI_TAG && x.descSize >= 16);
  if (n === undefined) return null;
  const r = readerOf(elf);
  const at = n.descOffset;
  return {
    os: r.u32(at, "the ABI tag"),
    version: [
      r.u32(at + 4, "the ABI tag"),
      r.u32(at + 8, "the ABI tag"),
      r.u32(at + 12, "the ABI tag"),
    ],
  };
}

export interface ElfSymbol {
  index: number;
  name: string;
  /** st_name: the name's offset in the string table. */
  nameOffset: number;
  value: bigint;
  size: bigint;
  /** STT_* (low nibble of st_info). */
  type: number;
  /** STB_* (high nibble of st_info). */
  bind: number;
  /** STV_* (low two bits of st_other). */
  visibility: number;
  other: number;
  shndx: number;
  /** For dynamic symbols with version information: `GLIBC_2.34`, and whether it is hidden (@ vs @@). */
  version?: { name: string; index: number; hidden: boolean; needed: boolean } | undefined;
}

function stringAt(
  r: Reader,
  table: SectionHeader | undefined,
  offset: number,
  what: string,
): string {
  if (table === undefined || table.type === SHT_NOBITS) return "";
  r.check(table.offset, table.size, `${what}'s string table`);
  if (offset >= table.size)
    throw new ElfFormatError(`${what}'s name is past its string table`, table.offset);
  return r.cstring(table.offset + offset, table.offset + table.size, what);
}

/** The symbols of a SHT_SYMTAB or SHT_DYNSYM section. */
export function readSymbols(elf: ElfFile, section: SectionHeader): ElfSymbol[] {
  const r = readerOf(elf);
  const is64 = elf.class === 64;
  const entsize = is64 ? 24 : 16;
  if (section.type === SHT_NOBITS) return [];
  r.check(section.offset, section.size, `the symbol table ${section.name}`);
  const count = Math.floor(section.size / entsize);
  const strtab = elf.sections[section.link];
  const versions = section.type === SHT_DYNSYM ? symbolVersionNames(elf) : null;
  const versym =
    versions !== null ? elf.sections.find((s) => s.type === SHT_GNU_VERSYM) : undefined;
  const out: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const o = section.offset + i * entsize;
    const nameOff = r.u32(o, "st_name");
    const info = r.u8(is64 ? o + 4 : o + 12, "st_info");
    const other = r.u8(is64 ? o + 5 : o + 13, "st_other");
    const shndx = r.u16(is64 ? o + 6 : o + 14, "st_shndx");
    const value = is64 ? r.u64big(o + 8, "st_value") : BigInt(r.u32(o + 4, "st_value"));
    const size = is64 ? r.u64big(o + 16, "st_size") : BigInt(r.u32(o + 8, "st_size"));
    const sym: ElfSymbol = {
      index: i,
      name: stringAt(r, strtab, nameOff, "a symbol"),
      nameOffset: nameOff,
      value,
      size,
      type: info & 0xf,
      bind: info >> 4,
      visibility: other & 3,
      other,
      shndx,
    };
    if (
      versym !== undefined &&
      versions !== null &&
      i > 0 &&
      versym.offset + 2 * i + 2 <= versym.offset + versym.size
    ) {
      const v = r.u16(versym.offset + 2 * i, "a symbol version index");
      const idx = v & 0x7fff;
      const named = versions.get(idx);
      if (idx > 1 && named !== undefined) {
        sym.version = {
          name: named.name,
          index: idx,
          hidden: (v & 0x8000) !== 0,
          needed: named.needed,
        };
      }
    }
    out.push(sym);
  }
  return out;
}

export function symbolTables(elf: ElfFile): SectionHeader[] {
  return elf.sections.filter((s) => s.type === SHT_SYMTAB || s.type === SHT_DYNSYM);
}

export interface VersionNeed {
  /** The library the versions come from: `libc.so.6`. */
  file: string;
  /** vn_version and vn_cnt. */
  version: number;
  count: number;
  /** `at`: file offset of the Elf_Vernaux entry. */
  versions: { name: string; hash: number; flags: number; index: number; at: number }[];
  /** File offset of the Elf_Verneed entry. */
  at: number;
}

export interface VersionDef {
  index: number;
  /** vd_version and vd_cnt. */
  version: number;
  count: number;
  flags: number;
  hash: number;
  /** The defined name first, then its parents. */
  names: string[];
  /** File offsets of the Elf_Verdaux entries of `names`. */
  namesAt: number[];
  at: number;
}

/** Walks a vn_next/vd_next chain, at most `limit` steps, refusing to leave the section. */
function* chain(
  r: Reader,
  s: SectionHeader,
  nextAt: number,
  limit: number,
  what: string,
): Generator<number> {
  let o = s.offset;
  for (let i = 0; i < limit; i++) {
    if (o < s.offset || o + 16 > s.offset + s.size) {
      throw new ElfFormatError(`${what} lies outside its section`, o);
    }
    yield o;
    const next = r.u32(o + nextAt, what);
    if (next === 0) return;
    o += next;
  }
}

/** The versions the file needs from each library (SHT_GNU_verneed). */
export function readVersionNeeds(elf: ElfFile): VersionNeed[] {
  const s = elf.sections.find((x) => x.type === SHT_GNU_VERNEED);
  if (s === undefined) return [];
  const r = readerOf(elf);
  r.check(s.offset, s.size, "the version needs");
  const strtab = elf.sections[s.link];
  const out: VersionNeed[] = [];
  const limit = Math.max(1, s.info || s.size / 16);
  for (const o of chain(r, s, 12, limit, "a version need")) {
    const cnt = r.u16(o + 2, "vn_cnt");
    const need: VersionNeed = {
      file: stringAt(r, strtab, r.u32(o + 4, "vn_file"), "a version need"),
      version: r.u16(o, "vn_version"),
      count: cnt,
      versions: [],
      at: o,
    };
    let a = o + r.u32(o + 8, "vn_aux");
    for (let j = 0; j < cnt; j++) {
      if (a < s.offset || a + 16 > s.offset + s.size) {
        throw new ElfFormatError("a version need's auxiliary entry lies outside its section", a);
      }
      need.versions.push({
        hash: r.u32(a, "vna_hash"),
        flags: r.u16(a + 4, "vna_flags"),
        index: r.u16(a + 6, "vna_other"),
        name: stringAt(r, strtab, r.u32(a + 8, "vna_name"), "a needed version"),
        at: a,
      });
      const next = r.u32(a + 12, "vna_next");
      if (next === 0) break;
      a += next;
    }
    out.push(need);
  }
  return out;
}

/** The versions the file defines (SHT_GNU_verdef). */
export function readVersionDefs(elf: ElfFile): VersionDef[] {
  const s = elf.sections.find((x) => x.type === SHT_GNU_VERDEF);
  if (s === undefined) return [];
  const r = readerOf(elf);
  r.check(s.offset, s.size, "the version definitions");
  const strtab = elf.sections[s.link];
  const out: VersionDef[] = [];
  const limit = Math.max(1, s.info || s.size / 20);
  for (const o of chain(r, s, 16, limit, "a version definition")) {
    const cnt = r.u16(o + 6, "vd_cnt");
    const def: VersionDef = {
      version: r.u16(o, "vd_version"),
      count: cnt,
      namesAt: [],
      flags: r.u16(o + 2, "vd_flags"),
      index: r.u16(o + 4, "vd_ndx"),
      hash: r.u32(o + 8, "vd_hash"),
      names: [],
      at: o,
    };
    let a = o + r.u32(o + 12, "vd_aux");
    for (let j = 0; j < cnt; j++) {
      if (a < s.offset || a + 8 > s.offset + s.size) {
        throw new ElfFormatError("a version definition's name lies outside its section", a);
      }
      def.names.push(stringAt(r, strtab, r.u32(a, "vda_name"), "a defined version"));
      def.namesAt.push(a);
      const next = r.u32(a + 4, "vda_next");
      if (next === 0) break;
      a += next;
    }
    out.push(def);
  }
  return out;
}

/** Version index → name, from both the needs and the definitions. */
export function symbolVersionNames(elf: ElfFile): Map<number, { name: string; needed: boolean }> {
  const m = new Map<number, { name: string; needed: boolean }>();
  for (const d of readVersionDefs(elf)) {
    if (d.names[0] !== undefined) m.set(d.index, { name: d.names[0], needed: false });
  }
  for (const n of readVersionNeeds(elf)) {
    for (const v of n.versions) m.set(v.index & 0x7fff, { name: v.name, needed: true });
  }
  return m;
}

/** A dynamic symbol's version as GNU readelf shows it: `@@V` (public), `@V` (hidden), `@V (n)` (needed). */
export interface SymbolVersion {
  name: string;
  kind: "public" | "hidden" | "needed";
  /** The version index (vna_other for a needed version). */
  index: number;
}

/** The symbol versions of the dynamic symbols, looked up as GNU readelf looks them up. */
export function symbolVersioning(elf: ElfFile): {
  of: (s: ElfSymbol) => SymbolVersion | null;
  needByIndex: (v: number) => string | undefined;
  defByIndex: (v: number) => string | undefined;
} {
  const versym = elf.sections.find((x) => x.type === SHT_GNU_VERSYM);
  const defs = readVersionDefs(elf);
  const needs = readVersionNeeds(elf);
  const r = readerOf(elf);
  const defByIndex = (v: number) => defs.find((d) => d.index === v)?.names[0];
  const needAux = (v: number) => {
    for (const n of needs) for (const a of n.versions) if (a.index === v) return a;
    return undefined;
  };
  const of = (s: ElfSymbol): SymbolVersion | null => {
    if (versym === undefined || versym.type === SHT_NOBITS) return null;
    const at = versym.offset + 2 * s.index;
    if (at + 2 > versym.offset + versym.size) return null;
    const raw = r.u16(at, "a symbol version");
    if (raw === 0) return null;
    const hidden = (raw & 0x8000) !== 0;
    if (s.shndx !== 0 && raw !== 0x8001 && defs.length > 0) {
      const d = defs.find((x) => x.index === (raw & 0x7fff));
      if (d !== undefined) {
        if (d.index === 1 && d.flags === 1) return null;
        // The symbol that names the version itself is shown without it.
        if (d.names[0] !== undefined && d.names[0] !== s.name) {
          return { name: d.names[0], kind: hidden ? "hidden" : "public", index: d.index };
        }
        if (d.names[0] !== undefined) return null;
      }
    }
    const a = needAux(raw & 0x7fff);
    if (a !== undefined) return { name: a.name, kind: "needed", index: a.index };
    return null;
  };
  return { of, needByIndex: (v) => needAux(v)?.name, defByIndex };
}
