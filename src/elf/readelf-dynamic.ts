/**
 * `readelf -d`: the dynamic section in GNU readelf 2.40's words, with the
 * tags of each machine (MIPS, PowerPC, AArch64, SPARC, Alpha, RISC-V, IA-64) and each value in the
 * form GNU readelf gives it (a library name, bytes, flags, a count, an address).
 */
import {
  DT_FLAGS_1,
  EM_AARCH64,
  EM_ALPHA,
  EM_MIPS,
  EM_PPC,
  EM_PPC64,
  EM_RISCV,
  EM_SPARCV9,
} from "./constants.js";
import { dynamicString, type DynamicEntry, type ElfFile, readerOf } from "./parse.js";

const EM_IA_64 = 50;
const EM_MIPS_RS3_LE = 10;

export const dynamicTagNames: Readonly<Record<number, string>> = {
  0: "NULL",
  1: "NEEDED",
  2: "PLTRELSZ",
  3: "PLTGOT",
  4: "HASH",
  5: "STRTAB",
  6: "SYMTAB",
  7: "RELA",
  8: "RELASZ",
  9: "RELAENT",
  10: "STRSZ",
  11: "SYMENT",
  12: "INIT",
  13: "FINI",
  14: "SONAME",
  15: "RPATH",
  16: "SYMBOLIC",
  17: "REL",
  18: "RELSZ",
  19: "RELENT",
  20: "PLTREL",
  21: "DEBUG",
  22: "TEXTREL",
  23: "JMPREL",
  24: "BIND_NOW",
  25: "INIT_ARRAY",
  26: "FINI_ARRAY",
  27: "INIT_ARRAYSZ",
  28: "FINI_ARRAYSZ",
  29: "RUNPATH",
  30: "FLAGS",
  32: "PREINIT_ARRAY",
  33: "PREINIT_ARRAYSZ",
  34: "SYMTAB_SHNDX",
  35: "RELRSZ",
  36: "RELR",
  37: "RELRENT",
  0x6ffffdf4: "GNU_FLAGS_1",
  0x6ffffdf5: "GNU_PRELINKED",
  0x6ffffdf6: "GNU_CONFLICTSZ",
  0x6ffffdf7: "GNU_LIBLISTSZ",
  0x6ffffdf8: "CHECKSUM",
  0x6ffffdf9: "PLTPADSZ",
  0x6ffffdfa: "MOVEENT",
  0x6ffffdfb: "MOVESZ",
  0x6ffffdfc: "FEATURE",
  0x6ffffdfd: "POSFLAG_1",
  0x6ffffdfe: "SYMINSZ",
  0x6ffffdff: "SYMINENT",
  0x6ffffe00: "ADDRRNGLO",
  0x6ffffef5: "GNU_HASH",
  0x6ffffef6: "TLSDESC_PLT",
  0x6ffffef7: "TLSDESC_GOT",
  0x6ffffef8: "GNU_CONFLICT",
  0x6ffffef9: "GNU_LIBLIST",
  0x6ffffefa: "CONFIG",
  0x6ffffefb: "DEPAUDIT",
  0x6ffffefc: "AUDIT",
  0x6ffffefd: "PLTPAD",
  0x6ffffefe: "MOVETAB",
  0x6ffffeff: "SYMINFO",
  0x6ffffff0: "VERSYM",
  0x6ffffff9: "RELACOUNT",
  0x6ffffffa: "RELCOUNT",
  0x6ffffffb: "FLAGS_1",
  0x6ffffffc: "VERDEF",
  0x6ffffffd: "VERDEFNUM",
  0x6ffffffe: "VERNEED",
  0x6fffffff: "VERNEEDNUM",
  0x7ffffffd: "AUXILIARY",
  0x7ffffffe: "USED",
  0x7fffffff: "FILTER",
};

/** The processor-specific tags (DT_LOPROC + n) of each machine. */
const mipsTags: Readonly<Record<number, string>> = {
  0x1: "RLD_VERSION",
  0x2: "TIME_STAMP",
  0x3: "ICHECKSUM",
  0x4: "IVERSION",
  0x5: "FLAGS",
  0x6: "BASE_ADDRESS",
  0x7: "MSYM",
  0x8: "CONFLICT",
  0x9: "LIBLIST",
  0xa: "LOCAL_GOTNO",
  0xb: "CONFLICTNO",
  0x10: "LIBLISTNO",
  0x11: "SYMTABNO",
  0x12: "UNREFEXTNO",
  0x13: "GOTSYM",
  0x14: "HIPAGENO",
  0x16: "RLD_MAP",
  0x17: "DELTA_CLASS",
  0x18: "DELTA_CLASS_NO",
  0x19: "DELTA_INSTANCE",
  0x1a: "DELTA_INSTANCE_NO",
  0x1b: "DELTA_RELOC",
  0x1c: "DELTA_RELOC_NO",
  0x1d: "DELTA_SYM",
  0x1e: "DELTA_SYM_NO",
  0x20: "DELTA_CLASSSYM",
  0x21: "DELTA_CLASSSYM_NO",
  0x22: "CXX_FLAGS",
  0x23: "PIXIE_INIT",
  0x24: "SYMBOL_LIB",
  0x25: "LOCALPAGE_GOTIDX",
  0x26: "LOCAL_GOTIDX",
  0x27: "HIDDEN_GOTIDX",
  0x28: "PROTECTED_GOTIDX",
  0x29: "OPTIONS",
  0x2a: "INTERFACE",
  0x2b: "DYNSTR_ALIGN",
  0x2c: "INTERFACE_SIZE",
  0x2d: "RLD_TEXT_RESOLVE_ADDR",
  0x2e: "PERF_SUFFIX",
  0x2f: "COMPACT_SIZE",
  0x30: "GP_VALUE",
  0x31: "AUX_DYNAMIC",
  0x32: "PLTGOT",
  0x34: "RWPLT",
  0x35: "RLD_MAP_REL",
  0x36: "XHASH",
};

const processorTags: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [EM_AARCH64]: { 0x1: "AARCH64_BTI_PLT", 0x3: "AARCH64_PAC_PLT", 0x5: "AARCH64_VARIANT_PCS" },
  [EM_PPC]: { 0x0: "PPC_GOT", 0x1: "PPC_OPT" },
  [EM_PPC64]: { 0x0: "PPC64_GLINK", 0x1: "PPC64_OPD", 0x2: "PPC64_OPDSZ", 0x3: "PPC64_OPT" },
  [EM_SPARCV9]: { 0x1: "SPARC_REGISTER" },
  [EM_ALPHA]: { 0x0: "ALPHA_PLTRO" },
  [EM_RISCV]: { 0x1: "RISCV_VARIANT_CC" },
  [EM_IA_64]: { 0x0: "IA_64_PLT_RESERVE" },
};

const ia64OsTags: Readonly<Record<number, string>> = {
  0x60000000: "IA_64_VMS_SUBTYPE",
  0x60000002: "IA_64_VMS_IMGIOCNT",
  0x60000008: "IA_64_VMS_LNKFLAGS",
  0x6000000a: "IA_64_VMS_VIR_MEM_BLK_SIZ",
  0x6000000c: "IA_64_VMS_IDENT",
};

/** A dynamic tag's name, as GNU readelf gives it (and as DT_PLTREL's value is shown). */
export function dynamicTagName(machine: number, tag: bigint): string {
  const t = Number(BigInt.asUintN(64, tag));
  const known = tag >= 0n && tag <= 0x7fffffffn ? dynamicTagNames[t] : undefined;
  if (known !== undefined) return known;
  if (tag >= 0x70000000n && tag <= 0x7fffffffn) {
    const k = t - 0x70000000;
    if (machine === EM_MIPS || machine === EM_MIPS_RS3_LE) {
      if (mipsTags[k] !== undefined) return `MIPS_${mipsTags[k]}`;
    } else if (processorTags[machine]?.[k] !== undefined) {
      return processorTags[machine]![k]!;
    }
    return `Processor Specific: ${t.toString(16)}`;
  }
  if (tag >= 0x6000000dn && tag <= 0x6ffff000n) {
    if (machine === EM_IA_64 && ia64OsTags[t] !== undefined) return ia64OsTags[t]!;
    return `Operating System specific: ${t.toString(16)}`;
  }
  if (machine === EM_IA_64 && ia64OsTags[t] !== undefined) return ia64OsTags[t]!;
  return `<unknown>: ${BigInt.asUintN(64, tag).toString(16)}`;
}

const sizeTags = new Set([
  2, 8, 10, 18, 9, 11, 19, 0x6ffffdf9, 0x6ffffdfa, 0x6ffffdfb, 35, 37, 33, 27, 28, 0x6ffffdf6,
  0x6ffffdf7, 0x6ffffdfe, 0x6ffffdff,
]);
const countTags = new Set([0x6ffffffd, 0x6ffffff9, 0x6ffffffa, 0x6fffffff]);

const dtFlagNames: Readonly<Record<number, string>> = {
  1: "ORIGIN",
  2: "SYMBOLIC",
  4: "TEXTREL",
  8: "BIND_NOW",
  0x10: "STATIC_TLS",
};

const dtFlag1Names = [
  "NOW",
  "GLOBAL",
  "GROUP",
  "NODELETE",
  "LOADFLTR",
  "INITFIRST",
  "NOOPEN",
  "ORIGIN",
  "DIRECT",
  "TRANS",
  "INTERPOSE",
  "NODEFLIB",
  "NODUMP",
  "CONFALT",
  "ENDFILTEE",
  "DISPRELDNE",
  "DISPRELPND",
  "NODIRECT",
  "IGNMULDEF",
  "NOKSYMS",
  "NOHDR",
  "EDITED",
  "NORELOC",
  "SYMINTPOSE",
  "GLOBAUDIT",
  "SINGLETON",
  "STUB",
  "PIE",
  "KMOD",
  "WEAKFILTER",
  "NOCOMMON",
];

const mipsFlagNames = [
  "QUICKSTART",
  "NOTPOT",
  "NO_LIBRARY_REPLACEMENT",
  "NO_MOVE",
  "SGI_ONLY",
  "GUARANTEE_INIT",
  "DELTA_C_PLUS_PLUS",
  "GUARANTEE_START_INIT",
  "PIXIE",
  "DEFAULT_DELAY_LOAD",
  "REQUICKSTART",
  "REQUICKSTARTED",
  "CORD",
  "NO_UNRES_UNDEF",
  "RLD_ORDER_SAFE",
];

const mipsDecimal = new Set([
  0x1, 0xa, 0xb, 0x10, 0x11, 0x12, 0x14, 0x18, 0x1a, 0x1c, 0x1e, 0x21, 0x2f,
]);

/** Names of the set bits, lowest first; `extra` for the bits with no name. */
function bitWords(
  v: bigint,
  names: (string | undefined)[],
  extra: (rest: bigint) => string[],
): string[] {
  const out: string[] = [];
  let rest = v;
  for (let i = 0; i < names.length; i++) {
    const bit = 1n << BigInt(i);
    if ((v & bit) !== 0n && names[i] !== undefined) {
      out.push(names[i]!);
      rest &= ~bit;
    }
  }
  return rest === 0n ? out : [...out, ...extra(rest)];
}

function utcStamp(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) return "<corrupt>";
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function dynamicValue(elf: ElfFile, e: DynamicEntry, str: () => string | null): string {
  const hx = `0x${e.value.toString(16)}`;
  const tag = e.tag;
  const t = Number(BigInt.asUintN(32, tag));
  const generic = tag >= 0n && tag <= 0x7fffffffn;
  if (generic) {
    switch (t) {
      case 1:
      case 14:
      case 15:
      case 29: {
        const s = str();
        if (s === null) return hx;
        if (t === 1) {
          const interp =
            elf.interpreter !== null && elf.interpreter !== "" && s === elf.interpreter;
          return `Shared library: [${s}]${interp ? " program interpreter" : ""}`;
        }
        if (t === 14) return `Library soname: [${s}]`;
        if (t === 15) return `Library rpath: [${s}]`;
        return `Library runpath: [${s}]`;
      }
      case 0x7ffffffd:
      case 0x7fffffff:
      case 0x6ffffefa:
      case 0x6ffffefb:
      case 0x6ffffefc: {
        const what = {
          0x7ffffffd: "Auxiliary library",
          0x7fffffff: "Filter library",
          0x6ffffefa: "Configuration file",
          0x6ffffefb: "Dependency audit library",
          0x6ffffefc: "Audit library",
        }[t]!;
        const s = str();
        return s === null ? `${what}: ${hx}` : `${what}: [${s}]`;
      }
      case 0x7ffffffe: {
        const s = str();
        return s === null ? hx : `Not needed object: [${s}]`;
      }
      case 30: {
        let rest = e.value;
        const words: string[] = [];
        while (rest !== 0n) {
          const bit = rest & -rest;
          rest &= ~bit;
          words.push(dtFlagNames[Number(bit)] ?? "unknown");
        }
        return words.join(" ");
      }
      case DT_FLAGS_1:
        if (e.value === 0n) return "Flags: None";
        return `Flags:${bitWords(e.value, dtFlag1Names, (r) => [r.toString(16)])
          .map((w) => ` ${w}`)
          .join("")}`;
      case 0x6ffffdfd:
        if (e.value === 0n) return "Flags: None";
        return `Flags:${bitWords(e.value, ["LAZYLOAD", "GROUPPERM"], (r) => [r.toString(16)])
          .map((w) => ` ${w}`)
          .join("")}`;
      case 0x6ffffdfc:
        if (e.value === 0n) return "Flags: None";
        return `Flags:${bitWords(e.value, ["PARINIT", "CONFEXP"], (r) => [r.toString(16)])
          .map((w) => ` ${w}`)
          .join("")}`;
      case 0x6ffffdf4:
        if (e.value === 0n) return "Flags: None";
        return `Flags:${bitWords(e.value, ["UNIQUE"], (r) => [r.toString(16)])
          .map((w) => ` ${w}`)
          .join("")}`;
      case 20:
        return dynamicTagName(elf.machine, e.value);
      case 24:
        return "";
      case 0x6ffffdf5:
        return utcStamp(e.value);
    }
    if (sizeTags.has(t)) return `${e.value} (bytes)`;
    if (countTags.has(t)) return `${e.value}`;
    if (dynamicTagNames[t] !== undefined) return hx;
  }
  if (elf.machine === EM_MIPS || elf.machine === EM_MIPS_RS3_LE) {
    const k = t - 0x70000000;
    if (tag >= 0x70000000n && tag <= 0x7fffffffn) {
      if (k === 0x5) {
        if (e.value === 0n) return "NONE";
        return bitWords(e.value, mipsFlagNames, () => []).join(" ");
      }
      if (k === 0x4) {
        const s = str();
        return s === null
          ? `Interface Version: <corrupt: ${e.value.toString(16)}>`
          : `Interface Version: ${s}`;
      }
      if (k === 0x2) return `Time Stamp: ${utcStamp(e.value)}`;
      if (mipsDecimal.has(k)) return `${e.value}`;
    }
    return hx;
  }
  if (elf.machine === EM_AARCH64 && (tag === 0x70000001n || tag === 0x70000003n)) return "";
  return hx;
}

const hex = (n: bigint) => n.toString(16);

/** `readelf -d`. */
export function formatDynamic(elf: ElfFile): string {
  if (elf.dynamic.length === 0) return "\nThere is no dynamic section in this file.\n";
  const r = readerOf(elf);
  const is64 = elf.class === 64;
  const at = elf.dynamic[0]!.at;
  const n = elf.dynamic.length;
  const out = [
    "",
    `Dynamic section at offset 0x${at.toString(16)} contains ${n} ${n === 1 ? "entry" : "entries"}:`,
    "  Tag        Type                         Name/Value",
  ];
  for (const e of elf.dynamic) {
    const raw = BigInt.asUintN(is64 ? 64 : 32, e.tag);
    const tagHex = `0x${hex(raw).padStart(is64 ? 16 : 8, "0")}`;
    const name = dynamicTagName(elf.machine, e.tag);
    const padTo = (is64 ? 19 : 27) - name.length;
    const str = (): string | null => {
      if (elf.dynstrOffset === null || e.value >= BigInt(elf.dynstrSize)) return null;
      try {
        return dynamicString(elf, r, e);
      } catch {
        return null;
      }
    };
    // C's "%*s" of one space: a negative width pads as much on the right, so a long name does
    // not always get a single space after it.
    out.push(
      ` ${tagHex} (${name})${" ".repeat(Math.max(1, Math.abs(padTo)))}${dynamicValue(elf, e, str)}`,
    );
  }
  return `${out.join("\n")}\n`;
}
