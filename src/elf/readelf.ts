/**
 * `xpkgs readelf`: the views of GNU readelf, laid out as it lays them out.
 * The file header (-h), program headers with the section-to-segment map
 * (-l) and the dynamic section (-d) follow GNU readelf 2.40 line for line;
 * sections (-S), notes (-n), symbols (-s) and versions (-V) keep its columns.
 */
import {
  DF_1_PIE,
  DT_FLAGS_1,
  EM_ARM,
  EM_MIPS,
  EM_PPC,
  EM_PPC64,
  EM_RISCV,
  EM_S390,
  PT_DYNAMIC,
  PT_GNU_EH_FRAME,
  PT_GNU_RELRO,
  PT_GNU_STACK,
  PT_INTERP,
  PT_LOAD,
  PT_NOTE,
  PT_PHDR,
  PT_TLS,
  SHT_NOBITS,
  osabiNames,
  readelfMachineNames,
} from "./constants.js";
import {
  dynamicString,
  type ElfFile,
  type ProgramHeader,
  type SectionHeader,
  readerOf,
} from "./parse.js";
import {
  type ElfSymbol,
  noteDesc,
  readNotes,
  readSymbols,
  readVersionDefs,
  readVersionNeeds,
  symbolTables,
} from "./tables.js";

const hex = (n: number | bigint) => n.toString(16);
const pad = (s: string, n: number) => s.padStart(n, "0");
const col = (label: string) => `  ${label}`.padEnd(37);

export function fileTypeName(elf: ElfFile): string {
  switch (elf.type) {
    case 0:
      return "NONE (None)";
    case 1:
      return "REL (Relocatable file)";
    case 2:
      return "EXEC (Executable file)";
    case 3: {
      const f1 = elf.dynamic.find((e) => e.tag === BigInt(DT_FLAGS_1));
      return f1 !== undefined && (f1.value & BigInt(DF_1_PIE)) !== 0n
        ? "DYN (Position-Independent Executable file)"
        : "DYN (Shared object file)";
    }
    case 4:
      return "CORE (Core file)";
    default:
      if (elf.type >= 0xff00) return `Processor Specific: (${hex(elf.type)})`;
      if (elf.type >= 0xfe00) return `OS Specific: (${hex(elf.type)})`;
      return `<unknown>: ${hex(elf.type)}`;
  }
}

export function machineFlagWords(machine: number, f: number): string[] {
  const w: string[] = [];
  switch (machine) {
    case EM_ARM: {
      const eabi = f & 0xff000000;
      if (eabi === 0x05000000) {
        w.push("Version5 EABI");
        if (f & 0x400) w.push("hard-float ABI");
        if (f & 0x200) w.push("soft-float ABI");
        if (f & 0x00800000) w.push("BE8");
        if (f & 0x00400000) w.push("LE8");
        if (f & ~0xff000000 & ~0x00c00600) w.push("<unknown>");
      } else if (eabi === 0x04000000) {
        w.push("Version4 EABI");
        if (f & 0x00800000) w.push("BE8");
        if (f & 0x00400000) w.push("LE8");
      } else if (eabi === 0 && f !== 0) {
        w.push("GNU EABI");
      }
      break;
    }
    case EM_RISCV:
      if (f & 1) w.push("RVC");
      if (f & 8) w.push("RVE");
      if (f & 0x10) w.push("TSO");
      w.push(
        ["soft-float ABI", "single-float ABI", "double-float ABI", "quad-float ABI"][(f >> 1) & 3]!,
      );
      break;
    case EM_MIPS: {
      if (f & 1) w.push("noreorder");
      if (f & 2) w.push("pic");
      if (f & 4) w.push("cpic");
      if (f & 0x20) w.push("abi2");
      if (f & 0x100) w.push("32bitmode");
      if (f & 0x200) w.push("fp64");
      if (f & 0x400) w.push("nan2008");
      const abi = { 0x1000: "o32", 0x2000: "o64", 0x3000: "eabi32", 0x4000: "eabi64" }[f & 0xf000];
      if (abi !== undefined) w.push(abi);
      const arch = [
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
      ][(f >>> 28) & 0xf];
      w.push(arch ?? ": unknown ISA");
      break;
    }
    case EM_PPC64:
      if ((f & 3) === 1) w.push("abiv1");
      else if ((f & 3) === 2) w.push("abiv2");
      break;
    case EM_PPC:
      if (f & 0x80000000) w.push("emb");
      if (f & 0x10000) w.push("relocatable");
      if (f & 0x8000) w.push("relocatable-lib");
      break;
    case EM_S390:
      if (f & 1) w.push("highgprs");
      break;
  }
  return w;
}

/** `readelf -h`. */
export function formatHeader(elf: ElfFile): string {
  const magic = Array.from(elf.bytes.subarray(0, 16), (b) => pad(hex(b), 2)).join(" ");
  const flags = [`0x${hex(elf.flags)}`, ...machineFlagWords(elf.machine, elf.flags)].join(", ");
  const lines = [
    "ELF Header:",
    `  Magic:   ${magic} `,
    `${col("Class:")}ELF${elf.class}`,
    `${col("Data:")}2's complement, ${elf.endianness} endian`,
    `${col("Version:")}${elf.bytes[6]}${elf.bytes[6] === 1 ? " (current)" : ""}`,
    `${col("OS/ABI:")}${osabiNames[elf.osabi] ?? `<unknown: ${hex(elf.osabi)}>`}`,
    `${col("ABI Version:")}${elf.abiVersion}`,
    `${col("Type:")}${fileTypeName(elf)}`,
    `${col("Machine:")}${readelfMachineNames[elf.machine] ?? `<unknown>: 0x${hex(elf.machine)}`}`,
    `${col("Version:")}0x${hex(elf.version)}`,
    `${col("Entry point address:")}0x${hex(elf.entry)}`,
    `${col("Start of program headers:")}${elf.phoff} (bytes into file)`,
    `${col("Start of section headers:")}${elf.shoff} (bytes into file)`,
    `${col("Flags:")}${flags}`,
    `${col("Size of this header:")}${elf.ehsize} (bytes)`,
    `${col("Size of program headers:")}${elf.phentsize} (bytes)`,
    `${col("Number of program headers:")}${elf.programHeaders.length}`,
    `${col("Size of section headers:")}${elf.shentsize} (bytes)`,
    `${col("Number of section headers:")}${elf.shnum}`,
    `${col("Section header string table index:")}${elf.shstrndx}`,
  ];
  return `${lines.join("\n")}\n`;
}

const segmentNames: Readonly<Record<number, string>> = {
  0: "NULL",
  1: "LOAD",
  2: "DYNAMIC",
  3: "INTERP",
  4: "NOTE",
  5: "SHLIB",
  6: "PHDR",
  7: "TLS",
  [PT_GNU_EH_FRAME]: "GNU_EH_FRAME",
  [PT_GNU_STACK]: "GNU_STACK",
  [PT_GNU_RELRO]: "GNU_RELRO",
  0x6474e553: "GNU_PROPERTY",
  0x6474e554: "GNU_SFRAME",
};

export function segmentTypeName(machine: number, type: number): string {
  const known = segmentNames[type];
  if (known !== undefined) return known;
  if (machine === EM_ARM && type === 0x70000001) return "EXIDX";
  if (machine === EM_MIPS) {
    const mips: Record<number, string> = {
      0x70000000: "REGINFO",
      0x70000001: "RTPROC",
      0x70000002: "OPTIONS",
      0x70000003: "ABIFLAGS",
    };
    if (mips[type] !== undefined) return mips[type]!;
  }
  if (machine === EM_RISCV && type === 0x70000003) return "RISCV_ATTRIBUT";
  if (machine === 183 && type === 0x70000002) return "AARCH64_MEMTAG_MTE";
  if (machine === EM_S390 && type === 0x70000000) return "S390_PGSTE";
  if (type >= 0x70000000 && type <= 0x7fffffff) return `LOPROC+0x${hex(type - 0x70000000)}`;
  if (type >= 0x60000000 && type <= 0x6fffffff) return `LOOS+0x${hex(type - 0x60000000)}`;
  return `<unknown>: ${hex(type)}`;
}

const SHF_ALLOC = 2;
const SHF_TLS = 0x400;
const U64 = (1n << 64n) - 1n;

/** GNU readelf's strict "section in segment" test (binutils' ELF_SECTION_IN_SEGMENT_STRICT). */
export function sectionInSegment(s: SectionHeader, p: ProgramHeader): boolean {
  const tls = (s.flags & SHF_TLS) !== 0;
  if (tls && s.type === SHT_NOBITS && p.type !== PT_TLS) return false;
  const typeOk =
    (tls && (p.type === PT_TLS || p.type === PT_GNU_RELRO || p.type === PT_LOAD)) ||
    (!tls && p.type !== PT_TLS && p.type !== PT_PHDR);
  if (!typeOk) return false;
  const alloc = (s.flags & SHF_ALLOC) !== 0;
  const allocOnly = [PT_LOAD, PT_DYNAMIC, PT_GNU_EH_FRAME, PT_GNU_STACK, PT_GNU_RELRO, 0x6474e554];
  if (!alloc && (allocOnly.includes(p.type) || (p.type >= 0x6474e555 && p.type <= 0x6474f554))) {
    return false;
  }
  const size = BigInt(!tls || s.type !== SHT_NOBITS || p.type === PT_TLS ? s.size : 0);
  const sub = (a: number, b: number) => (BigInt(a) - BigInt(b)) & U64;
  const off = s.offset;
  if (s.type !== SHT_NOBITS) {
    if (off < p.offset) return false;
    if (sub(off, p.offset) > ((BigInt(p.filesz) - 1n) & U64)) return false;
    if (sub(off, p.offset) + size > BigInt(p.filesz)) return false;
  }
  if (alloc) {
    if (s.addr < p.vaddr) return false;
    if (sub(s.addr, p.vaddr) > ((BigInt(p.memsz) - 1n) & U64)) return false;
    if (sub(s.addr, p.vaddr) + size > BigInt(p.memsz)) return false;
  }
  if ((p.type === PT_DYNAMIC || p.type === PT_NOTE) && s.size === 0 && p.memsz !== 0) {
    const inFile = s.type === SHT_NOBITS || (off > p.offset && off - p.offset < p.filesz);
    const inMem = !alloc || (s.addr > p.vaddr && s.addr - p.vaddr < p.memsz);
    if (!(inFile && inMem)) return false;
  }
  return true;
}

function flagChars(f: number): string {
  return `${f & 4 ? "R" : " "}${f & 2 ? "W" : " "}${f & 1 ? "E" : " "}`;
}

/** `readelf -l`; `afterHeader` when -h was printed just before (GNU readelf then skips the preamble). */
export function formatProgramHeaders(elf: ElfFile, afterHeader = false): string {
  const out: string[] = [];
  if (elf.programHeaders.length === 0) return "\nThere are no program headers in this file.\n";
  if (!afterHeader) {
    out.push(
      "",
      `Elf file type is ${fileTypeName(elf)}`,
      `Entry point 0x${hex(elf.entry)}`,
      `There ${elf.programHeaders.length === 1 ? "is 1 program header" : `are ${elf.programHeaders.length} program headers`}, starting at offset ${elf.phoff}`,
    );
  }
  out.push("", "Program Headers:");
  const is64 = elf.class === 64;
  if (is64) {
    out.push("  Type           Offset             VirtAddr           PhysAddr");
    out.push("                 FileSiz            MemSiz              Flags  Align");
  } else {
    out.push("  Type           Offset   VirtAddr   PhysAddr   FileSiz MemSiz  Flg Align");
  }
  for (const p of elf.programHeaders) {
    const name = segmentTypeName(elf.machine, p.type).padEnd(14);
    if (is64) {
      out.push(
        `  ${name} 0x${pad(hex(p.offset), 16)} 0x${pad(hex(p.vaddr), 16)} 0x${pad(hex(p.paddr), 16)}`,
      );
      out.push(
        `                 0x${pad(hex(p.filesz), 16)} 0x${pad(hex(p.memsz), 16)}  ${flagChars(p.flags)}    0x${hex(p.align)}`,
      );
    } else {
      out.push(
        `  ${name} 0x${pad(hex(p.offset), 6)} 0x${pad(hex(p.vaddr), 8)} 0x${pad(hex(p.paddr), 8)} 0x${pad(hex(p.filesz), 5)} 0x${pad(hex(p.memsz), 5)} ${flagChars(p.flags)} 0x${hex(p.align)}`,
      );
    }
    if (p.type === PT_INTERP && elf.interpreter !== null && elf.interpreter !== "") {
      out.push(`      [Requesting program interpreter: ${elf.interpreter}]`);
    }
  }
  if (elf.sections.length > 0) {
    out.push("", " Section to Segment mapping:", "  Segment Sections...");
    elf.programHeaders.forEach((p, i) => {
      const names = elf.sections
        .slice(1)
        .filter((s) => sectionInSegment(s, p))
        .map((s) => `${s.name} `)
        .join("");
      out.push(`   ${pad(String(i), 2)}     ${names}`);
    });
  }
  return `${out.join("\n")}\n`;
}

const sectionTypeNames: Readonly<Record<number, string>> = {
  0: "NULL",
  1: "PROGBITS",
  2: "SYMTAB",
  3: "STRTAB",
  4: "RELA",
  5: "HASH",
  6: "DYNAMIC",
  7: "NOTE",
  8: "NOBITS",
  9: "REL",
  10: "SHLIB",
  11: "DYNSYM",
  14: "INIT_ARRAY",
  15: "FINI_ARRAY",
  16: "PREINIT_ARRAY",
  17: "GROUP",
  18: "SYMTAB SECTION INDICES",
  19: "RELR",
  0x6ffffff5: "GNU_ATTRIBUTES",
  0x6ffffff6: "GNU_HASH",
  0x6ffffffd: "VERDEF",
  0x6ffffffe: "VERNEED",
  0x6fffffff: "VERSYM",
  0x6ffffffa: "GNU_LIBLIST",
  0x6ffffff7: "GNU_LIBLIST",
};

function sectionTypeName(machine: number, t: number): string {
  const known = sectionTypeNames[t];
  if (known !== undefined) return known;
  if (machine === EM_ARM) {
    const arm: Record<number, string> = {
      0x70000001: "ARM_EXIDX",
      0x70000002: "ARM_PREEMPTMAP",
      0x70000003: "ARM_ATTRIBUTES",
    };
    if (arm[t] !== undefined) return arm[t]!;
  }
  if (machine === EM_RISCV && t === 0x70000003) return "RISCV_ATTRIBUTE";
  if (machine === EM_MIPS) {
    const mips: Record<number, string> = {
      0x70000006: "MIPS_REGINFO",
      0x7000000d: "MIPS_OPTIONS",
      0x7000002a: "MIPS_ABIFLAGS",
      0x7000001e: "MIPS_DWARF",
    };
    if (mips[t] !== undefined) return mips[t]!;
  }
  if (t >= 0x70000000 && t <= 0x7fffffff) return `LOPROC+${hex(t - 0x70000000)}`;
  if (t >= 0x60000000 && t <= 0x6fffffff) return `LOOS+${hex(t - 0x60000000)}`;
  return `${pad(hex(t), 8)}: <unknown>`;
}

function sectionFlagKeys(f: number): string {
  const keys: [number, string][] = [
    [1, "W"],
    [2, "A"],
    [4, "X"],
    [0x10, "M"],
    [0x20, "S"],
    [0x40, "I"],
    [0x80, "L"],
    [0x100, "O"],
    [0x200, "G"],
    [0x400, "T"],
    [0x800, "C"],
    [0x80000000, "E"],
  ];
  let s = "";
  for (const [bit, k] of keys) if ((f & bit) !== 0) s += k;
  if ((f & 0x0ff00000) !== 0) s += "o";
  if ((f & 0xf0000000 & ~0x80000000) !== 0) s += "p";
  return s;
}

/** `readelf -S`. */
export function formatSections(elf: ElfFile): string {
  if (elf.sections.length === 0) return "\nThere are no sections in this file.\n";
  const out = [
    `There are ${elf.sections.length} section headers, starting at offset 0x${hex(elf.shoff)}:`,
    "",
    "Section Headers:",
  ];
  const name = (s: SectionHeader) => (s.name.length > 17 ? `${s.name.slice(0, 12)}[...]` : s.name);
  const is64 = elf.class === 64;
  if (is64) {
    out.push("  [Nr] Name              Type             Address           Offset");
    out.push("       Size              EntSize          Flags  Link  Info  Align");
  } else {
    out.push("  [Nr] Name              Type            Addr     Off    Size   ES Flg Lk Inf Al");
  }
  for (const s of elf.sections) {
    const nr = `[${String(s.index).padStart(2)}]`;
    const type = sectionTypeName(elf.machine, s.type);
    const flags = sectionFlagKeys(s.flags);
    if (is64) {
      out.push(
        `  ${nr} ${name(s).padEnd(17)} ${type.padEnd(16)} ${pad(hex(s.addr), 16)}  ${pad(hex(s.offset), 8)}`,
      );
      out.push(
        `       ${pad(hex(s.size), 16)}  ${pad(hex(s.entsize), 16)} ${flags.padStart(3)}    ${String(s.link).padStart(4)}  ${String(s.info).padStart(4)}     ${s.addralign}`,
      );
    } else {
      out.push(
        `  ${nr} ${name(s).padEnd(17)} ${type.padEnd(15)} ${pad(hex(s.addr), 8)} ${pad(hex(s.offset), 6)} ${pad(hex(s.size), 6)} ${pad(hex(s.entsize), 2)} ${flags.padStart(3)} ${String(s.link).padStart(2)} ${String(s.info).padStart(3)} ${String(s.addralign).padStart(2)}`,
      );
    }
  }
  out.push(
    "Key to Flags:",
    "  W (write), A (alloc), X (execute), M (merge), S (strings), I (info),",
    "  L (link order), O (extra OS processing required), G (group), T (TLS),",
    "  C (compressed), x (unknown), o (OS specific), E (exclude),",
    elf.machine === 62
      ? "  D (mbind), l (large), p (processor specific)"
      : "  D (mbind), p (processor specific)",
  );
  return `${out.join("\n")}\n`;
}

const dynamicTagNames: Readonly<Record<number, string>> = {
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
  0x6ffffef5: "GNU_HASH",
  0x6ffffef6: "TLSDESC_PLT",
  0x6ffffef7: "TLSDESC_GOT",
  0x6ffffff0: "VERSYM",
  0x6ffffff9: "RELACOUNT",
  0x6ffffffa: "RELCOUNT",
  0x6ffffffb: "FLAGS_1",
  0x6ffffffc: "VERDEF",
  0x6ffffffd: "VERDEFNUM",
  0x6ffffffe: "VERNEED",
  0x6fffffff: "VERNEEDNUM",
  0x7ffffffd: "AUXILIARY",
  0x7fffffff: "FILTER",
};

const sizeTags = new Set([2, 8, 9, 10, 11, 18, 19, 27, 28, 33, 35, 37]);
const flagNames: [number, string][] = [
  [1, "ORIGIN"],
  [2, "SYMBOLIC"],
  [4, "TEXTREL"],
  [8, "BIND_NOW"],
  [0x10, "STATIC_TLS"],
];
const flag1Names: [number, string][] = [
  [0x1, "NOW"],
  [0x2, "GLOBAL"],
  [0x4, "GROUP"],
  [0x8, "NODELETE"],
  [0x10, "LOADFLTR"],
  [0x20, "INITFIRST"],
  [0x40, "NOOPEN"],
  [0x80, "ORIGIN"],
  [0x100, "DIRECT"],
  [0x200, "TRANS"],
  [0x400, "INTERPOSE"],
  [0x800, "NODEFLIB"],
  [0x1000, "NODUMP"],
  [0x2000, "CONFALT"],
  [0x4000, "ENDFILTEE"],
  [0x8000, "DISPRELDNE"],
  [0x10000, "DISPRELPND"],
  [0x20000, "NODIRECT"],
  [0x40000, "IGNMULDEF"],
  [0x80000, "NOKSYMS"],
  [0x100000, "NOHDR"],
  [0x200000, "EDITED"],
  [0x400000, "NORELOC"],
  [0x800000, "SYMINTPOSE"],
  [0x1000000, "GLOBAUDIT"],
  [0x2000000, "SINGLETON"],
  [0x4000000, "STUB"],
  [0x8000000, "PIE"],
  [0x10000000, "KMOD"],
  [0x20000000, "WEAKFILTER"],
  [0x40000000, "NOCOMMON"],
];

function flagList(v: bigint, names: [number, string][]): string {
  const words = names.filter(([bit]) => (v & BigInt(bit)) !== 0n).map(([, n]) => n);
  return words.join(" ");
}

/** `readelf -d`. */
export function formatDynamic(elf: ElfFile): string {
  if (elf.dynamic.length === 0) return "\nThere is no dynamic section in this file.\n";
  const r = readerOf(elf);
  const is64 = elf.class === 64;
  const at = elf.dynamic[0]!.at;
  const n = elf.dynamic.length;
  const out = [
    "",
    `Dynamic section at offset 0x${hex(at)} contains ${n} ${n === 1 ? "entry" : "entries"}:`,
    "  Tag        Type                         Name/Value",
  ];
  for (const e of elf.dynamic) {
    const tag = Number(e.tag & 0xffffffffn);
    const tagHex = `0x${pad(hex(e.tag & (is64 ? U64 : 0xffffffffn)), is64 ? 16 : 8)}`;
    const name = `(${dynamicTagNames[tag] ?? `<unknown>: ${hex(tag)}`})`;
    let value: string;
    const str = () => {
      try {
        return dynamicString(elf, r, e);
      } catch {
        return `<corrupt: ${hex(e.value)}>`;
      }
    };
    if (tag === 1) value = `Shared library: [${str()}]`;
    else if (tag === 14) value = `Library soname: [${str()}]`;
    else if (tag === 15) value = `Library rpath: [${str()}]`;
    else if (tag === 29) value = `Library runpath: [${str()}]`;
    else if (tag === 30) value = flagList(e.value, flagNames);
    else if (tag === 16 || tag === 22 || tag === 24) value = "";
    else if (tag === DT_FLAGS_1) value = `Flags: ${flagList(e.value, flag1Names)}`;
    else if (tag === 20) value = e.value === 7n ? "RELA" : e.value === 17n ? "REL" : `${e.value}`;
    else if (sizeTags.has(tag)) value = `${e.value} (bytes)`;
    else if (tag === 0x6ffffffa || tag === 0x6ffffff9 || tag === 0x6ffffffd || tag === 0x6fffffff) {
      value = `${e.value}`;
    } else value = `0x${hex(e.value)}`;
    out.push(` ${tagHex} ${name.padEnd(is64 ? 20 : 28)} ${value}`);
  }
  return `${out.join("\n")}\n`;
}

const gnuNoteTypes: Readonly<Record<number, string>> = {
  1: "NT_GNU_ABI_TAG (ABI version tag)",
  2: "NT_GNU_HWCAP (DSO-supplied software HWCAP info)",
  3: "NT_GNU_BUILD_ID (unique build ID bitstring)",
  4: "NT_GNU_GOLD_VERSION (gold version)",
  5: "NT_GNU_PROPERTY_TYPE_0",
};

/** `readelf -n`. */
export function formatNotes(elf: ElfFile): string {
  const notes = readNotes(elf);
  const out: string[] = [];
  let area: string | null | undefined;
  for (const n of notes) {
    if (n.section !== area || n.section === null) {
      area = n.section;
      out.push("", `Displaying notes found in: ${n.section ?? "PT_NOTE segment"}`);
      out.push("  Owner                Data size \tDescription");
    }
    const type =
      n.owner === "GNU"
        ? (gnuNoteTypes[n.type] ?? `Unknown note type: (0x${pad(hex(n.type), 8)})`)
        : `Unknown note type: (0x${pad(hex(n.type), 8)})`;
    out.push(`  ${n.owner.padEnd(20)} 0x${pad(hex(n.descSize), 8)}\t${type}`);
    const desc = noteDesc(elf, n);
    const r = readerOf(elf);
    if (n.owner === "GNU" && n.type === 3) {
      out.push(`    Build ID: ${Buffer.from(desc).toString("hex")}`);
    } else if (n.owner === "GNU" && n.type === 1 && n.descSize >= 16) {
      const os = ["Linux", "Hurd", "Solaris", "FreeBSD", "NetBSD", "Syllable"][
        r.u32(n.descOffset, "ABI tag")
      ];
      const v = [4, 8, 12].map((k) => r.u32(n.descOffset + k, "ABI tag"));
      out.push(`    OS: ${os ?? "Unknown"}, ABI: ${v.join(".")}`);
    } else if (n.owner === "GNU" && n.type === 4) {
      out.push(`    Version: ${Buffer.from(desc).toString("latin1").replace(/\0+$/, "")}`);
    }
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

const symTypes = ["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"];
const symBinds = ["LOCAL", "GLOBAL", "WEAK"];
const symVis = ["DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"];

function symType(t: number): string {
  if (t === 10) return "IFUNC";
  return symTypes[t] ?? `<unknown>: ${t}`;
}
function symBind(b: number): string {
  if (b === 10) return "UNIQUE";
  return symBinds[b] ?? `<unknown>: ${b}`;
}
function symIndex(shndx: number): string {
  if (shndx === 0) return "UND";
  if (shndx === 0xfff1) return "ABS";
  if (shndx === 0xfff2) return "COM";
  return String(shndx);
}

function symbolName(s: ElfSymbol): string {
  const v = s.version;
  if (v === undefined) return s.name;
  if (v.needed) return `${s.name}@${v.name} (${v.index})`;
  return `${s.name}${v.hidden ? "@" : "@@"}${v.name}`;
}

/** `readelf -s` (all symbol tables) or `--dyn-syms` (the dynamic one only). */
export function formatSymbols(elf: ElfFile, dynamicOnly = false): string {
  const out: string[] = [];
  const is64 = elf.class === 64;
  for (const t of symbolTables(elf)) {
    if (dynamicOnly && t.type !== 11) continue;
    const syms = readSymbols(elf, t);
    out.push(
      "",
      `Symbol table '${t.name}' contains ${syms.length} ${syms.length === 1 ? "entry" : "entries"}:`,
      is64
        ? "   Num:    Value          Size Type    Bind   Vis      Ndx Name"
        : "   Num:    Value  Size Type    Bind   Vis      Ndx Name",
    );
    for (const s of syms) {
      const size = s.size > 99999n ? `0x${hex(s.size)}` : String(s.size);
      out.push(
        `${String(s.index).padStart(6)}: ${pad(hex(s.value), is64 ? 16 : 8)} ${size.padStart(5)} ${symType(s.type).padEnd(7)} ${symBind(s.bind).padEnd(6)} ${(symVis[s.visibility] ?? "").padEnd(8)} ${symIndex(s.shndx).padStart(3)} ${symbolName(s)}`,
      );
    }
  }
  return `${out.join("\n")}\n`;
}

/** `readelf -V`: the version definitions and needs. */
export function formatVersions(elf: ElfFile): string {
  const out: string[] = [];
  const defs = readVersionDefs(elf);
  const defSec = elf.sections.find((s) => s.type === 0x6ffffffd);
  if (defSec !== undefined) {
    out.push(
      "",
      `Version definition section '${defSec.name}' contains ${defs.length} ${defs.length === 1 ? "entry" : "entries"}:`,
      ` Addr: 0x${pad(hex(defSec.addr), 16)}  Offset: 0x${pad(hex(defSec.offset), 8)}  Link: ${defSec.link} (${elf.sections[defSec.link]?.name ?? ""})`,
    );
    for (const d of defs) {
      const flags =
        d.flags === 1 ? "BASE" : d.flags === 2 ? "WEAK" : d.flags === 0 ? "none" : hex(d.flags);
      out.push(
        `  0x${pad(hex(d.at - defSec.offset), 4)}: Rev: 1  Flags: ${flags}  Index: ${d.index}  Cnt: ${d.names.length}  Name: ${d.names[0] ?? ""}`,
      );
      d.names.slice(1).forEach((p, i) => out.push(`  0x${pad("", 4)}: Parent ${i + 1}: ${p}`));
    }
  }
  const needs = readVersionNeeds(elf);
  const needSec = elf.sections.find((s) => s.type === 0x6ffffffe);
  if (needSec !== undefined) {
    out.push(
      "",
      `Version needs section '${needSec.name}' contains ${needs.length} ${needs.length === 1 ? "entry" : "entries"}:`,
      ` Addr: 0x${pad(hex(needSec.addr), 16)}  Offset: 0x${pad(hex(needSec.offset), 8)}  Link: ${needSec.link} (${elf.sections[needSec.link]?.name ?? ""})`,
    );
    for (const n of needs) {
      out.push(
        `  0x${pad(hex(n.at - needSec.offset), 4)}: Version: 1  File: ${n.file}  Cnt: ${n.versions.length}`,
      );
      for (const v of n.versions) {
        const flags = v.flags === 0 ? "none" : v.flags === 2 ? "WEAK" : hex(v.flags);
        out.push(
          `  0x${pad(hex(v.at - needSec.offset), 4)}:   Name: ${v.name}  Flags: ${flags}  Version: ${v.index}`,
        );
      }
    }
  }
  if (out.length === 0) return "\nNo version information found in this file.\n";
  return `${out.join("\n")}\n`;
}
