/**
 * patchelf's edits, on bytes: the interpreter, RPATH/RUNPATH, NEEDED and
 * SONAME. What fits is written in place. What does not goes into a new
 * read-write PT_LOAD segment appended to the file (a new .interp, a grown
 * .dynstr, a grown .dynamic), and every pointer to the moved data is fixed:
 * PT_INTERP, PT_DYNAMIC, DT_STRTAB/DT_STRSZ and the section headers.
 *
 * The new segment needs a program header. patchelf grows the program header
 * table, moving sections to make room; this module instead re-purposes one
 * PT_NOTE entry (preferring the one PT_GNU_PROPERTY duplicates), which
 * leaves the PHDR table, and so AT_PHDR, where the kernel expects it. The
 * loader does not need PT_NOTE; the notes stay in the file and in their
 * sections. A file without a PT_NOTE cannot grow, and says so.
 */
import { join } from "node:path";
import {
  DT_NEEDED,
  DT_NULL,
  DT_RPATH,
  DT_RUNPATH,
  DT_SONAME,
  DT_STRSZ,
  DT_STRTAB,
  PT_DYNAMIC,
  PT_GNU_PROPERTY,
  PT_INTERP,
  PT_LOAD,
  PT_NOTE,
  SHT_DYNSYM,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
} from "./constants.js";
import { type ElfFile, type ProgramHeader, dynamicString, parseElf, readerOf } from "./parse.js";
import { compatibleElf } from "./ldd.js";
import { readVersionNeeds } from "./tables.js";

/** An edit that cannot be made to this file; the message says why and what to do. */
export class ElfEditError extends Error {
  override name = "ElfEditError";
}

export interface PatchOptions {
  setInterpreter?: string;
  setRpath?: string;
  addRpath?: string;
  removeRpath?: boolean;
  /** Keep only the RPATH directories that hold a NEEDED library; `fileDir` expands $ORIGIN. */
  shrinkRpath?: { fileDir: string; allowedPrefixes?: string[] };
  /** Set DT_RPATH instead of DT_RUNPATH (patchelf's --force-rpath). */
  forceRpath?: boolean;
  addNeeded?: string[];
  removeNeeded?: string[];
  replaceNeeded?: [string, string][];
  setSoname?: string;
}

interface Entry {
  tag: bigint;
  value: bigint;
  /** For string-valued tags: the string, resolved or new. */
  str?: string;
}

const stringTags = new Set([DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH].map(BigInt));

function needsDynamic(elf: ElfFile, what: string): void {
  if (elf.dynamic.length === 0) {
    throw new ElfEditError(
      `cannot ${what}: the file has no dynamic section (it is statically linked).`,
    );
  }
}

/** The dynamic entries after the edits, strings resolved. */
function editedEntries(elf: ElfFile, o: PatchOptions): Entry[] {
  const r = readerOf(elf);
  let entries: Entry[] = elf.dynamic
    .filter((e) => e.tag !== BigInt(DT_NULL))
    .map((e) => (stringTags.has(e.tag) ? { ...e, str: dynamicString(elf, r, e) } : { ...e }));
  const rpathTags = [BigInt(DT_RPATH), BigInt(DT_RUNPATH)];
  const current = () =>
    entries.find((e) => e.tag === BigInt(DT_RUNPATH)) ??
    entries.find((e) => e.tag === BigInt(DT_RPATH));
  if (o.removeRpath === true) entries = entries.filter((e) => !rpathTags.includes(e.tag));
  const setRpath = (path: string) => {
    const wanted = BigInt(o.forceRpath === true ? DT_RPATH : DT_RUNPATH);
    const cur = current();
    if (cur !== undefined) {
      cur.tag = wanted;
      cur.str = path;
      entries = entries.filter((e) => e === cur || !rpathTags.includes(e.tag));
    } else {
      // patchelf puts a new entry first; so do we, so that both files read the same.
      entries.unshift({ tag: wanted, value: 0n, str: path });
    }
  };
  if (o.setRpath !== undefined) setRpath(o.setRpath);
  if (o.addRpath !== undefined) {
    const cur = current()?.str ?? "";
    setRpath(cur === "" ? o.addRpath : `${cur}:${o.addRpath}`);
  }
  if (o.shrinkRpath !== undefined) {
    const cur = current();
    if (cur?.str !== undefined) {
      const needed = entries.filter((e) => e.tag === BigInt(DT_NEEDED)).map((e) => e.str!);
      const kept = cur.str.split(":").filter((dir) => {
        if (dir === "") return false;
        const real = dir.replace(/\$(ORIGIN|\{ORIGIN\})/g, o.shrinkRpath!.fileDir);
        const prefixes = o.shrinkRpath!.allowedPrefixes;
        if (prefixes !== undefined && !prefixes.some((p) => dir.startsWith(p))) return true;
        return needed.some((n) => compatibleElf(join(real, n), elf) !== null);
      });
      cur.str = kept.join(":");
    }
  }
  for (const name of o.removeNeeded ?? []) {
    entries = entries.filter((e) => !(e.tag === BigInt(DT_NEEDED) && e.str === name));
  }
  for (const [from, to] of o.replaceNeeded ?? []) {
    for (const e of entries) if (e.tag === BigInt(DT_NEEDED) && e.str === from) e.str = to;
  }
  const added = (o.addNeeded ?? []).filter(
    (n) => !entries.some((e) => e.tag === BigInt(DT_NEEDED) && e.str === n),
  );
  entries = [...added.map((n) => ({ tag: BigInt(DT_NEEDED), value: 0n, str: n })), ...entries];
  if (o.setSoname !== undefined) {
    const cur = entries.find((e) => e.tag === BigInt(DT_SONAME));
    if (cur !== undefined) cur.str = o.setSoname;
    else entries.unshift({ tag: BigInt(DT_SONAME), value: 0n, str: o.setSoname });
  }
  return entries;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * The old RPATH/RUNPATH string's place in the string table, when it may be
 * overwritten: no other name (dynamic entry, symbol, version) starts inside it
 * (linkers share string tails). Null when there is none, or when the symbols
 * cannot be read to be sure.
 */
function rpathSlot(elf: ElfFile, table: Buffer): { at: number; length: number } | null {
  const own = elf.dynamic.filter((e) => e.tag === BigInt(DT_RUNPATH) || e.tag === BigInt(DT_RPATH));
  if (own.length !== 1) return null;
  const at = Number(own[0]!.value);
  if (at <= 0 || at >= table.length) return null;
  const end = table.indexOf(0, at);
  if (end === -1) return null;
  const names = stringOffsets(elf, own[0]!.at);
  if (names === null) return null;
  if (names.some((n) => n >= at && n < end)) return null;
  return { at, length: end - at };
}

/** Every dynamic string table offset the file names, but the dynamic entry at `except`; null if unsure. */
function stringOffsets(elf: ElfFile, except: number): number[] | null {
  const dynsym = elf.sections.find((s) => s.type === SHT_DYNSYM);
  if (dynsym === undefined || elf.sections.length === 0) return null;
  try {
    const r = readerOf(elf);
    const offsets: number[] = [];
    for (const e of elf.dynamic) {
      if (e.at !== except && stringTags.has(e.tag)) offsets.push(Number(e.value));
    }
    const entsize = elf.class === 64 ? 24 : 16;
    for (let o = dynsym.offset; o + entsize <= dynsym.offset + dynsym.size; o += entsize) {
      offsets.push(r.u32(o, "symbol name"));
    }
    for (const need of readVersionNeeds(elf)) {
      offsets.push(r.u32(need.at + 4, "version need file"));
      for (const v of need.versions) offsets.push(r.u32(v.at + 8, "version need name"));
    }
    const verdef = elf.sections.find((s) => s.type === SHT_GNU_VERDEF);
    if (verdef !== undefined) {
      let d = verdef.offset;
      for (let i = 0; i < 10000; i++) {
        const cnt = r.u16(d + 6, "version definition");
        let a = d + r.u32(d + 12, "version definition");
        for (let j = 0; j < cnt && j < 10000; j++) {
          offsets.push(r.u32(a, "version definition name"));
          const next = r.u32(a + 4, "version definition");
          if (next === 0) break;
          a += next;
        }
        const next = r.u32(d + 16, "version definition");
        if (next === 0) break;
        d += next;
      }
    }
    return offsets;
  } catch {
    return null;
  }
}

/** Where a string lives in the string table (a NUL-terminated match, possibly a suffix), or -1. */
function findString(table: Buffer, s: string): number {
  return table.indexOf(Buffer.from(`${s}\0`, "latin1"));
}

/** Applies the edits to `input` and returns the new file's bytes; the input is not changed. */
export function patchElf(input: Uint8Array, o: PatchOptions): Uint8Array {
  const elf = parseElf(input);
  const dynamicEdits =
    o.setRpath !== undefined ||
    o.addRpath !== undefined ||
    o.removeRpath === true ||
    o.shrinkRpath !== undefined ||
    (o.addNeeded ?? []).length > 0 ||
    (o.removeNeeded ?? []).length > 0 ||
    (o.replaceNeeded ?? []).length > 0 ||
    o.setSoname !== undefined;
  if (dynamicEdits) {
    needsDynamic(elf, "change the dynamic section");
    if (!elf.programHeaders.some((p) => p.type === PT_DYNAMIC)) {
      throw new ElfEditError(
        "cannot change the dynamic section: no PT_DYNAMIC program header maps it.",
      );
    }
    if (elf.dynstrOffset === null || !elf.dynamic.some((e) => e.tag === BigInt(DT_STRTAB))) {
      throw new ElfEditError(
        "cannot change the dynamic section: it has no string table (DT_STRTAB).",
      );
    }
  }
  const interpHeader = elf.programHeaders.find((p) => p.type === PT_INTERP);
  if (o.setInterpreter !== undefined && interpHeader === undefined) {
    throw new ElfEditError(
      "cannot set the interpreter: the file has none (no PT_INTERP; it is statically linked or a library).",
    );
  }
  const is64 = elf.class === 64;
  const little = elf.endianness === "little";
  let out = Buffer.from(input);

  // ---- strings: the old table, and what must be appended to it ---------------
  const oldStr =
    elf.dynstrOffset !== null
      ? Buffer.from(out.subarray(elf.dynstrOffset, elf.dynstrOffset + elf.dynstrSize))
      : Buffer.alloc(0);
  const entries = dynamicEdits ? editedEntries(elf, o) : [];
  const appended: Buffer[] = [];
  let appendedSize = 0;
  const offsetOf = (s: string): number => {
    const at = findString(oldStr, s);
    if (at !== -1) return at;
    let pos = oldStr.length;
    for (const b of appended) {
      const i = b.indexOf(Buffer.from(`${s}\0`, "latin1"));
      if (i !== -1 && i + s.length + 1 === b.length) return pos;
      pos += b.length;
    }
    const b = Buffer.from(`${s}\0`, "latin1");
    appended.push(b);
    appendedSize += b.length;
    return oldStr.length + appendedSize - b.length;
  };
  // The old RPATH/RUNPATH string takes a new one that is no longer in place (as patchelf does),
  // and is zeroed when nothing names it any more, so the file stops naming those folders.
  const slot = dynamicEdits ? rpathSlot(elf, oldStr) : null;
  let slotTaken = false;
  for (const e of entries) {
    if (e.str === undefined) continue;
    const isRpath = e.tag === BigInt(DT_RPATH) || e.tag === BigInt(DT_RUNPATH);
    if (
      isRpath &&
      slot !== null &&
      !slotTaken &&
      findString(oldStr, e.str) === -1 &&
      e.str.length <= slot.length
    ) {
      oldStr.fill(0, slot.at, slot.at + slot.length);
      oldStr.write(e.str, slot.at, "latin1");
      slotTaken = true;
      e.value = BigInt(slot.at);
    } else e.value = BigInt(offsetOf(e.str));
  }
  if (slot !== null && !slotTaken && !entries.some((e) => e.value === BigInt(slot.at))) {
    oldStr.fill(0, slot.at, slot.at + slot.length);
    slotTaken = true;
  }
  if (slotTaken) oldStr.copy(out, elf.dynstrOffset! + slot!.at, slot!.at, slot!.at + slot!.length);
  // Version needs name the library files too; a replaced NEEDED renames its vn_file.
  const vnFileEdits: { at: number; value: number }[] = [];
  if ((o.replaceNeeded ?? []).length > 0) {
    for (const need of readVersionNeeds(elf)) {
      const to = o.replaceNeeded!.find(([from]) => from === need.file)?.[1];
      if (to !== undefined) vnFileEdits.push({ at: need.at + 4, value: offsetOf(to) });
    }
    const verneed = elf.sections.find((s) => s.type === SHT_GNU_VERNEED);
    if (
      vnFileEdits.length > 0 &&
      verneed !== undefined &&
      elf.sections[verneed.link] === undefined
    ) {
      throw new ElfEditError("the version needs section does not link to a string table.");
    }
  }
  const stringsGrow = appendedSize > 0;

  // ---- what fits in place, and what must move -------------------------------------
  const entSize = is64 ? 16 : 8;
  const dynHeader = elf.programHeaders.find((p) => p.type === PT_DYNAMIC);
  const dynCapacity = dynHeader !== undefined ? Math.floor(dynHeader.filesz / entSize) : 0;
  const dynamicMoves = dynamicEdits && entries.length + 1 > dynCapacity;
  const interpBytes =
    o.setInterpreter !== undefined ? Buffer.from(`${o.setInterpreter}\0`, "latin1") : null;
  const interpMoves = interpBytes !== null && interpBytes.length > interpHeader!.filesz;

  const newStrTable = stringsGrow ? Buffer.concat([oldStr, ...appended]) : null;
  let segment: { offset: number; vaddr: number; parts: Buffer[]; size: number } | null = null;
  let strAt = { offset: 0, vaddr: 0 };
  let dynAt = { offset: 0, vaddr: 0 };
  let interpAt = { offset: 0, vaddr: 0 };
  if (stringsGrow || dynamicMoves || interpMoves) {
    const loads = elf.programHeaders.filter((p) => p.type === PT_LOAD);
    if (loads.length === 0) {
      throw new ElfEditError(
        "the new strings need a new segment, but the file has no PT_LOAD to follow.",
      );
    }
    const page = Math.max(0x1000, ...loads.map((p) => p.align));
    if (page > 0x1000000 || (page & (page - 1)) !== 0) {
      throw new ElfEditError(
        `a PT_LOAD alignment (0x${page.toString(16)}) is not a plausible page size.`,
      );
    }
    const offset = align(out.length, page);
    const vaddr = align(Math.max(...loads.map((p) => p.vaddr + p.memsz)), page);
    const parts: Buffer[] = [];
    let size = 0;
    const place = (b: Buffer) => {
      size = align(size, 8);
      const at = { offset: offset + size, vaddr: vaddr + size };
      parts.push(b);
      size += b.length;
      return at;
    };
    segment = { offset, vaddr, parts, size: 0 };
    const limit = is64 ? Number.MAX_SAFE_INTEGER : 0xffffffff;
    const placed: { at: { offset: number; vaddr: number }; b: Buffer }[] = [];
    const put = (b: Buffer) => {
      const at = place(b);
      placed.push({ at, b });
      return at;
    };
    if (interpMoves) interpAt = put(interpBytes!);
    if (newStrTable !== null) strAt = put(newStrTable);
    if (dynamicMoves) dynAt = put(Buffer.alloc((entries.length + 1) * entSize));
    segment.size = size;
    if (vaddr + size > limit || offset + size > limit) {
      throw new ElfEditError("the new segment would lie past the end of the address space.");
    }
    const grown = Buffer.alloc(offset + size);
    out.copy(grown);
    for (const p of placed) p.b.copy(grown, p.at.offset);
    out = grown;
  }

  const w32 = (at: number, v: number) =>
    little ? out.writeUInt32LE(v >>> 0, at) : out.writeUInt32BE(v >>> 0, at);
  const wWord = (at: number, v: number | bigint) => {
    if (is64) {
      const b = BigInt(v);
      if (little) out.writeBigUInt64LE(b, at);
      else out.writeBigUInt64BE(b, at);
    } else w32(at, Number(v));
  };
  const wSword = (at: number, v: bigint) => {
    if (is64) {
      if (little) out.writeBigInt64LE(v, at);
      else out.writeBigInt64BE(v, at);
    } else if (little) out.writeInt32LE(Number(v), at);
    else out.writeInt32BE(Number(v), at);
  };

  // ---- the dynamic section --------------------------------------------------------
  if (dynamicEdits) {
    const fixed = entries.map((e) => {
      if (segment !== null && newStrTable !== null && e.tag === BigInt(DT_STRTAB)) {
        return { ...e, value: BigInt(strAt.vaddr) };
      }
      if (newStrTable !== null && e.tag === BigInt(DT_STRSZ)) {
        return { ...e, value: BigInt(newStrTable.length) };
      }
      return e;
    });
    const base = dynamicMoves ? dynAt.offset : dynHeader!.offset;
    const slots = dynamicMoves ? entries.length + 1 : dynCapacity;
    for (let i = 0; i < slots; i++) {
      const e = fixed[i] ?? { tag: BigInt(DT_NULL), value: 0n };
      wSword(base + i * entSize, e.tag);
      wWord(base + i * entSize + entSize / 2, e.value);
    }
  } else if (newStrTable !== null) {
    // Only vn_file names grew the strings: point DT_STRTAB and DT_STRSZ at the new table.
    for (const e of elf.dynamic) {
      if (e.tag === BigInt(DT_STRTAB)) wWord(e.at + entSize / 2, strAt.vaddr);
      if (e.tag === BigInt(DT_STRSZ)) wWord(e.at + entSize / 2, newStrTable.length);
    }
  }
  for (const v of vnFileEdits) w32(v.at, v.value);

  // ---- the interpreter, in place ----------------------------------------------------
  if (interpBytes !== null && !interpMoves) {
    out.fill(0, interpHeader!.offset, interpHeader!.offset + interpHeader!.filesz);
    interpBytes.copy(out, interpHeader!.offset);
  }

  // ---- program headers ----------------------------------------------------------------
  const phdrs: ProgramHeader[] = elf.programHeaders.map((p) => ({ ...p }));
  const fixSegment = (type: number, at: { offset: number; vaddr: number }, size: number) => {
    const p = phdrs.find((x) => x.type === type)!;
    Object.assign(p, {
      offset: at.offset,
      vaddr: at.vaddr,
      paddr: at.vaddr,
      filesz: size,
      memsz: size,
    });
  };
  if (interpBytes !== null) {
    if (interpMoves) fixSegment(PT_INTERP, interpAt, interpBytes.length);
    else {
      const p = phdrs.find((x) => x.type === PT_INTERP)!;
      p.filesz = p.memsz = interpBytes.length;
    }
  }
  if (dynamicMoves) fixSegment(PT_DYNAMIC, dynAt, (entries.length + 1) * entSize);
  if (segment !== null) {
    const notes = phdrs.filter((p) => p.type === PT_NOTE);
    if (notes.length === 0) {
      throw new ElfEditError(
        "the new strings do not fit in place, and the file has no PT_NOTE program header to turn " +
          "into the new segment they need. Use a shorter string, or patchelf for this file.",
      );
    }
    const property = phdrs.find((p) => p.type === PT_GNU_PROPERTY);
    const victim =
      notes.find((n) => property !== undefined && n.offset === property.offset) ??
      notes[notes.length - 1]!;
    phdrs.splice(phdrs.indexOf(victim), 1);
    const load: ProgramHeader = {
      type: PT_LOAD,
      flags: 4 | 2, // R W: the loader writes DT_DEBUG into a moved .dynamic
      offset: segment.offset,
      vaddr: segment.vaddr,
      paddr: segment.vaddr,
      filesz: segment.size,
      memsz: segment.size,
      align: Math.max(0x1000, ...phdrs.filter((p) => p.type === PT_LOAD).map((p) => p.align)),
    };
    // PT_LOAD entries must stay sorted by address: the new one goes after the last.
    let lastLoad = -1;
    phdrs.forEach((p, i) => {
      if (p.type === PT_LOAD) lastLoad = i;
    });
    phdrs.splice(lastLoad + 1, 0, load);
  }
  phdrs.forEach((p, i) => {
    const at = elf.phoff + i * elf.phentsize;
    w32(at, p.type);
    if (is64) {
      w32(at + 4, p.flags);
      wWord(at + 8, p.offset);
      wWord(at + 16, p.vaddr);
      wWord(at + 24, p.paddr);
      wWord(at + 32, p.filesz);
      wWord(at + 40, p.memsz);
      wWord(at + 48, p.align);
    } else {
      w32(at + 4, p.offset);
      w32(at + 8, p.vaddr);
      w32(at + 12, p.paddr);
      w32(at + 16, p.filesz);
      w32(at + 20, p.memsz);
      w32(at + 24, p.flags);
      w32(at + 28, p.align);
    }
  });

  // ---- section headers of what moved ----------------------------------------------------
  const w = is64 ? 8 : 4;
  const moveSection = (name: string, at: { offset: number; vaddr: number }, size: number) => {
    const s = elf.sections.find((x) => x.name === name);
    if (s === undefined) return;
    const base = elf.shoff + s.index * elf.shentsize;
    wWord(base + 8 + w, at.vaddr); // sh_addr
    wWord(base + 8 + 2 * w, at.offset); // sh_offset
    wWord(base + 8 + 3 * w, size); // sh_size
  };
  if (elf.sections.length > 0) {
    if (interpBytes !== null) {
      const p = phdrs.find((x) => x.type === PT_INTERP)!;
      moveSection(".interp", p, interpBytes.length);
    }
    if (newStrTable !== null) moveSection(".dynstr", strAt, newStrTable.length);
    if (dynamicMoves) moveSection(".dynamic", dynAt, (entries.length + 1) * entSize);
  }
  return out;
}

/** patchelf's --print-* answers. */
export function printInterpreter(elf: ElfFile): string {
  if (elf.interpreter === null) {
    throw new ElfEditError(
      "the file has no interpreter (no PT_INTERP): it is statically linked or a library.",
    );
  }
  return elf.interpreter;
}
