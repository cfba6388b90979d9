/**
 * patchelf's edits, on bytes: the interpreter, RPATH/RUNPATH, NEEDED, SONAME,
 * DT_FLAGS_1's NODEFLIB and symbol versions, with patchelf's semantics (and
 * its order: soname, interpreter, rpath, needed, versions, flags). A string
 * that fits is written in place; a section that must grow is replaced and
 * laid out again by `ElfImage.rewrite()`, as often as needed.
 *
 * After the edits, the result is read back through another path (program
 * headers and dynamic tags mapped through PT_LOAD, not the section headers
 * the edits used), and every value asked for must read back exactly; a
 * mismatch refuses the edit, so a caller never writes a wrong file.
 */
import { closeSync, openSync, readSync } from "node:fs";
import {
  DT_DEBUG,
  DT_FLAGS_1,
  DT_NEEDED,
  DT_NULL,
  DT_RPATH,
  DT_RUNPATH,
  DT_SONAME,
  DT_STRSZ,
  DT_STRTAB,
  DT_VERNEEDNUM,
  ET_DYN,
  PT_DYNAMIC,
  PT_INTERP,
  PT_LOAD,
  SHT_DYNAMIC,
  SHT_NOBITS,
} from "./constants.js";
import { ElfEditError, ElfImage } from "./elf-image.js";

export { ElfEditError } from "./elf-image.js";

const DF_1_NODEFLIB = 0x800n;
const PT_GNU_STACK = 0x6474e551;
const PF_X = 1;

/** EI_OSABI values by the names patchelf prints, and the other names it accepts. */
export const osAbis: readonly { value: number; name: string; aliases: string[] }[] = [
  { value: 0, name: "System V", aliases: ["none", "sysv", "system v"] },
  { value: 1, name: "HP-UX", aliases: ["hpux", "hp-ux"] },
  { value: 2, name: "NetBSD", aliases: ["netbsd"] },
  { value: 3, name: "Linux", aliases: ["linux", "gnu"] },
  { value: 4, name: "GNU Hurd", aliases: ["gnu hurd", "hurd"] },
  { value: 6, name: "Solaris", aliases: ["solaris"] },
  { value: 7, name: "AIX", aliases: ["aix"] },
  { value: 8, name: "IRIX", aliases: ["irix"] },
  { value: 9, name: "FreeBSD", aliases: ["freebsd"] },
  { value: 10, name: "Tru64", aliases: ["tru64"] },
  { value: 12, name: "OpenBSD", aliases: ["openbsd"] },
  { value: 13, name: "OpenVMS", aliases: ["openvms"] },
];

function osAbiValue(name: string): number {
  const n = name.trim().toLowerCase();
  const found = osAbis.find((a) => a.name.toLowerCase() === n || a.aliases.includes(n));
  if (found !== undefined) return found.value;
  if (/^(0x[0-9a-f]+|\d+)$/.test(n) && Number(n) <= 255) return Number(n);
  throw new ElfEditError(
    `unrecognized OS ABI '${name}': give one of ${osAbis.map((a) => `'${a.name}'`).join(", ")}, or a number 0-255`,
  );
}

export interface PatchOptions {
  /** patchelf's --page-size: the alignment of new segments. */
  pageSize?: number;
  printInterpreter?: boolean;
  printSoname?: boolean;
  printRpath?: boolean;
  printNeeded?: boolean;
  setInterpreter?: string;
  setSoname?: string;
  setRpath?: string;
  addRpath?: string;
  removeRpath?: boolean;
  /** Keep only the RPATH directories that provide a NEEDED library not yet found. */
  shrinkRpath?: { allowedPrefixes?: string[] };
  /** Write DT_RPATH instead of DT_RUNPATH (patchelf's --force-rpath). */
  forceRpath?: boolean;
  addNeeded?: string[];
  removeNeeded?: string[];
  /** Applied as patchelf applies them: one replacement per old name, the last given wins. */
  replaceNeeded?: [string, string][];
  clearSymbolVersion?: string[];
  noDefaultLib?: boolean;
  addDebugTag?: boolean;
  /** Print EI_OSABI by name (patchelf's --print-os-abi). */
  printOsAbi?: boolean;
  /** Set EI_OSABI: a name from `osAbis` (any case) or a number. */
  setOsAbi?: string;
  printExecstack?: boolean;
  /** Set or clear PF_X of PT_GNU_STACK. */
  execstack?: boolean;
  /** Leave the program and section headers in their order when the file is laid out again. */
  noSort?: boolean;
  debug?: (msg: string) => void;
}

export interface PatchResult {
  bytes: Uint8Array;
  /** Whether any edit changed the file (patchelf writes it only then, or with --output). */
  changed: boolean;
  /** What the --print-* options print, a line each. */
  printed: string[];
}

const latin1 = (s: string) => Buffer.from(s, "latin1");
/** What a string reads back as from a NUL-terminated table. */
const asRead = (s: string) => s.split("\0")[0]!;

interface Expect {
  interpreter?: string;
  soname?: string;
  rpath?: { value: string | null; force: boolean };
  needed?: string[];
}

/** The dynamic section, as entries with their byte offsets in its contents. */
class Dynamic {
  readonly ent: number;
  constructor(
    readonly img: ElfImage,
    readonly data: Buffer,
  ) {
    this.ent = img.is64 ? 16 : 8;
  }
  private rd(o: number): bigint {
    const d = this.data;
    if (!this.img.is64) return BigInt(this.img.little ? d.readInt32LE(o) : d.readInt32BE(o));
    return this.img.little ? d.readBigInt64LE(o) : d.readBigInt64BE(o);
  }
  private wr(o: number, v: bigint): void {
    const d = this.data;
    if (!this.img.is64) {
      const u = Number(BigInt.asUintN(32, v));
      if (this.img.little) d.writeUInt32LE(u, o);
      else d.writeUInt32BE(u, o);
    } else if (this.img.little) d.writeBigUInt64LE(BigInt.asUintN(64, v), o);
    else d.writeBigUInt64BE(BigInt.asUintN(64, v), o);
  }
  /** Entry offsets up to (not including) DT_NULL, and DT_NULL's offset. */
  entries(): { at: number[]; nullAt: number } {
    const at: number[] = [];
    for (let o = 0; o + this.ent <= this.data.length; o += this.ent) {
      if (this.rd(o) === BigInt(DT_NULL)) return { at, nullAt: o };
      at.push(o);
    }
    throw new ElfEditError("the dynamic section has no DT_NULL entry");
  }
  /** The tag, whole as the loader reads it (a tag that does not fit 32 bits matches none). */
  tag(o: number): number {
    const t = this.rd(o);
    return t >= -(1n << 31n) && t < 1n << 31n ? Number(t) : Number.NaN;
  }
  value(o: number): bigint {
    const v = this.rd(o + this.ent / 2);
    return this.img.is64 ? BigInt.asUintN(64, v) : BigInt.asUintN(32, v);
  }
  setTag(o: number, t: number): void {
    this.wr(o, BigInt(t));
  }
  setValue(o: number, v: bigint): void {
    this.wr(o + this.ent / 2, v);
  }
}

function cstr(table: Buffer, at: bigint | number): string {
  const o = Number(at);
  if (o < 0 || o >= table.length)
    throw new ElfEditError("a dynamic string offset is past the string table");
  const end = table.indexOf(0, o);
  return table.toString("latin1", o, end === -1 ? table.length : end);
}

class Editor {
  readonly printed: string[] = [];
  changed = false;
  readonly expect: Expect = {};
  constructor(
    readonly img: ElfImage,
    readonly debug: (m: string) => void,
  ) {}

  dynamic(): Dynamic {
    return new Dynamic(this.img, this.img.contents(".dynamic"));
  }
  /** Grows .dynamic by `n` entries, moving the existing ones down. */
  growDynamic(n: number): Dynamic {
    const cur = this.dynamic();
    const { nullAt } = cur.entries();
    const data = this.img.replaceSection(".dynamic", cur.data.length + n * cur.ent);
    data.copyWithin(n * cur.ent, 0, nullAt + cur.ent);
    data.fill(0, 0, n * cur.ent);
    return new Dynamic(this.img, data);
  }
  /** Appends strings to .dynstr (or `section`); returns their offsets. */
  appendStrings(strings: string[], section = ".dynstr", extra = 0): number[] {
    const old = this.img.contents(section);
    const total = strings.reduce((n, s) => n + s.length + 1, 0);
    const data = this.img.replaceSection(section, old.length + total + extra);
    let at = old.length;
    return strings.map((s) => {
      latin1(s).copy(data, at);
      const here = at;
      at += s.length + 1;
      return here;
    });
  }

  interpreter(): string {
    return cstr(this.img.contents(".interp"), 0);
  }

  soname(o: PatchOptions): void {
    const img = this.img;
    if (img.type !== ET_DYN) {
      this.debug("this is not a dynamic library");
      return;
    }
    const dyn = this.dynamic();
    const str = img.contents(".dynstr");
    let sonameAt: number | null = null;
    for (const e of dyn.entries().at) if (dyn.tag(e) === DT_SONAME) sonameAt = e;
    const current = sonameAt === null ? null : cstr(str, dyn.value(sonameAt));
    if (o.printSoname === true) {
      if (current === null) this.debug("no DT_SONAME found");
      else if (current === "") this.debug("DT_SONAME is empty");
      else this.printed.push(current);
    }
    if (o.setSoname === undefined) return;
    this.expect.soname = asRead(o.setSoname);
    if (current === o.setSoname) return;
    const [at] = this.appendStrings([o.setSoname]);
    if (sonameAt !== null) this.dynamic().setValue(sonameAt, BigInt(at!));
    else {
      const d = this.growDynamic(1);
      d.setTag(0, DT_SONAME);
      d.setValue(0, BigInt(at!));
    }
    this.changed = true;
  }

  setInterpreter(path: string): void {
    if (this.img.findSection(".interp") === undefined) {
      throw new ElfEditError(
        "cannot find section '.interp'. The input file is most likely statically linked, " +
          "or a library: it has no interpreter to set",
      );
    }
    // Always moved, as patchelf moves it: the old bytes are cleared.
    const data = this.img.replaceSection(".interp", path.length + 1);
    latin1(path).copy(data, 0);
    data[path.length] = 0;
    this.expect.interpreter = asRead(path);
    this.changed = true;
  }

  /** Offsets into .dynstr that something other than the RPATH entries names; null if unsure. */
  private otherStringRefs(except: Set<number>, dyn: Dynamic): number[] | null {
    const img = this.img;
    try {
      const refs: number[] = [];
      for (const e of dyn.entries().at) {
        const t = dyn.tag(e);
        if (
          !except.has(e) &&
          (t === DT_NEEDED || t === DT_SONAME || t === DT_RPATH || t === DT_RUNPATH)
        ) {
          refs.push(Number(dyn.value(e)));
        }
      }
      const sym = img.findSection(".dynsym");
      if (sym !== undefined) {
        const d = img.contents(".dynsym");
        const ent = img.is64 ? 24 : 16;
        for (let o = 0; o + ent <= d.length; o += ent) {
          refs.push(img.little ? d.readUInt32LE(o) : d.readUInt32BE(o));
        }
      }
      for (const name of [".gnu.version_r", ".gnu.version_d"]) {
        const s = img.findSection(name);
        if (s === undefined) continue;
        const d = img.contents(name);
        const u32 = (o: number) => (img.little ? d.readUInt32LE(o) : d.readUInt32BE(o));
        const u16 = (o: number) => (img.little ? d.readUInt16LE(o) : d.readUInt16BE(o));
        const need = name === ".gnu.version_r";
        let o = 0;
        for (let i = 0; i < 100000 && o + 16 <= d.length; i++) {
          const cnt = u16(o + (need ? 2 : 6));
          if (need) refs.push(u32(o + 4));
          let a = o + u32(o + (need ? 8 : 12));
          for (let j = 0; j < cnt && a + 8 <= d.length; j++) {
            refs.push(u32(a + (need ? 8 : 0)));
            const next = u32(a + (need ? 12 : 4));
            if (next === 0) break;
            a += next;
          }
          const next = u32(o + (need ? 12 : 16));
          if (next === 0) break;
          o += next;
        }
      }
      return refs;
    } catch {
      return null;
    }
  }

  rpath(o: PatchOptions, op: "print" | "shrink" | "remove" | "set" | "add" | null): void {
    const img = this.img;
    const dynSec = img.section(".dynamic");
    if (dynSec.type === SHT_NOBITS) {
      this.debug("no dynamic section");
      return;
    }
    const dyn = this.dynamic();
    const str = img.contents(".dynstr");
    let rpathAt: number | null = null;
    let runpathAt: number | null = null;
    let rpath: string | null = null;
    let rpathOffset = 0;
    const needed: string[] = [];
    for (const e of dyn.entries().at) {
      const t = dyn.tag(e);
      if (t === DT_RPATH) {
        rpathAt = e;
        if (runpathAt === null) {
          rpathOffset = Number(dyn.value(e));
          rpath = cstr(str, rpathOffset);
        }
      } else if (t === DT_RUNPATH) {
        runpathAt = e;
        rpathOffset = Number(dyn.value(e));
        rpath = cstr(str, rpathOffset);
      } else if (t === DT_NEEDED) needed.push(cstr(str, dyn.value(e)));
    }
    if (op === "print") {
      this.printed.push(rpath ?? "");
      return;
    }
    if (op === null) return;
    let wanted: string;
    if (op === "remove") {
      if (rpath === null) {
        this.debug("no RPATH to delete");
        return;
      }
      const { at, nullAt } = dyn.entries();
      const keep = at.filter((e) => dyn.tag(e) !== DT_RPATH && dyn.tag(e) !== DT_RUNPATH);
      const copies = keep.map((e) => Buffer.from(dyn.data.subarray(e, e + dyn.ent)));
      copies.forEach((c, i) => c.copy(dyn.data, i * dyn.ent));
      dyn.data.fill(0, keep.length * dyn.ent, nullAt);
      this.expect.rpath = { value: null, force: false };
      this.changed = true;
      return;
    }
    if (op === "shrink") {
      if (rpath === null) {
        this.debug("no RPATH to shrink");
        return;
      }
      wanted = this.shrink(rpath, needed, o.shrinkRpath?.allowedPrefixes ?? []);
    } else if (op === "add") {
      wanted = rpath === null || rpath === "" ? o.addRpath! : `${rpath}:${o.addRpath!}`;
    } else wanted = o.setRpath!;
    const force = o.forceRpath === true;
    this.expect.rpath = { value: asRead(wanted), force };
    if (!force && rpathAt !== null && runpathAt === null) {
      dyn.setTag(rpathAt, DT_RUNPATH);
      runpathAt = rpathAt;
      rpathAt = null;
      this.changed = true;
    } else if (force && runpathAt !== null) {
      dyn.setTag(runpathAt, DT_RPATH);
      rpathAt = runpathAt;
      runpathAt = null;
      this.changed = true;
    }
    if (rpath !== null && rpath === wanted) return;
    this.changed = true;
    this.debug(`new rpath is '${wanted}'`);
    // The old string is cleared so that the file stops naming those folders,
    // unless some other name shares its bytes (linkers merge string tails).
    let inPlace = false;
    if (rpath !== null) {
      const own = new Set([rpathAt, runpathAt].filter((x): x is number => x !== null));
      const refs = this.otherStringRefs(own, dyn);
      const shared =
        refs === null || refs.some((r) => r >= rpathOffset && r < rpathOffset + rpath!.length);
      if (!shared) {
        str.fill(0x58, rpathOffset, rpathOffset + rpath.length);
        if (wanted.length <= rpath.length) {
          latin1(wanted).copy(str, rpathOffset);
          str[rpathOffset + wanted.length] = 0;
          inPlace = true;
        }
      } else this.debug("the old rpath shares its bytes with another name; it is kept");
    }
    if (inPlace) return;
    const [at] = this.appendStrings([wanted]);
    if (rpathAt !== null || runpathAt !== null) {
      const d = this.dynamic();
      if (runpathAt !== null) d.setValue(runpathAt, BigInt(at!));
      if (rpathAt !== null) d.setValue(rpathAt, BigInt(at!));
    } else {
      const d = this.growDynamic(1);
      d.setTag(0, force ? DT_RPATH : DT_RUNPATH);
      d.setValue(0, BigInt(at!));
    }
  }

  /** patchelf's rule: a directory stays when it is the first to provide a NEEDED library. */
  private shrink(rpath: string, needed: string[], allowed: string[]): string {
    const found = needed.map(() => false);
    const kept: string[] = [];
    const machine = this.img.bytes.subarray(18, 20);
    for (const dir of rpath.split(":").filter((d) => d !== "")) {
      if (!dir.startsWith("/")) {
        kept.push(dir); // $ORIGIN and other relative entries are kept as they are
        continue;
      }
      if (allowed.length > 0 && !allowed.some((p) => dir.startsWith(p))) {
        this.debug(`removing directory '${dir}' from RPATH because of non-allowed prefix`);
        continue;
      }
      let provides = false;
      needed.forEach((lib, j) => {
        if (found[j] === true) return;
        const head = readHead(`${dir}/${lib}`);
        if (head === null) return;
        if (
          head.length >= 20 &&
          head.readUInt32BE(0) === 0x7f454c46 &&
          head.subarray(18, 20).equals(machine)
        ) {
          found[j] = true;
          provides = true;
        } else this.debug(`ignoring library '${dir}/${lib}' because its machine type differs`);
      });
      if (provides) kept.push(dir);
      else this.debug(`removing directory '${dir}' from RPATH`);
    }
    return kept.join(":");
  }

  removeNeeded(libs: Set<string>): void {
    if (libs.size === 0) return;
    const dyn = this.dynamic();
    const str = this.img.contents(".dynstr");
    const { at, nullAt } = dyn.entries();
    const keep = at.filter((e) => {
      if (dyn.tag(e) !== DT_NEEDED) return true;
      const name = cstr(str, dyn.value(e));
      if (!libs.has(name)) return true;
      this.debug(`removing DT_NEEDED entry '${name}'`);
      this.changed = true;
      return false;
    });
    const copies = keep.map((e) => Buffer.from(dyn.data.subarray(e, e + dyn.ent)));
    copies.forEach((c, i) => c.copy(dyn.data, i * dyn.ent));
    dyn.data.fill(0, keep.length * dyn.ent, nullAt);
  }

  replaceNeeded(libs: Map<string, string>): void {
    if (libs.size === 0) return;
    const img = this.img;
    const added = new Map<string, number>();
    let verneedNum = 0;
    const dyn = this.dynamic();
    for (const e of dyn.entries().at) {
      const t = dyn.tag(e);
      if (t === DT_VERNEEDNUM) verneedNum = Number(dyn.value(e));
      if (t !== DT_NEEDED) continue;
      const name = cstr(img.contents(".dynstr"), dyn.value(e));
      const to = libs.get(name);
      if (to === undefined || to === name) continue;
      this.debug(`replacing DT_NEEDED entry '${name}' with '${to}'`);
      let at = added.get(to);
      if (at === undefined) {
        at = this.appendStrings([to])[0]!;
        added.set(to, at);
      }
      this.dynamic().setValue(e, BigInt(at));
      this.changed = true;
    }
    if (verneedNum === 0) return;
    // Version needs name the library files too, in the string table their section links to.
    const vr = img.section(".gnu.version_r");
    const strSec = img.shdrs[vr.link];
    if (strSec === undefined)
      throw new ElfEditError("the version needs section does not link to a string table");
    const strName = img.sectionName(strSec);
    if (strName !== ".dynstr") added.clear();
    let o = 0;
    for (let i = 0; i < verneedNum; i++) {
      const d = img.contents(".gnu.version_r");
      if (o + 16 > d.length) throw new ElfEditError("a version need lies outside its section");
      const file = cstr(
        img.contents(strName),
        img.little ? d.readUInt32LE(o + 4) : d.readUInt32BE(o + 4),
      );
      const to = libs.get(file);
      if (to !== undefined && to !== file) {
        this.debug(`replacing .gnu.version_r entry '${file}' with '${to}'`);
        let at = added.get(to);
        if (at === undefined) {
          at = this.appendStrings([to], strName)[0]!;
          added.set(to, at);
        }
        const d2 = img.contents(".gnu.version_r");
        if (img.little) d2.writeUInt32LE(at, o + 4);
        else d2.writeUInt32BE(at, o + 4);
        this.changed = true;
      }
      const next = img.little ? d.readUInt32LE(o + 12) : d.readUInt32BE(o + 12);
      if (next === 0) break;
      o += next;
    }
  }

  addNeeded(libs: string[]): void {
    if (libs.length === 0) return;
    const sorted = [...new Set(libs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const offsets = this.appendStrings(sorted, ".dynstr", 1);
    const d = this.growDynamic(sorted.length);
    offsets.forEach((at, i) => {
      d.setTag(i * d.ent, DT_NEEDED);
      d.setValue(i * d.ent, BigInt(at));
    });
    this.changed = true;
  }

  clearSymbolVersions(syms: Set<string>): void {
    if (syms.size === 0) return;
    const img = this.img;
    const str = img.contents(".dynstr");
    const dynsym = img.contents(".dynsym");
    const versym = img.contents(".gnu.version");
    const ent = img.is64 ? 24 : 16;
    const count = Math.floor(dynsym.length / ent);
    if (count !== Math.floor(versym.length / 2)) throw new ElfEditError("versym size mismatch");
    for (let i = 0; i < count; i++) {
      const name = cstr(
        str,
        img.little ? dynsym.readUInt32LE(i * ent) : dynsym.readUInt32BE(i * ent),
      );
      if (!syms.has(name)) continue;
      this.debug(`clearing symbol version for ${name}`);
      if (img.little) versym.writeUInt16LE(1, i * 2);
      else versym.writeUInt16BE(1, i * 2);
    }
    this.changed = true;
  }

  /** Sets a bit in DT_FLAGS_1, or adds the tag (DT_DEBUG: adds the tag when it is missing). */
  addTag(tag: number, bit: bigint): void {
    const dyn = this.dynamic();
    const e = dyn.entries().at.find((x) => dyn.tag(x) === tag);
    if (e !== undefined) {
      if (bit === 0n || (dyn.value(e) & bit) === bit) return;
      dyn.setValue(e, dyn.value(e) | bit);
    } else {
      const d = this.growDynamic(1);
      d.setTag(0, tag);
      d.setValue(0, bit);
    }
    this.changed = true;
  }
}

function readHead(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new ElfEditError(`getting info about '${path}': ${(e as Error).message}`);
  }
  try {
    const b = Buffer.alloc(64);
    const n = readSync(fd, b, 0, 64, 0);
    return b.subarray(0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The dynamic facts as the loader finds them: program headers, and DT_STRTAB through PT_LOAD. */
export interface DynamicFacts {
  interpreter: string | null;
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  needed: string[];
}

export function readDynamicFacts(bytes: Uint8Array): DynamicFacts {
  const img = new ElfImage(bytes);
  const b = img.bytes;
  const facts: DynamicFacts = {
    interpreter: null,
    soname: null,
    rpath: null,
    runpath: null,
    needed: [],
  };
  const inFile = (off: bigint, size: bigint, what: string) => {
    if (off + size > BigInt(b.length)) throw new ElfEditError(`${what} lies outside the file`);
    return Number(off);
  };
  const interp = img.phdrs.find((p) => p.type === PT_INTERP);
  if (interp !== undefined) {
    const at = inFile(interp.offset, interp.filesz, "PT_INTERP");
    facts.interpreter = cstr(b.subarray(at, at + Number(interp.filesz)), 0);
  }
  // PT_DYNAMIC, as the loader finds it (an empty one holds nothing); a file without one (a
  // linker script's oddity) by its SHT_DYNAMIC section.
  const dynP = img.phdrs.find((p) => p.type === PT_DYNAMIC);
  const dynS = img.shdrs.find((s) => s.type === SHT_DYNAMIC);
  const ext =
    dynP !== undefined
      ? { offset: dynP.offset, size: dynP.filesz }
      : dynS !== undefined
        ? { offset: dynS.offset, size: dynS.size }
        : null;
  if (ext === null || ext.size === 0n) return facts;
  const at = inFile(ext.offset, ext.size, "the dynamic section");
  const dyn = new Dynamic(img, b.subarray(at, at + Number(ext.size)));
  const entries = dyn.entries().at;
  const strtab = entries.find((e) => dyn.tag(e) === DT_STRTAB);
  if (strtab === undefined) return facts;
  const addr = dyn.value(strtab);
  const load = img.phdrs.find(
    (p) => p.type === PT_LOAD && addr >= p.vaddr && addr < p.vaddr + p.filesz,
  );
  if (load === undefined) throw new ElfEditError("DT_STRTAB lies in no PT_LOAD");
  // The table may run on into the next PT_LOAD when the two are contiguous in memory and in
  // the file (a grown executable's first pages are several segments).
  const delta = load.vaddr - load.offset;
  let endAddr = load.vaddr + load.filesz;
  for (let more = true; more;) {
    more = false;
    for (const p of img.phdrs) {
      if (
        p.type === PT_LOAD &&
        p.vaddr === endAddr &&
        p.vaddr - p.offset === delta &&
        p.filesz > 0n
      ) {
        endAddr = p.vaddr + p.filesz;
        more = true;
      }
    }
  }
  const start = inFile(load.offset + (addr - load.vaddr), 0n, "the string table");
  const end = inFile(endAddr - delta, 0n, "the segment");
  // DT_STRSZ bounds the table, as readers (and the loader's checks) take it.
  const strsz = entries.find((e) => dyn.tag(e) === DT_STRSZ);
  const size = strsz === undefined ? end - start : Math.min(end - start, Number(dyn.value(strsz)));
  const str = b.subarray(start, start + size);
  for (const e of entries) {
    const t = dyn.tag(e);
    if (t === DT_NEEDED) facts.needed.push(cstr(str, dyn.value(e)));
    else if (t === DT_SONAME) facts.soname = cstr(str, dyn.value(e));
    else if (t === DT_RPATH) facts.rpath = cstr(str, dyn.value(e));
    else if (t === DT_RUNPATH) facts.runpath = cstr(str, dyn.value(e));
  }
  return facts;
}

/** The NEEDED list the edits ask for, from the one before. */
function expectedNeeded(before: string[], o: PatchOptions): string[] {
  const remove = new Set(o.removeNeeded ?? []);
  const replace = new Map(o.replaceNeeded ?? []);
  const kept = before.filter((n) => !remove.has(n)).map((n) => asRead(replace.get(n) ?? n));
  const added = [...new Set(o.addNeeded ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...added.map(asRead), ...kept];
}

function verify(before: DynamicFacts, out: Uint8Array, e: Expect, o: PatchOptions): void {
  let after: DynamicFacts;
  try {
    after = readDynamicFacts(out);
  } catch (err) {
    throw new ElfEditError(
      `the edited file does not read back (${(err as Error).message}); the file is left as it was`,
    );
  }
  const bad: string[] = [];
  const check = (what: string, want: string | null, got: string | null) => {
    if (want !== got)
      bad.push(`${what} reads back as ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
  };
  if (e.interpreter !== undefined) check("the interpreter", e.interpreter, after.interpreter);
  if (e.soname !== undefined) check("DT_SONAME", e.soname, after.soname);
  if (e.rpath !== undefined) {
    if (e.rpath.value === null) {
      check("DT_RUNPATH", null, after.runpath);
      check("DT_RPATH", null, after.rpath);
    } else if (e.rpath.force) check("DT_RPATH", e.rpath.value, after.rpath);
    else check("the run path", e.rpath.value, after.runpath ?? after.rpath);
  }
  const neededEdits =
    (o.addNeeded ?? []).length + (o.removeNeeded ?? []).length + (o.replaceNeeded ?? []).length > 0;
  if (neededEdits) {
    const want = expectedNeeded(before.needed, o);
    if (want.join("\0") !== after.needed.join("\0")) {
      bad.push(`NEEDED reads back as [${after.needed.join(", ")}], not [${want.join(", ")}]`);
    }
  } else if (before.needed.join("\0") !== after.needed.join("\0")) {
    bad.push(`NEEDED changed to [${after.needed.join(", ")}] though no edit asked for it`);
  }
  if (bad.length > 0) {
    throw new ElfEditError(
      `the edit did not come out as asked: ${bad.join("; ")}. The file is left as it was.`,
    );
  }
}

/** Runs patchelf's operations on `input` (never changed) and returns the result. */
export function runPatchelf(input: Uint8Array, o: PatchOptions): PatchResult {
  try {
    return run(input, o);
  } catch (e) {
    // A read past the end of a (damaged) file: a format error, not a crash.
    if (e instanceof RangeError) {
      throw new ElfEditError(`data region extends past file end (${e.message})`);
    }
    throw e;
  }
}

function run(input: Uint8Array, o: PatchOptions): PatchResult {
  const debug = o.debug ?? (() => {});
  const img = new ElfImage(input);
  img.debug = debug;
  if (o.pageSize !== undefined) img.forcedPageSize = o.pageSize;
  const ed = new Editor(img, debug);
  if (o.noSort === true) img.noSort = true;
  if (o.printOsAbi === true) {
    const v = img.bytes[7]!;
    ed.printed.push(
      osAbis.find((a) => a.value === v)?.name ?? `0x${v.toString(16).padStart(2, "0")}`,
    );
  }
  if (o.setOsAbi !== undefined) {
    const v = osAbiValue(o.setOsAbi);
    if (img.bytes[7] !== v) {
      img.bytes[7] = v;
      ed.changed = true;
    }
  }
  if (o.printExecstack === true || o.execstack !== undefined) {
    const stack = img.phdrs.find((p) => p.type === PT_GNU_STACK);
    if (o.printExecstack === true) {
      ed.printed.push(
        `execstack: ${stack === undefined ? "?" : (stack.flags & PF_X) !== 0 ? "X" : "-"}`,
      );
    }
    if (o.execstack !== undefined) {
      if (stack === undefined) {
        throw new ElfEditError(
          "the file has no PT_GNU_STACK program header, so its stack is executable by default; " +
            "this edit cannot add one",
        );
      }
      const flags = o.execstack ? stack.flags | PF_X : stack.flags & ~PF_X;
      if (flags !== stack.flags) {
        stack.flags = flags;
        img.writeHeaders();
        ed.changed = true;
      }
    }
  }
  if (o.printInterpreter === true) ed.printed.push(ed.interpreter());
  if (o.printSoname === true || o.setSoname !== undefined) ed.soname(o);
  if (o.setInterpreter !== undefined && o.setInterpreter !== "")
    ed.setInterpreter(o.setInterpreter);
  if (o.printRpath === true) ed.rpath(o, "print");
  const op =
    o.shrinkRpath !== undefined
      ? "shrink"
      : o.removeRpath === true
        ? "remove"
        : o.setRpath !== undefined
          ? "set"
          : o.addRpath !== undefined
            ? "add"
            : null;
  if (op !== null) ed.rpath(o, op);
  if (o.printNeeded === true) {
    const dyn = ed.dynamic();
    const str = img.contents(".dynstr");
    for (const e of dyn.entries().at)
      if (dyn.tag(e) === DT_NEEDED) ed.printed.push(cstr(str, dyn.value(e)));
  }
  ed.removeNeeded(new Set(o.removeNeeded ?? []));
  ed.replaceNeeded(new Map(o.replaceNeeded ?? []));
  ed.addNeeded(o.addNeeded ?? []);
  ed.clearSymbolVersions(new Set(o.clearSymbolVersion ?? []));
  if (o.noDefaultLib === true) ed.addTag(DT_FLAGS_1, DF_1_NODEFLIB);
  if (o.addDebugTag === true) ed.addTag(DT_DEBUG, 0n);
  if (!ed.changed) return { bytes: input, changed: false, printed: ed.printed };
  img.rewrite();
  let before: DynamicFacts;
  try {
    before = readDynamicFacts(input);
  } catch (e) {
    // An edit that cannot be checked is not made.
    throw new ElfEditError(
      `the file cannot be read as the loader reads it (${(e as Error).message}), so an edit ` +
        "could not be checked; it is refused and the file is left as it was",
    );
  }
  verify(before, img.bytes, ed.expect, o);
  return { bytes: img.bytes, changed: true, printed: ed.printed };
}

/** Applies the edits and returns the new bytes (a copy of the input when nothing changed). */
export function patchElf(input: Uint8Array, o: PatchOptions): Uint8Array {
  const r = runPatchelf(input, o);
  return r.changed ? r.bytes : Buffer.from(input);
}
