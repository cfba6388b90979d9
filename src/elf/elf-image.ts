/**
 * A mutable ELF image for editing: the file's bytes, its program and section
 * headers as plain values (64-bit fields as bigints, so ia64's
 * 0x4000000000000040 stays exact), and the sections whose contents are being
 * replaced. `rewrite()` lays the replaced sections out again the way patchelf
 * does, so that files edited here load where patchelf's load:
 *
 * - a shared object or a PIE (ET_DYN) gets one new PT_LOAD at the end of the
 *   file, after the last page of the address space; the program header table
 *   moves to just after the ELF header, and every section it would cover
 *   moves into the new segment with the replaced ones;
 * - a fixed-address executable (ET_EXEC) keeps its addresses: the replaced
 *   sections, and the ones before them, move to the start of the file, which
 *   grows downwards in the address space by whole pages when needed.
 *
 * Every pointer to a moved section follows it: the program headers (PT_PHDR,
 * PT_INTERP, PT_DYNAMIC, each PT_NOTE, PT_GNU_PROPERTY, PT_MIPS_ABIFLAGS), the
 * dynamic tags, the section links and the symbols' section indices. A file
 * can grow this way as often as needed. Nothing here imports the rest of xpkgs.
 */
import {
  DT_GNU_HASH,
  DT_HASH,
  DT_JMPREL,
  DT_MIPS_RLD_MAP_REL,
  DT_NULL,
  DT_REL,
  DT_RELA,
  DT_STRSZ,
  DT_STRTAB,
  DT_SYMTAB,
  DT_VERNEED,
  DT_VERSYM,
  EM_AARCH64,
  EM_LOONGARCH,
  EM_MIPS,
  EM_PPC,
  EM_PPC64,
  ET_DYN,
  ET_EXEC,
  PF_R,
  PF_W,
  PT_DYNAMIC,
  PT_GNU_PROPERTY,
  PT_INTERP,
  PT_LOAD,
  PT_NOTE,
  PT_PHDR,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
} from "./constants.js";

/** An edit that cannot be made to this file; the message says why. */
export class ElfEditError extends Error {
  override name = "ElfEditError";
}

const PT_MIPS_ABIFLAGS = 0x70000003;
const EM_SPARC = 2;
const EM_TILEGX = 191;
const SHN_LORESERVE = 0xff00;
const STT_SECTION = 3;

export interface Phdr {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  paddr: bigint;
  filesz: bigint;
  memsz: bigint;
  align: bigint;
}

export interface Shdr {
  name: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

const roundUp = (n: bigint, m: bigint): bigint =>
  m <= 0n || n === 0n ? n : ((n - 1n) / m + 1n) * m;
const num = (v: bigint, what: string): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfEditError(`${what} is too large`);
  return Number(v);
};

export class ElfImage {
  bytes: Buffer;
  readonly is64: boolean;
  readonly little: boolean;
  readonly type: number;
  readonly machine: number;
  phoff: bigint;
  shoff: bigint;
  readonly ehsize: number;
  readonly phentsize: number;
  readonly shentsize: number;
  shstrndx: number;
  phdrs: Phdr[] = [];
  shdrs: Shdr[] = [];
  /** The section name table's bytes. */
  readonly names: Buffer;
  /** Sections whose contents are being replaced, by name (laid out in name order). */
  readonly replaced = new Map<string, Buffer>();
  readonly isExecutable: boolean;
  private readonly byOldIndex: string[];
  private readonly section0: Buffer;
  /** patchelf's sectionAlignment: the size of an Elf_Off. */
  readonly sectionAlignment: bigint;
  forcedPageSize = 0;
  /** patchelf's --no-sort: leave the program and section headers in their order. */
  noSort = false;
  debug: (msg: string) => void = () => {};

  constructor(input: Uint8Array) {
    const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (b.length < 52) throw new ElfEditError("missing ELF header");
    if (b.readUInt32BE(0) !== 0x7f454c46) throw new ElfEditError("not an ELF executable");
    if (b[6] !== 1) throw new ElfEditError("unsupported ELF version");
    if (b[4] !== 1 && b[4] !== 2) throw new ElfEditError("ELF executable is not 32 or 64 bit");
    this.is64 = b[4] === 2;
    this.little = b[5] !== 2;
    this.bytes = Buffer.from(b); // our own copy: the input is never changed
    const w = this.is64 ? 8 : 4;
    this.ehsize = this.is64 ? 64 : 52;
    if (b.length < this.ehsize) throw new ElfEditError("missing ELF header");
    this.sectionAlignment = BigInt(w);
    this.type = this.u16(16);
    this.machine = this.u16(18);
    if (this.type !== ET_EXEC && this.type !== ET_DYN) throw new ElfEditError("wrong ELF type");
    this.phoff = this.word(24 + w);
    this.shoff = this.word(24 + 2 * w);
    const f = 24 + 3 * w;
    this.phentsize = this.u16(f + 6);
    const phnum = this.u16(f + 8);
    this.shentsize = this.u16(f + 10);
    const shnum = this.u16(f + 12);
    this.shstrndx = this.u16(f + 14);
    const size = BigInt(b.length);
    if (this.phoff + BigInt(phnum * this.phentsize) > size) {
      throw new ElfEditError("program header table out of bounds");
    }
    if (shnum === 0) {
      throw new ElfEditError(
        "no section headers. The input file is probably a statically linked, self-decompressing binary",
      );
    }
    if (this.shoff + BigInt(shnum * this.shentsize) > size) {
      throw new ElfEditError("section header table out of bounds");
    }
    if (this.phentsize !== (this.is64 ? 56 : 32)) {
      throw new ElfEditError("program headers have wrong size");
    }
    if (this.shentsize !== (this.is64 ? 64 : 40)) {
      throw new ElfEditError("section headers have wrong size");
    }
    for (let i = 0; i < phnum; i++)
      this.phdrs.push(this.readPhdr(Number(this.phoff) + i * this.phentsize));
    for (let i = 0; i < shnum; i++)
      this.shdrs.push(this.readShdr(Number(this.shoff) + i * this.shentsize));
    this.section0 = Buffer.from(
      b.subarray(Number(this.shoff), Number(this.shoff) + this.shentsize),
    );
    this.isExecutable = this.phdrs.some((p) => p.type === PT_INTERP);
    if (this.shstrndx >= this.shdrs.length)
      throw new ElfEditError("string table index out of bounds");
    const st = this.shdrs[this.shstrndx]!;
    if (st.offset + st.size > size) throw new ElfEditError("data region extends past file end");
    if (st.size === 0n) throw new ElfEditError("string table size is zero");
    this.names = Buffer.from(b.subarray(Number(st.offset), Number(st.offset + st.size)));
    if (this.names[this.names.length - 1] !== 0) {
      throw new ElfEditError("string table is not zero terminated");
    }
    this.byOldIndex = this.shdrs.map((s, i) => (i === 0 ? "" : this.sectionName(s)));
  }

  // ---- raw reads and writes in the file's byte order ------------------------------
  u16(o: number): number {
    return this.little ? this.bytes.readUInt16LE(o) : this.bytes.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.little ? this.bytes.readUInt32LE(o) : this.bytes.readUInt32BE(o);
  }
  word(o: number): bigint {
    if (!this.is64) return BigInt(this.u32(o));
    return this.little ? this.bytes.readBigUInt64LE(o) : this.bytes.readBigUInt64BE(o);
  }
  w16(o: number, v: number): void {
    if (this.little) this.bytes.writeUInt16LE(v & 0xffff, o);
    else this.bytes.writeUInt16BE(v & 0xffff, o);
  }
  w32(o: number, v: number): void {
    if (this.little) this.bytes.writeUInt32LE(v >>> 0, o);
    else this.bytes.writeUInt32BE(v >>> 0, o);
  }
  wword(o: number, v: bigint): void {
    if (!this.is64) return this.w32(o, Number(BigInt.asUintN(32, v)));
    const u = BigInt.asUintN(64, v);
    if (this.little) this.bytes.writeBigUInt64LE(u, o);
    else this.bytes.writeBigUInt64BE(u, o);
  }

  private readPhdr(o: number): Phdr {
    if (this.is64) {
      return {
        type: this.u32(o),
        flags: this.u32(o + 4),
        offset: this.word(o + 8),
        vaddr: this.word(o + 16),
        paddr: this.word(o + 24),
        filesz: this.word(o + 32),
        memsz: this.word(o + 40),
        align: this.word(o + 48),
      };
    }
    return {
      type: this.u32(o),
      offset: this.word(o + 4),
      vaddr: this.word(o + 8),
      paddr: this.word(o + 12),
      filesz: this.word(o + 16),
      memsz: this.word(o + 20),
      flags: this.u32(o + 24),
      align: this.word(o + 28),
    };
  }
  private writePhdr(o: number, p: Phdr): void {
    this.w32(o, p.type);
    if (this.is64) {
      this.w32(o + 4, p.flags);
      this.wword(o + 8, p.offset);
      this.wword(o + 16, p.vaddr);
      this.wword(o + 24, p.paddr);
      this.wword(o + 32, p.filesz);
      this.wword(o + 40, p.memsz);
      this.wword(o + 48, p.align);
    } else {
      this.wword(o + 4, p.offset);
      this.wword(o + 8, p.vaddr);
      this.wword(o + 12, p.paddr);
      this.wword(o + 16, p.filesz);
      this.wword(o + 20, p.memsz);
      this.w32(o + 24, p.flags);
      this.wword(o + 28, p.align);
    }
  }
  private readShdr(o: number): Shdr {
    const w = this.is64 ? 8 : 4;
    const l = 8 + 4 * w;
    return {
      name: this.u32(o),
      type: this.u32(o + 4),
      flags: this.word(o + 8),
      addr: this.word(o + 8 + w),
      offset: this.word(o + 8 + 2 * w),
      size: this.word(o + 8 + 3 * w),
      link: this.u32(o + l),
      info: this.u32(o + l + 4),
      addralign: this.word(o + l + 8),
      entsize: this.word(o + l + 8 + w),
    };
  }
  private writeShdr(o: number, s: Shdr): void {
    const w = this.is64 ? 8 : 4;
    const l = 8 + 4 * w;
    this.w32(o, s.name);
    this.w32(o + 4, s.type);
    this.wword(o + 8, s.flags);
    this.wword(o + 8 + w, s.addr);
    this.wword(o + 8 + 2 * w, s.offset);
    this.wword(o + 8 + 3 * w, s.size);
    this.w32(o + l, s.link);
    this.w32(o + l + 4, s.info);
    this.wword(o + l + 8, s.addralign);
    this.wword(o + l + 8 + w, s.entsize);
  }

  // ---- sections ----------------------------------------------------------------------
  sectionName(s: Shdr): string {
    if (s.name >= this.names.length) throw new ElfEditError("section name offset out of bounds");
    const end = this.names.indexOf(0, s.name);
    return this.names.toString("latin1", s.name, end);
  }
  /** The index of the first section with this name, or 0. */
  sectionIndex(name: string): number {
    for (let i = 1; i < this.shdrs.length; i++)
      if (this.sectionName(this.shdrs[i]!) === name) return i;
    return 0;
  }
  findSection(name: string): Shdr | undefined {
    const i = this.sectionIndex(name);
    return i === 0 ? undefined : this.shdrs[i];
  }
  section(name: string): Shdr {
    const s = this.findSection(name);
    if (s === undefined) {
      const extra = [".interp", ".dynamic", ".dynstr"].includes(name)
        ? ". The input file is most likely statically linked"
        : "";
      throw new ElfEditError(`cannot find section '${name}'${extra}`);
    }
    return s;
  }
  /**
   * A section's current contents: the replacement when there is one, else a
   * view of the file's bytes. Writes to it change what will be written.
   */
  contents(name: string): Buffer {
    const r = this.replaced.get(name);
    if (r !== undefined) return r;
    const s = this.section(name);
    const start = num(s.offset, `section ${name}'s offset`);
    const end = start + num(s.size, `section ${name}'s size`);
    if (end > this.bytes.length) throw new ElfEditError("data region extends past file end");
    return this.bytes.subarray(start, end);
  }
  /** Replaces a section's contents with a copy of them resized to `size` (zero-filled). */
  replaceSection(name: string, size: number): Buffer {
    const old = this.contents(name);
    const s = Buffer.alloc(size);
    old.copy(s, 0, 0, Math.min(size, old.length));
    this.replaced.set(name, s);
    return s;
  }

  pageSize(): bigint {
    if (this.forcedPageSize > 0) return BigInt(this.forcedPageSize);
    // Minimum section alignments, as GNU gold's abi_pagesize lists them.
    switch (this.machine) {
      case EM_SPARC:
      case EM_MIPS:
      case EM_PPC:
      case EM_PPC64:
      case EM_AARCH64:
      case EM_TILEGX:
      case EM_LOONGARCH:
        return 0x10000n;
      default:
        return 0x1000n;
    }
  }

  private grow(size: number): void {
    if (size <= this.bytes.length) return;
    const b = Buffer.alloc(size);
    this.bytes.copy(b);
    this.bytes = b;
  }

  private sortPhdrs(): void {
    // PT_PHDR first, then by physical address; stable.
    const keyed = this.phdrs.map((p, i) => ({ p, i }));
    keyed.sort((x, y) => {
      const xp = x.p.type === PT_PHDR;
      const yp = y.p.type === PT_PHDR;
      if (xp !== yp) return xp ? -1 : 1;
      if (x.p.paddr !== y.p.paddr) return x.p.paddr < y.p.paddr ? -1 : 1;
      return x.i - y.i;
    });
    this.phdrs = keyed.map((k) => k.p);
  }

  private sortShdrs(): void {
    const name = (i: number) => this.sectionName(this.shdrs[i]!);
    const link = new Map<Shdr, string>();
    const info = new Map<Shdr, string>();
    for (let i = 1; i < this.shdrs.length; i++) {
      const s = this.shdrs[i]!;
      if (s.link !== 0 && s.link < this.shdrs.length) link.set(s, name(s.link));
      if (
        s.info !== 0 &&
        (s.type === SHT_REL || s.type === SHT_RELA) &&
        s.info < this.shdrs.length
      ) {
        info.set(s, name(s.info));
      }
    }
    const shstrtabOffset = this.shdrs[this.shstrndx]!.offset;
    const rest = this.shdrs.slice(1).map((s, i) => ({ s, i }));
    rest.sort((x, y) =>
      x.s.offset !== y.s.offset ? (x.s.offset < y.s.offset ? -1 : 1) : x.i - y.i,
    );
    this.shdrs = [this.shdrs[0]!, ...rest.map((r) => r.s)];
    for (const [s, n] of link) s.link = this.sectionIndex(n);
    for (const [s, n] of info) s.info = this.sectionIndex(n);
    for (let i = 1; i < this.shdrs.length; i++) {
      if (this.shdrs[i]!.offset === shstrtabOffset) this.shstrndx = i;
    }
  }

  // ---- the layout ------------------------------------------------------------------------
  /** Lays the replaced sections out and rewrites every header that points at them. */
  rewrite(): void {
    if (this.replaced.size === 0) return;
    // New segments go after the old ones: those must be what they say, or the new one could
    // land inside a damaged one.
    for (const p of this.phdrs) {
      if (p.type !== PT_LOAD) continue;
      if (p.filesz > p.memsz || p.offset + p.filesz > BigInt(this.bytes.length)) {
        throw new ElfEditError(
          `a PT_LOAD segment (offset 0x${p.offset.toString(16)}, file size 0x${p.filesz.toString(16)}, ` +
            `memory size 0x${p.memsz.toString(16)}) is larger in the file than in memory or runs past ` +
            "the end of the file: the file is damaged, and cannot be laid out again",
        );
      }
    }
    for (const [n, c] of this.replaced)
      this.debug(`replacing section '${n}' with size ${c.length}`);
    if (this.type === ET_DYN) {
      this.debug("this is a dynamic library");
      this.rewriteLibrary();
    } else {
      this.debug("this is an executable");
      this.rewriteExecutable();
    }
  }

  private rewriteLibrary(): void {
    const page = this.pageSize();
    let startPage = 0n;
    let firstPage = 0n;
    for (const p of this.phdrs) {
      // (patchelf takes every segment's end; on a sound file the PT_LOADs' is the same, and a
      // damaged PT_NOTE or PT_GNU_STACK address cannot throw the new segment off.)
      const end = roundUp(p.vaddr + p.memsz, page);
      if (p.type === PT_LOAD && end > startPage) startPage = end;
      if (p.type === PT_PHDR) firstPage = p.vaddr - p.offset;
    }
    this.debug(`last page is 0x${startPage.toString(16)}`);
    this.debug(`first page is 0x${firstPage.toString(16)}`);
    // The program header table grows by one entry (and by one for each note
    // section, in the worst case, when PT_NOTEs are split): whatever it would
    // cover moves into the new segment too.
    const notes = this.shdrs.filter((s) => s.type === SHT_NOTE).length;
    const tableEnd = BigInt(this.ehsize + (this.phdrs.length + notes + 1) * this.phentsize);
    for (let i = 1; i < this.shdrs.length && this.shdrs[i]!.offset <= tableEnd; i++) {
      const n = this.sectionName(this.shdrs[i]!);
      if (!this.replaced.has(n)) this.replaceSection(n, num(this.shdrs[i]!.size, "a section size"));
    }
    let needed = 0n;
    for (const c of this.replaced.values())
      needed += roundUp(BigInt(c.length), this.sectionAlignment);
    this.debug(`needed space is ${needed}`);
    const startOffset = roundUp(BigInt(this.bytes.length), page);
    this.grow(num(startOffset + needed, "the new file size"));
    // A PIE executable's new segment starts no lower than its file offset: the
    // kernel maps PT_PHDR only from the first contiguous segments.
    if (this.isExecutable && startOffset > startPage) startPage = startOffset;
    const top = this.is64 ? 1n << 64n : 1n << 32n;
    if (startPage + needed >= top || startOffset + needed >= top) {
      throw new ElfEditError("the new segment would lie past the end of the address space");
    }
    this.phoff = BigInt(this.ehsize);
    this.phdrs.push({
      type: PT_LOAD,
      flags: PF_R | PF_W,
      offset: startOffset,
      vaddr: startPage,
      paddr: startPage,
      filesz: needed,
      memsz: needed,
      align: page,
    });
    this.normalizeNotes();
    const end = this.writeReplaced(startOffset, startPage, startOffset);
    if (end !== startOffset + needed) throw new ElfEditError("internal layout error (library)");
    this.rewriteHeaders(firstPage + this.phoff);
  }

  private rewriteExecutable(): void {
    const page = this.pageSize();
    this.sortShdrs();
    let lastReplaced = 0;
    for (let i = 1; i < this.shdrs.length; i++) {
      if (this.replaced.has(this.sectionName(this.shdrs[i]!))) lastReplaced = i;
    }
    if (lastReplaced === 0) throw new ElfEditError("internal layout error (nothing replaced)");
    if (lastReplaced + 1 >= this.shdrs.length) {
      throw new ElfEditError("the last section is to be replaced; this layout is not supported");
    }
    // Move every section before the last replaced one too, up to the first
    // that cannot move (code and data: absolute references point into them).
    let startOffset = this.shdrs[lastReplaced + 1]!.offset;
    let startAddr = this.shdrs[lastReplaced + 1]!.addr;
    let prev = "";
    for (let i = 1; i <= lastReplaced; i++) {
      const s = this.shdrs[i]!;
      const n = this.sectionName(s);
      if ((s.type === SHT_PROGBITS && n !== ".interp") || prev === ".dynstr") {
        startOffset = s.offset;
        startAddr = s.addr;
        lastReplaced = i - 1;
        break;
      }
      if (!this.replaced.has(n)) {
        this.debug(`replacing section '${n}' which is in the way`);
        this.replaceSection(n, num(s.size, "a section size"));
      }
      prev = n;
    }
    if (startAddr % page !== startOffset % page) {
      throw new ElfEditError(
        `the first section that stays (0x${startAddr.toString(16)} at offset 0x${startOffset.toString(16)}) is not page-aligned to its offset; try --page-size`,
      );
    }
    let firstPage = startAddr - startOffset;
    this.debug(`first page is 0x${firstPage.toString(16)}`);
    if (this.shoff < startOffset) {
      // The section header table lies where the moved sections go: put it at the end.
      const at = BigInt(this.bytes.length);
      this.grow(this.bytes.length + this.shdrs.length * this.shentsize);
      this.shoff = at;
      this.sortShdrs();
    }
    this.normalizeNotes();
    let needed = BigInt(this.ehsize + this.phdrs.length * this.phentsize);
    for (const c of this.replaced.values())
      needed += roundUp(BigInt(c.length), this.sectionAlignment);
    this.debug(`needed space is ${needed}`);
    if (needed > startOffset) {
      needed += BigInt(this.phentsize); // the PT_LOAD that maps the new first pages
      const pages = roundUp(needed - startOffset, page) / page;
      this.debug(`needed pages is ${pages}`);
      if (pages * page > firstPage) throw new ElfEditError("virtual address space underrun!");
      firstPage -= pages * page;
      startOffset += pages * page;
      this.shiftFile(pages, firstPage);
    }
    const cur = this.ehsize + this.phdrs.length * this.phentsize;
    this.bytes.fill(0, cur, num(startOffset, "an offset"));
    const end = this.writeReplaced(BigInt(cur), firstPage, 0n);
    if (end !== needed) throw new ElfEditError("internal layout error (executable)");
    this.rewriteHeaders(firstPage + this.phoff);
  }

  /** Moves the whole file `pages` pages further and maps the new first pages. */
  private shiftFile(pages: bigint, startPage: bigint): void {
    const page = this.pageSize();
    const shift = num(pages * page, "the shift");
    const old = this.bytes;
    this.bytes = Buffer.alloc(old.length + shift);
    old.copy(this.bytes, shift);
    old.copy(this.bytes, 0, 0, this.ehsize);
    this.phoff = BigInt(this.ehsize);
    this.shoff += BigInt(shift);
    for (let i = 1; i < this.shdrs.length; i++) this.shdrs[i]!.offset += BigInt(shift);
    for (const p of this.phdrs) {
      p.offset += BigInt(shift);
      if (p.align !== 0n && (p.vaddr - p.offset) % p.align !== 0n) p.align = page;
    }
    this.phdrs.push({
      type: PT_LOAD,
      flags: PF_R | PF_W,
      offset: 0n,
      vaddr: startPage,
      paddr: startPage,
      filesz: BigInt(shift),
      memsz: BigInt(shift),
      align: page,
    });
  }

  /** Splits each PT_NOTE that covers several note sections into one per section. */
  private normalizeNotes(): void {
    const replacedNote = [...this.replaced.keys()].some((n) => this.section(n).type === SHT_NOTE);
    if (!replacedNote) return;
    const added: Phdr[] = [];
    for (const p of this.phdrs) {
      if (p.type !== PT_NOTE) continue;
      const start = p.offset;
      const end = p.offset + p.filesz;
      let cur = start;
      while (cur < end) {
        let size = 0n;
        for (const s of this.shdrs) {
          if (s.type !== SHT_NOTE) continue;
          const at = roundUp(cur, s.addralign);
          if (s.offset !== at) continue;
          size = s.size;
          cur = at;
          break;
        }
        if (size === 0n) {
          throw new ElfEditError(
            "cannot normalize PT_NOTE segment: non-contiguous SHT_NOTE sections",
          );
        }
        if (cur + size > end) {
          throw new ElfEditError(
            "cannot normalize PT_NOTE segment: partially mapped SHT_NOTE section",
          );
        }
        const piece = {
          ...p,
          offset: cur,
          vaddr: p.vaddr + (cur - start),
          paddr: p.paddr + (cur - start),
          filesz: size,
          memsz: size,
        };
        if (cur === start) Object.assign(p, piece);
        else added.push(piece);
        cur += size;
      }
    }
    this.phdrs.push(...added);
  }

  /** Writes the replaced sections from `offset` on; returns the offset after the last. */
  private writeReplaced(offset: bigint, startAddr: bigint, startOffset: bigint): bigint {
    const order = [...this.replaced.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Clear the old places first, so that no new contents are clobbered after.
    for (const n of order) {
      const s = this.section(n);
      if (s.type !== SHT_NOBITS) {
        this.bytes.fill(0x58, num(s.offset, "an offset"), num(s.offset + s.size, "an offset"));
      }
    }
    let cur = offset;
    const noted = new Set<Phdr>();
    for (const n of order) {
      const s = this.section(n);
      const c = this.replaced.get(n)!;
      const orig = { ...s };
      this.debug(
        `rewriting section '${n}' from offset 0x${s.offset.toString(16)} (size ${s.size}) to offset 0x${cur.toString(16)} (size ${c.length})`,
      );
      c.copy(this.bytes, num(cur, "an offset"));
      s.offset = cur;
      s.addr = startAddr + (cur - startOffset);
      s.size = BigInt(c.length);
      s.addralign = this.sectionAlignment;
      const follow = (type: number) => {
        for (const p of this.phdrs) {
          if (p.type !== type) continue;
          p.offset = s.offset;
          p.vaddr = p.paddr = s.addr;
          p.filesz = p.memsz = s.size;
        }
      };
      if (n === ".interp") follow(PT_INTERP);
      else if (n === ".dynamic") follow(PT_DYNAMIC);
      if (s.type === SHT_NOTE) {
        // A note's layout depends on its alignment: keep the original when smaller.
        if (orig.addralign < this.sectionAlignment) s.addralign = orig.addralign;
        for (const p of this.phdrs) {
          if ((p.type !== PT_NOTE && p.type !== PT_GNU_PROPERTY) || noted.has(p)) continue;
          const ps = p.offset;
          const pe = p.offset + p.filesz;
          const ss = orig.offset;
          const se = orig.offset + orig.size;
          if (!(ss >= ps && ss < pe) && !(se > ps && se <= pe)) continue;
          if (ps !== ss || pe !== se) {
            throw new ElfEditError("unsupported overlap of SHT_NOTE and PT_NOTE");
          }
          p.offset = s.offset;
          p.vaddr = p.paddr = s.addr;
          p.filesz = p.memsz = s.size;
          noted.add(p);
        }
      }
      if (n === ".MIPS.abiflags") follow(PT_MIPS_ABIFLAGS);
      cur += roundUp(BigInt(c.length), this.sectionAlignment);
    }
    this.replaced.clear();
    return cur;
  }

  private rewriteHeaders(phdrAddress: bigint): void {
    const phdr = this.phdrs.find((p) => p.type === PT_PHDR);
    if (phdr !== undefined) {
      phdr.offset = this.phoff;
      phdr.vaddr = phdr.paddr = phdrAddress;
      phdr.filesz = phdr.memsz = BigInt(this.phdrs.length * this.phentsize);
    }
    if (!this.noSort) {
      this.sortPhdrs();
      this.sortShdrs();
    }
    this.writeHeaders();
    this.fixDynamic();
    this.fixSymbols();
  }

  /** The dynamic tags that hold section addresses follow their sections. */
  private fixDynamic(): void {
    const dynamic = this.findSection(".dynamic");
    if (dynamic === undefined || dynamic.type === SHT_NOBITS) return;
    const ent = this.is64 ? 16 : 8;
    const base = num(dynamic.offset, "the dynamic section's offset");
    const limit = Math.min(this.bytes.length, base + num(dynamic.size, "the dynamic size"));
    const addr = (n: string) => this.section(n).addr;
    for (let o = base; o + ent <= limit; o += ent) {
      const whole = this.word(o);
      const tag = whole < 1n << 31n ? Number(whole) : Number.NaN; // as the loader compares tags
      const at = o + ent / 2;
      if (tag === DT_NULL) break;
      if (tag === DT_STRTAB) this.wword(at, addr(".dynstr"));
      else if (tag === DT_STRSZ) this.wword(at, this.section(".dynstr").size);
      else if (tag === DT_SYMTAB) this.wword(at, addr(".dynsym"));
      else if (tag === DT_HASH) this.wword(at, addr(".hash"));
      else if (tag === DT_GNU_HASH) {
        // A stripped .gnu.hash leaves the tag as it was.
        const s = this.findSection(".gnu.hash");
        if (s !== undefined) this.wword(at, s.addr);
      } else if (tag === DT_JMPREL) {
        const s =
          this.findSection(".rel.plt") ??
          this.findSection(".rela.plt") ??
          this.findSection(".rela.IA_64.pltoff");
        if (s === undefined)
          throw new ElfEditError("cannot find section corresponding to DT_JMPREL");
        this.wword(at, s.addr);
      } else if (tag === DT_REL) {
        const s = this.findSection(".rel.dyn") ?? this.findSection(".rel.got");
        if (s !== undefined) this.wword(at, s.addr);
      } else if (tag === DT_RELA) {
        const s = this.findSection(".rela.dyn");
        if (s !== undefined) this.wword(at, s.addr);
      } else if (tag === DT_VERNEED) this.wword(at, addr(".gnu.version_r"));
      else if (tag === DT_VERSYM) this.wword(at, addr(".gnu.version"));
      else if (tag === DT_MIPS_RLD_MAP_REL) {
        // The debug pointer's place, relative to this tag's own address.
        const s = this.findSection(".rld_map");
        if (s !== undefined) this.wword(at, s.addr + BigInt(o - base) - dynamic.addr);
        else {
          this.debug("warning: DT_MIPS_RLD_MAP_REL entry is present, but .rld_map section is not");
          this.wword(at, 0n);
        }
      }
    }
  }

  /** Symbols name their sections by index, and the indices changed with the sort. */
  private fixSymbols(): void {
    const ent = this.is64 ? 24 : 16;
    for (const s of this.shdrs) {
      if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
      const base = num(s.offset, "a symbol table offset");
      const size = num(s.size, "a symbol table size");
      if (base + size > this.bytes.length)
        throw new ElfEditError("data region extends past file end");
      for (let o = base; o + ent <= base + size; o += ent) {
        const shndxAt = this.is64 ? o + 6 : o + 14;
        const info = this.bytes[this.is64 ? o + 4 : o + 12]!;
        const shndx = this.u16(shndxAt);
        if (shndx === 0 || shndx >= SHN_LORESERVE) continue;
        if (shndx >= this.byOldIndex.length) {
          this.debug(`warning: a symbol refers to a non-existent section ${shndx}, skipping`);
          continue;
        }
        const now = this.sectionIndex(this.byOldIndex[shndx]!);
        this.w16(shndxAt, now);
        if ((info & 0xf) === STT_SECTION)
          this.wword(this.is64 ? o + 8 : o + 4, this.shdrs[now]!.addr);
      }
    }
  }

  /** Writes the ELF header fields that change, and both header tables. */
  writeHeaders(): void {
    // A damaged input (a PT_PHDR whose offset exceeds its address, say) can make a field
    // negative or too wide: refuse rather than write a wrapped value.
    const limit = this.is64 ? 1n << 64n : 1n << 32n;
    const fields = [
      this.phoff,
      this.shoff,
      ...this.phdrs.flatMap((p) => [p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.align]),
      ...this.shdrs.flatMap((x) => [x.addr, x.offset, x.size]),
    ];
    if (fields.some((v) => v < 0n || v >= limit)) {
      throw new ElfEditError(
        "a header would get an address or offset outside the address space: the file is damaged",
      );
    }
    const w = this.is64 ? 8 : 4;
    const f = 24 + 3 * w;
    this.wword(24 + w, this.phoff);
    this.wword(24 + 2 * w, this.shoff);
    this.w16(f + 8, this.phdrs.length);
    this.w16(f + 14, this.shstrndx);
    const phoff = num(this.phoff, "e_phoff");
    this.phdrs.forEach((p, i) => this.writePhdr(phoff + i * this.phentsize, p));
    const shoff = num(this.shoff, "e_shoff");
    this.section0.copy(this.bytes, shoff);
    this.shdrs.forEach((s, i) => {
      if (i > 0) this.writeShdr(shoff + i * this.shentsize, s);
    });
  }
}
