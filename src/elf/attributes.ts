/**
 * Architecture attributes: what an ELF file says about the instruction set
 * it needs. ARM and RISC-V record it in a build-attributes section
 * (`.ARM.attributes`, `.riscv.attributes`: format-version 'A', then vendor
 * subsections of tag/value pairs), MIPS in e_flags (EF_MIPS_ARCH). GNU
 * readelf's `-A` prints the same facts. Nothing here imports the rest of xpkgs.
 */
import { EM_ARM, EM_MIPS, EM_RISCV } from "./constants.js";
import type { ElfFile } from "./parse.js";
import { ElfFormatError, Reader } from "./reader.js";

/** SHT_ARM_ATTRIBUTES and SHT_RISCV_ATTRIBUTES share the number. */
export const SHT_ARCH_ATTRIBUTES = 0x70000003;
/** `.gnu.attributes` (MIPS and PowerPC floating-point ABI). */
export const SHT_GNU_ATTRIBUTES = 0x6ffffff5;

/** Sub-subsection scopes (Tag_File, Tag_Section, Tag_Symbol). */
const TAG_FILE = 1;

export type AttributeValue = number | string;

/** One vendor subsection, its file-scope attributes by tag number. */
export interface VendorAttributes {
  vendor: string;
  file: Map<number, AttributeValue>;
}

/** ARM EABI tags (ARM IHI 0045, "Addenda to the ARM ELF"). */
export const Tag_CPU_name = 5;
export const Tag_CPU_arch = 6;
export const Tag_CPU_arch_profile = 7;
export const Tag_ARM_ISA_use = 8;
export const Tag_THUMB_ISA_use = 9;
export const Tag_FP_arch = 10;
export const Tag_ABI_VFP_args = 28;
/** RISC-V psABI tags. */
export const Tag_RISCV_arch = 5;

/** Tag_CPU_arch values, as GNU readelf names them. */
export const armCpuArchNames: readonly string[] = [
  "Pre-v4",
  "v4",
  "v4T",
  "v5T",
  "v5TE",
  "v5TEJ",
  "v6",
  "v6KZ",
  "v6T2",
  "v6K",
  "v7",
  "v6-M",
  "v6S-M",
  "v7E-M",
  "v8",
  "v8-R",
  "v8-M.baseline",
  "v8-M.mainline",
  "v8.1-A",
  "v8.2-A",
  "v8.3-A",
  "v8.1-M.mainline",
  "v9",
];
/** Tag_FP_arch values, as GNU readelf names them. */
export const armFpArchNames: readonly string[] = [
  "No",
  "VFPv1",
  "VFPv2",
  "VFPv3",
  "VFPv3-D16",
  "VFPv4",
  "VFPv4-D16",
  "FP for ARMv8",
  "FPv5/FP-D16 for ARMv8",
];
/** Tag_ABI_VFP_args values. */
export const armVfpArgsNames: readonly string[] = [
  "AAPCS",
  "VFP registers",
  "custom",
  "compatible",
];
/** EF_MIPS_ARCH values (e_flags >>> 28). */
export const mipsIsaNames: readonly string[] = [
  "mips1",
  "mips2",
  "mips3",
  "mips4",
  "mips5",
  "mips32",
  "mips64",
  "mips32r2",
  "mips64r2",
  "mips32r6",
  "mips64r6",
];
export const EF_MIPS_ARCH = 0xf0000000;

function uleb(r: Reader, o: number, end: number, what: string): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = o; i < end; i++) {
    const b = r.u8(i, what);
    if (shift < 49) value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new ElfFormatError(`${what} runs past its subsection`, o);
}

/** Whether a tag's value is a NUL-terminated string (else a ULEB128), per vendor. */
function isStringTag(vendor: string, tag: number): boolean {
  if (vendor === "aeabi" && (tag === 4 || tag === 5 || tag === 67)) return true;
  if (vendor === "riscv") return tag % 2 === 1;
  // The generic rule (GNU and ARM): tags from 32 on are strings when odd.
  return tag > 32 && tag % 2 === 1;
}

/** Parses the bytes of an attributes section (`offset`, `size` in the file). */
export function parseAttributesSection(
  r: Reader,
  offset: number,
  size: number,
): VendorAttributes[] {
  r.check(offset, size, "the attributes section");
  const end = offset + size;
  if (size === 0) return [];
  const version = r.u8(offset, "the attributes format version");
  if (version !== 0x41) {
    throw new ElfFormatError(`the attributes format version is ${version}, not 'A'`, offset);
  }
  const out: VendorAttributes[] = [];
  let o = offset + 1;
  while (o + 4 <= end) {
    const len = r.u32(o, "an attributes subsection's length");
    if (len < 5 || o + len > end) {
      throw new ElfFormatError(`an attributes subsection's length ${len} is out of bounds`, o);
    }
    const subEnd = o + len;
    const vendor = r.cstring(o + 4, subEnd, "an attributes vendor name");
    const entry: VendorAttributes = { vendor, file: new Map() };
    out.push(entry);
    let p = o + 4 + vendor.length + 1;
    while (p + 5 <= subEnd) {
      const scope = r.u8(p, "an attributes scope tag");
      const slen = r.u32(p + 1, "an attributes scope's length");
      if (slen < 5 || p + slen > subEnd) {
        throw new ElfFormatError(`an attributes scope's length ${slen} is out of bounds`, p + 1);
      }
      const scopeEnd = p + slen;
      // Only the file scope says what the whole file needs; section and symbol scopes refine it.
      if (scope === TAG_FILE) readPairs(r, vendor, p + 5, scopeEnd, entry.file);
      p = scopeEnd;
    }
    o = subEnd;
  }
  return out;
}

function readPairs(
  r: Reader,
  vendor: string,
  start: number,
  end: number,
  into: Map<number, AttributeValue>,
): void {
  let p = start;
  while (p < end) {
    const [tag, afterTag] = uleb(r, p, end, "an attribute tag");
    p = afterTag;
    if (tag === 32) {
      // Tag_compatibility: a flag, then a vendor name.
      const [flag, afterFlag] = uleb(r, p, end, "Tag_compatibility");
      const name = r.cstring(afterFlag, end, "Tag_compatibility's vendor");
      into.set(tag, `${flag} ${name}`);
      p = afterFlag + name.length + 1;
    } else if (isStringTag(vendor, tag)) {
      const s = r.cstring(p, end, `attribute ${tag}'s string`);
      into.set(tag, s);
      p += s.length + 1;
    } else {
      const [v, next] = uleb(r, p, end, `attribute ${tag}'s value`);
      into.set(tag, v);
      p = next;
    }
  }
}

function readerFor(elf: ElfFile): Reader {
  const b = elf.bytes;
  return new Reader(
    new DataView(b.buffer, b.byteOffset, b.byteLength),
    elf.endianness === "little",
    elf.class === 64,
  );
}

/** Every attributes section of the file (architecture and GNU), in section order. */
export function readAttributes(elf: ElfFile): VendorAttributes[] {
  const r = readerFor(elf);
  const archSection = elf.machine === EM_ARM || elf.machine === EM_RISCV;
  return elf.sections
    .filter(
      (s) =>
        (archSection && s.type === SHT_ARCH_ATTRIBUTES) ||
        s.type === SHT_GNU_ATTRIBUTES ||
        // Some linkers keep the name and drop the type.
        s.name === ".ARM.attributes" ||
        s.name === ".riscv.attributes",
    )
    .flatMap((s) => parseAttributesSection(r, s.offset, s.size));
}

/** What an ELF file records about the instruction set it needs; fields are absent when not recorded. */
export interface ArchAttributes {
  /** ARM Tag_CPU_arch, Tag_CPU_name, Tag_THUMB_ISA_use, Tag_FP_arch, Tag_ABI_VFP_args. */
  armCpuArch?: number;
  armCpuName?: string;
  armThumb?: number;
  armFpArch?: number;
  armVfpArgs?: number;
  /** RISC-V Tag_RISCV_arch, as written ("rv64i2p1_m2p0_…"). */
  riscvArch?: string;
  /** MIPS EF_MIPS_ARCH (0 = mips1 … 10 = mips64r6). */
  mipsIsa?: number;
}

export function archAttributes(elf: ElfFile): ArchAttributes {
  const out: ArchAttributes = {};
  if (elf.machine === EM_MIPS) out.mipsIsa = (elf.flags & EF_MIPS_ARCH) >>> 28;
  if (elf.machine !== EM_ARM && elf.machine !== EM_RISCV) return out;
  for (const v of readAttributes(elf)) {
    const num = (t: number) => {
      const x = v.file.get(t);
      return typeof x === "number" ? x : undefined;
    };
    if (v.vendor === "aeabi") {
      const name = v.file.get(Tag_CPU_name);
      if (typeof name === "string") out.armCpuName = name;
      const set = <K extends keyof ArchAttributes>(k: K, t: number) => {
        const x = num(t);
        if (x !== undefined) (out as Record<string, unknown>)[k] = x;
      };
      set("armCpuArch", Tag_CPU_arch);
      set("armThumb", Tag_THUMB_ISA_use);
      set("armFpArch", Tag_FP_arch);
      set("armVfpArgs", Tag_ABI_VFP_args);
    } else if (v.vendor === "riscv") {
      const arch = v.file.get(Tag_RISCV_arch);
      if (typeof arch === "string") out.riscvArch = arch;
    }
  }
  return out;
}

/** A RISC-V ISA string split into its base ("rv64") and extension names (versions dropped). */
export function parseRiscvArch(arch: string): { base: string; extensions: string[] } | null {
  const m = /^(rv(?:32|64)(?:i|e|g))(.*)$/.exec(arch.toLowerCase());
  if (m === null) return null;
  const base = m[1]!.slice(0, 4);
  const extensions: string[] = [m[1]!.slice(4)];
  const [first, ...rest] = m[2]!.split("_");
  // The first group continues the single-letter extensions: "2p1m2p0…" or "mafdc".
  const strip = (s: string) => s.replace(/\d+(p\d+)?$/, "");
  for (const letter of (first ?? "").replace(/\d+(p\d+)?/g, "")) extensions.push(letter);
  for (const token of rest) {
    if (token === "") continue;
    extensions.push(strip(token));
  }
  return { base, extensions: [...new Set(extensions)] };
}

/** Names for messages. */
export function armCpuArchName(v: number): string {
  return armCpuArchNames[v] ?? `unknown (${v})`;
}
export function armFpArchName(v: number): string {
  return armFpArchNames[v] ?? `unknown (${v})`;
}
export function armVfpArgsName(v: number): string {
  return armVfpArgsNames[v] ?? `unknown (${v})`;
}
export function mipsIsaName(v: number): string {
  return mipsIsaNames[v] ?? `unknown (${v})`;
}
