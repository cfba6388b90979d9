/**
 * Reading an ELF file from disk without reading all of it: the headers, the
 * tables they point at, and the regions the parser needs (section names,
 * interpreter, dynamic section and its strings, notes, version sections and
 * the dynamic symbols) are read into a buffer the size of the file; the rest
 * stays unread zeros (the kernel gives those pages for free). A 100 MiB
 * binary costs a few reads of some kilobytes each.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import {
  SHT_DYNAMIC,
  SHT_DYNSYM,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
  SHT_GNU_VERSYM,
  SHT_NOTE,
} from "./constants.js";
import { type ElfFile, isElf, parseElf } from "./parse.js";

/** Files smaller than this are read whole: a single read is cheaper than several. */
const WHOLE = 1 << 20;

export function readElfFile(path: string, whole = false): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = new Uint8Array(size);
    const read = (offset: number, length: number) => {
      const start = Math.max(0, Math.min(size, offset));
      const end = Math.max(start, Math.min(size, offset + length));
      let at = start;
      while (at < end) {
        const n = readSync(fd, buf, at, end - at, at);
        if (n <= 0) break;
        at += n;
      }
    };
    if (whole || size <= WHOLE) {
      read(0, size);
      return buf;
    }
    read(0, 64);
    if (!isElf(buf)) return buf;
    const is64 = buf[4] === 2;
    const little = buf[5] !== 2;
    const view = new DataView(buf.buffer);
    const word = (o: number) =>
      is64 ? Number(view.getBigUint64(o, little)) : view.getUint32(o, little);
    const half = (o: number) => view.getUint16(o, little);
    const w = is64 ? 8 : 4;
    const phoff = word(24 + w);
    const shoff = word(24 + 2 * w);
    const at = 24 + 3 * w + 4; // e_ehsize
    read(phoff, half(at + 2) * half(at + 4));
    // Section 0 first: it holds the real count when e_shnum overflows.
    read(shoff, Math.max(1, half(at + 8)) * half(at + 6));
    let elf: ElfFile;
    try {
      elf = parseElf(buf);
      if (elf.shnum > half(at + 8)) read(shoff, elf.shnum * half(at + 6));
      elf = parseElf(buf);
    } catch {
      read(0, size);
      return buf;
    }
    const names = elf.sections[elf.shstrndx];
    if (names !== undefined) read(names.offset, names.size);
    for (const p of elf.programHeaders) {
      if (p.type === 2 || p.type === 3 || p.type === 4) read(p.offset, p.filesz);
    }
    const wanted = [
      SHT_DYNAMIC,
      SHT_NOTE,
      SHT_DYNSYM,
      SHT_GNU_VERNEED,
      SHT_GNU_VERDEF,
      SHT_GNU_VERSYM,
    ];
    for (const s of elf.sections) {
      if (!wanted.includes(s.type)) continue;
      read(s.offset, s.size);
      const linked = elf.sections[s.link];
      if (linked !== undefined && s.link !== 0) read(linked.offset, linked.size);
    }
    // The dynamic string table, found through DT_STRTAB now that the dynamic section is in.
    try {
      elf = parseElf(buf);
      if (elf.dynstrOffset !== null) read(elf.dynstrOffset, elf.dynstrSize);
    } catch {
      read(0, size);
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}
