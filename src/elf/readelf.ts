/**
 * `xpkgs readelf`: the views of GNU readelf 2.40, byte for byte, narrow and
 * wide (-W): the file header (-h), program headers with the section-to-segment
 * map (-l), sections (-S), symbols (-s, --dyn-syms) and versions (-V) here;
 * the dynamic section (-d), relocations (-r) and notes (-n) in their own
 * modules. `formatReadelf` puts the views together in GNU readelf's order.
 */
import {
  DF_1_PIE,
  DT_FLAGS_1,
  EM_68K,
  EM_AARCH64,
  EM_ALPHA,
  EM_ARC,
  EM_ARC_COMPACT,
  EM_ARC_COMPACT2,
  EM_ARM,
  EM_LOONGARCH,
  EM_MIPS,
  EM_MIPS_RS3_LE,
  EM_PPC,
  EM_PPC64,
  EM_RISCV,
  EM_S390,
  EM_SPARCV9,
  EM_X86_64,
  PT_DYNAMIC,
  PT_GNU_EH_FRAME,
  PT_GNU_RELRO,
  PT_GNU_STACK,
  PT_INTERP,
  PT_LOAD,
  PT_NOTE,
  PT_PHDR,
  PT_TLS,
  SHT_DYNSYM,
  SHT_GNU_VERDEF,
  SHT_GNU_VERNEED,
  SHT_GNU_VERSYM,
  SHT_NOBITS,
  osabiNames,
  readelfMachineNames,
} from "./constants.js";
import { type ElfFile, type ProgramHeader, type SectionHeader, readerOf } from "./parse.js";
import { formatDynamic } from "./readelf-dynamic.js";
import { formatNotes } from "./readelf-notes.js";
import { formatRelocations } from "./readelf-relocs.js";
import { printSymbol } from "./readelf-text.js";
import {
  readSymbols,
  readVersionDefs,
  readVersionNeeds,
  symbolTables,
  symbolVersioning,
} from "./tables.js";

export { formatDynamic } from "./readelf-dynamic.js";
export { formatNotes } from "./readelf-notes.js";
export { formatRelocations } from "./readelf-relocs.js";
export { printSymbol } from "./readelf-text.js";

const hex = (n: number | bigint) => n.toString(16);
const pad = (s: string, n: number) => s.padStart(n, "0");
const col = (label: string) => `  ${label}`.padEnd(37);
/** C's "%#x": hex with 0x, but a bare 0 for zero. */
const altHex = (n: number) => (n === 0 ? "0" : `0x${hex(n)}`);

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

/** EF_MIPS_MACH (bits 16 to 23): the CPU, a GNU extension. */
const mipsMachines: Readonly<Record<number, string>> = {
  0x81: "3900",
  0x82: "4010",
  0x83: "4100",
  0x85: "4650",
  0x87: "4120",
  0x88: "4111",
  0x8a: "sb1",
  0x8b: "octeon",
  0x8c: "xlr",
  0x8d: "octeon2",
  0x8e: "octeon3",
  0x91: "5400",
  0x92: "5900",
  0x93: "interaptiv-mr2",
  0x98: "5500",
  0x99: "9000",
  0xa0: "loongson-2e",
  0xa1: "loongson-2f",
  0xa2: "gs464",
  0xa3: "gs464e",
  0xa4: "gs264e",
};

/** The words GNU readelf puts after e_flags in -h (none when e_flags is 0). */
export function machineFlagWords(machine: number, f: number): string[] {
  const w: string[] = [];
  if (f === 0) return w;
  switch (machine) {
    case EM_ARM: {
      // The EABI version in the top byte says what the other bits mean; they are named lowest
      // first, and any left over adds "<unknown>".
      let rest = f & 0x00ffffff;
      if (rest & 0x1) w.push("relocatable executable");
      if (rest & 0x20) w.push("position independent");
      rest &= ~0x21;
      const byVersion: Record<number, [string, Record<number, string>?]> = {
        0x01: ["Version1 EABI", { 0x4: "sorted symbol tables" }],
        0x02: [
          "Version2 EABI",
          {
            0x4: "sorted symbol tables",
            0x8: "dynamic symbols use segment index",
            0x10: "mapping symbols precede others",
          },
        ],
        0x03: ["Version3 EABI"],
        0x04: ["Version4 EABI", { 0x800000: "BE8", 0x400000: "LE8" }],
        0x05: [
          "Version5 EABI",
          { 0x800000: "BE8", 0x400000: "LE8", 0x200: "soft-float ABI", 0x400: "hard-float ABI" },
        ],
        0x00: [
          "GNU EABI",
          {
            0x4: "interworking enabled",
            0x8: "uses APCS/26",
            0x10: "uses APCS/float",
            0x40: "8 bit structure alignment",
            0x80: "uses new ABI",
            0x100: "uses old ABI",
            0x200: "software FP",
            0x400: "VFP",
            0x800: "Maverick FP",
          },
        ],
      };
      const version = byVersion[f >>> 24];
      let unknown = false;
      if (version === undefined) {
        w.push("<unrecognized EABI>");
        unknown = rest !== 0;
      } else {
        w.push(version[0]);
        const names = version[1];
        for (let bit = 1; names !== undefined && bit <= 0x800000; bit <<= 1) {
          if (!(rest & bit)) continue;
          if (names[bit] !== undefined) w.push(names[bit]!);
          else unknown = true;
        }
      }
      if (unknown) w.push("<unknown>");
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
    case EM_MIPS:
    case EM_MIPS_RS3_LE: {
      const bits: [number, string][] = [
        [0x1, "noreorder"],
        [0x2, "pic"],
        [0x4, "cpic"],
        [0x10, "ugen_reserved"],
        [0x20, "abi2"],
        [0x80, "odk first"],
        [0x100, "32bitmode"],
        [0x400, "nan2008"],
        [0x200, "fp64"],
      ];
      for (const [bit, word] of bits) if (f & bit) w.push(word);
      const mach = (f >>> 16) & 0xff;
      if (mach !== 0) w.push(mipsMachines[mach] ?? "unknown CPU");
      const abi = (f >>> 12) & 0xf;
      if (abi !== 0) w.push(["o32", "o64", "eabi32", "eabi64"][abi - 1] ?? "unknown ABI");
      if (f & 0x08000000) w.push("mdmx");
      if (f & 0x04000000) w.push("mips16");
      if (f & 0x02000000) w.push("micromips");
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
      w.push(arch ?? "unknown ISA");
      break;
    }
    case EM_SPARCV9: {
      if (f & 0x100) w.push("v8+");
      if (f & 0x200) w.push("ultrasparcI");
      if (f & 0x800) w.push("ultrasparcIII");
      if (f & 0x400) w.push("halr1");
      if (f & 0x800000) w.push("ledata");
      const mm = ["tso", "pso", "rmo"][f & 3];
      if (mm !== undefined) w.push(mm);
      break;
    }
    case EM_ARC_COMPACT:
    case EM_ARC_COMPACT2: {
      const mach: Record<number, string> = {
        5: "ARC EM",
        6: "ARC HS",
        2: "ARC600",
        4: "ARC601",
        3: "ARC700",
      };
      w.push(mach[f & 0xff] ?? (machine === EM_ARC_COMPACT ? "Unknown ARCompact" : "Unknown ARC"));
      const abi: Record<number, string> = {
        0: "(ABI:legacy)",
        0x200: "(ABI:v2)",
        0x300: "v3 no-legacy-syscalls ABI",
        0x400: "v4 ABI",
      };
      w.push(abi[f & 0xf00] ?? "unrecognised ARC OSABI flag");
      break;
    }
    case EM_68K: {
      // EF_M68K_ARCH_MASK: m68000, cpu32 (0x00810000), CFV4E (0x8000), fido.
      const arch = f & (0x01000000 | 0x00810000 | 0x00008000 | 0x02000000);
      if (arch === 0x01000000) w.push("m68000");
      else if (arch === 0x00810000) w.push("cpu32");
      else if (arch === 0x02000000) w.push("fido_a");
      else {
        // ColdFire: the ISA, its variants, the FPU and the MAC unit in the low byte.
        const isa: Record<number, [string, string?]> = {
          1: ["A", "nodiv"],
          2: ["A"],
          3: ["A+"],
          4: ["B", "nousp"],
          5: ["B"],
          6: ["C"],
          7: ["C", "nodiv"],
        };
        const [name, extra] = isa[f & 0xf] ?? ["unknown"];
        w.push(`cf, isa ${name}`);
        if (extra !== undefined) w.push(extra);
        if (f & 0x40) w.push("float");
        const mac = [undefined, "mac", "emac", "emac_b"][(f >> 4) & 3];
        if (mac !== undefined) w.push(mac);
      }
      break;
    }
    case EM_PPC64:
      if (f & 3) w.push(`abiv${f & 3}`);
      break;
    case EM_PPC:
      if (f & 0x80000000) w.push("emb");
      if (f & 0x10000) w.push("relocatable");
      if (f & 0x8000) w.push("relocatable-lib");
      break;
    case EM_S390:
      if (f & 1) w.push("highgprs");
      break;
    case EM_LOONGARCH: {
      const fp = ["SOFT-FLOAT", "SINGLE-FLOAT", "DOUBLE-FLOAT"][(f & 7) - 1];
      if (fp !== undefined) w.push(fp);
      const obj = ["OBJ-v0", "OBJ-v1"][(f & 0xc0) >> 6];
      if (obj !== undefined) w.push(obj);
      break;
    }
    case 50: // IA-64 (OpenVMS's own bits are not decoded)
      w.push(f & 0x10 ? "64-bit" : "32-bit");
      if (f & 0x20) w.push("reduced fp model");
      if (f & 0x80) w.push("no function descriptors, constant gp");
      else if (f & 0x40) w.push("constant gp");
      if (f & 0x100) w.push("absolute");
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
    `${col("Entry point address:")}0x${hex(elf.entryExact)}`,
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
  if (machine === EM_AARCH64 && type === 0x70000000) return "AARCH64_ARCHEXT";
  if (machine === EM_AARCH64 && type === 0x70000002) return "AARCH64_MEMTAG_MTE";
  if (machine === EM_S390 && type === 0x70000000) return "S390_PGSTE";
  if (type >= 0x70000000 && type <= 0x7fffffff) return `LOPROC+${altHex(type - 0x70000000)}`;
  if (type >= 0x60000000 && type <= 0x6fffffff) return `LOOS+${altHex(type - 0x60000000)}`;
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
export function formatProgramHeaders(elf: ElfFile, afterHeader = false, wide = false): string {
  const out: string[] = [];
  if (elf.programHeaders.length === 0) return "\nThere are no program headers in this file.\n";
  if (!afterHeader) {
    out.push(
      "",
      `Elf file type is ${fileTypeName(elf)}`,
      `Entry point 0x${hex(elf.entryExact)}`,
      `There ${elf.programHeaders.length === 1 ? "is 1 program header" : `are ${elf.programHeaders.length} program headers`}, starting at offset ${elf.phoff}`,
    );
  }
  out.push("", "Program Headers:");
  const is64 = elf.class === 64;
  if (!is64) {
    out.push("  Type           Offset   VirtAddr   PhysAddr   FileSiz MemSiz  Flg Align");
  } else if (wide) {
    out.push(
      "  Type           Offset   VirtAddr           PhysAddr           FileSiz  MemSiz   Flg Align",
    );
  } else {
    out.push("  Type           Offset             VirtAddr           PhysAddr");
    out.push("                 FileSiz            MemSiz              Flags  Align");
  }
  const six = (v: bigint) => (v <= 0xffffffffn ? `0x${pad(hex(v), 6)}` : `0x${pad(hex(v), 16)}`);
  for (const p of elf.programHeaders) {
    const x = p.exact;
    const name = segmentTypeName(elf.machine, p.type).slice(0, 14).padEnd(14);
    if (is64 && wide) {
      out.push(
        `  ${name} ${six(x.offset)} 0x${pad(hex(x.vaddr), 16)} 0x${pad(hex(x.paddr), 16)} ${six(x.filesz)} ${six(x.memsz)} ${flagChars(p.flags)} 0x${hex(x.align)}`,
      );
    } else if (is64) {
      out.push(
        `  ${name} 0x${pad(hex(x.offset), 16)} 0x${pad(hex(x.vaddr), 16)} 0x${pad(hex(x.paddr), 16)}`,
      );
      out.push(
        `                 0x${pad(hex(x.filesz), 16)} 0x${pad(hex(x.memsz), 16)}  ${flagChars(p.flags)}    0x${hex(x.align)}`,
      );
    } else {
      out.push(
        `  ${name} 0x${pad(hex(x.offset), 6)} 0x${pad(hex(x.vaddr), 8)} 0x${pad(hex(x.paddr), 8)} 0x${pad(hex(x.filesz), 5)} 0x${pad(hex(x.memsz), 5)} ${flagChars(p.flags)} 0x${hex(x.align)}`,
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
  0x6fff4700: "GNU_INCREMENTAL_INPUTS",
  0x6ffffff5: "GNU_ATTRIBUTES",
  0x6ffffff6: "GNU_HASH",
  0x6ffffff7: "GNU_LIBLIST",
  0x6ffffffd: "VERDEF",
  0x6ffffffe: "VERNEED",
  0x6fffffff: "VERSYM",
  0x6ffffff0: "VERSYM",
  0x6ffffffc: "VERDEF",
  0x7ffffffd: "AUXILIARY",
  0x7fffffff: "FILTER",
};

const mipsSectionTypes: Readonly<Record<number, string>> = {
  0x0: "LIBLIST",
  0x1: "MSYM",
  0x2: "CONFLICT",
  0x3: "GPTAB",
  0x4: "UCODE",
  0x5: "DEBUG",
  0x6: "REGINFO",
  0x7: "PACKAGE",
  0x8: "PACKSYM",
  0x9: "RELD",
  0xb: "IFACE",
  0xc: "CONTENT",
  0xd: "OPTIONS",
  0x10: "SHDR",
  0x11: "FDESC",
  0x12: "EXTSYM",
  0x13: "DENSE",
  0x14: "PDESC",
  0x15: "LOCSYM",
  0x16: "AUXSYM",
  0x17: "OPTSYM",
  0x18: "LOCSTR",
  0x19: "LINE",
  0x1a: "RFDESC",
  0x1b: "DELTASYM",
  0x1c: "DELTAINST",
  0x1d: "DELTACLASS",
  0x1e: "DWARF",
  0x1f: "DELTADECL",
  0x20: "SYMBOL_LIB",
  0x21: "EVENTS",
  0x22: "TRANSLATE",
  0x23: "PIXIE",
  0x24: "XLATE",
  0x25: "XLATE_DEBUG",
  0x26: "WHIRL",
  0x27: "EH_REGION",
  0x28: "XLATE_OLD",
  0x29: "PDR_EXCEPTION",
  0x2a: "ABIFLAGS",
  0x2b: "XHASH",
};

function processorSectionType(machine: number, t: number): string | undefined {
  const k = t - 0x70000000;
  switch (machine) {
    case EM_ARM:
      return (
        {
          1: "ARM_EXIDX",
          2: "ARM_PREEMPTMAP",
          3: "ARM_ATTRIBUTES",
          4: "ARM_DEBUGOVERLAY",
          5: "ARM_OVERLAYSECTION",
        } as Record<number, string>
      )[k];
    case EM_MIPS: {
      const n = mipsSectionTypes[k];
      return n === undefined ? undefined : `MIPS_${n}`;
    }
    case EM_RISCV:
      return k === 3 ? "RISCV_ATTRIBUTES" : undefined;
    case EM_X86_64:
      return k === 1 ? "X86_64_UNWIND" : undefined;
    case EM_AARCH64:
      return k === 3 ? "AARCH64_ATTRIBUTES" : undefined;
    case EM_ARC:
    case EM_ARC_COMPACT:
    case EM_ARC_COMPACT2:
      return k === 1 ? "ARC_ATTRIBUTES" : undefined;
    case 50:
      return ({ 0: "IA_64_EXT", 1: "IA_64_UNWIND" } as Record<number, string>)[k];
    case EM_PPC64:
    case EM_PPC:
      return undefined;
    default:
      return undefined;
  }
}

export function sectionTypeName(machine: number, t: number): string {
  if (machine === 50 && t >= 0x60000000 && t <= 0x6fffffff) {
    const ia64: Record<number, string> = {
      0x60000000: "IA_64_LOPSREG",
      0x78000000: "IA_64_HIPSREG",
      0x60000001: "IA_64_PRIORITY_INIT",
    };
    if (ia64[t] !== undefined) return ia64[t]!;
  }
  const known = sectionTypeNames[t];
  if (known !== undefined) return known;
  if (t >= 0x70000000 && t <= 0x7fffffff) {
    return processorSectionType(machine, t) ?? `LOPROC+${altHex(t - 0x70000000)}`;
  }
  if (t >= 0x60000000 && t <= 0x6fffffff) return `LOOS+${altHex(t - 0x60000000)}`;
  if (t >= 0x80000000 && t <= 0xffffffff) return `LOUSER+${altHex(t - 0x80000000)}`;
  return `<unknown>: ${hex(t)}`;
}

const SHF_MASKOS = 0x0ff00000n;
const SHF_MASKPROC = 0xf0000000n;

/** The letters of -S's Flg column, lowest bit first, as GNU readelf gives them. */
export function sectionFlagKeys(elf: ElfFile, flags: bigint): string {
  const letters: Record<string, string> = {
    "1": "W",
    "2": "A",
    "4": "X",
    "16": "M",
    "32": "S",
    "64": "I",
    "128": "L",
    "256": "O",
    "512": "G",
    "1024": "T",
    "2048": "C",
    "2147483648": "E",
  };
  const gnuish = elf.osabi === 3 || elf.osabi === 9;
  let rest = flags;
  let s = "";
  while (rest !== 0n) {
    const bit = rest & -rest;
    rest &= ~bit;
    const known = letters[bit.toString()];
    if (known !== undefined) s += known;
    else if (elf.machine === EM_X86_64 && bit === 0x10000000n) s += "l";
    else if (elf.machine === EM_ARM && bit === 0x20000000n) s += "y";
    else if (elf.machine === EM_PPC && bit === 0x10000000n) s += "v";
    else if ((bit & SHF_MASKOS) !== 0n) {
      if (gnuish && bit === 0x200000n) s += "R";
      else if ((gnuish || elf.osabi === 0) && bit === 0x1000000n) s += "D";
      else {
        s += "o";
        rest &= ~SHF_MASKOS;
      }
    } else if ((bit & SHF_MASKPROC) !== 0n) {
      s += "p";
      rest &= ~SHF_MASKPROC;
    } else s += "x";
  }
  return s;
}

const h = (v: number | bigint, width: number) => hex(v).padStart(width, "0");
const dec = (v: number | bigint, width: number) => String(v).padStart(width);

/** `readelf -S`; `afterHeader` when -h was printed just before (the count line is then left out). */
export function formatSections(elf: ElfFile, wide = false, afterHeader = false): string {
  if (elf.shnum === 0 || elf.sections.length === 0) {
    return afterHeader ? "" : "\nThere are no sections in this file.\n";
  }
  const out: string[] = [];
  const n = elf.shnum;
  if (!afterHeader) {
    out.push(
      `There ${n === 1 ? "is" : "are"} ${n} section header${n === 1 ? "" : "s"}, starting at offset 0x${hex(elf.shoff)}:`,
    );
  }
  out.push("", elf.sections.length === 1 ? "Section Header:" : "Section Headers:");
  const is64 = elf.class === 64;
  if (is64 && !wide) {
    out.push("  [Nr] Name              Type             Address           Offset");
    out.push("       Size              EntSize          Flags  Link  Info  Align");
  } else if (is64) {
    out.push(
      "  [Nr] Name              Type            Address          Off    Size   ES Flg Lk Inf Al",
    );
  } else {
    out.push("  [Nr] Name              Type            Addr     Off    Size   ES Flg Lk Inf Al");
  }
  const fits32 = (v: bigint) => v <= 0xffffffffn;
  for (const s of elf.sections) {
    const x = s.exact;
    const nr = `  [${dec(s.index, 2)}] `;
    const name = printSymbol(-17, s.name, wide);
    const typeName = sectionTypeName(elf.machine, s.type);
    const type = ` ${(wide ? typeName : typeName.slice(0, 15)).padEnd(15)} `;
    const flags = ` ${sectionFlagKeys(elf, x.flags).padStart(3)} `;
    if (!is64) {
      out.push(
        `${nr}${name}${type}${h(x.addr, 8)} ${h(x.offset, 6)} ${h(x.size, 6)} ${h(x.entsize, 2)}${flags}${dec(s.link, 2)} ${dec(s.info, 3)} ${dec(x.addralign, 2)}`,
      );
    } else if (wide) {
      const six = (v: bigint) => (fits32(v) || v < 1n << 63n ? h(v, 6) : h(v, 16));
      out.push(
        `${nr}${name}${type}${h(x.addr, 16)} ${six(x.offset)} ${six(x.size)} ${fits32(x.entsize) || x.entsize < 1n << 63n ? h(x.entsize, 2) : h(x.entsize, 16)}${flags}${dec(s.link, 2)} ${dec(s.info, 3)} ${dec(x.addralign, 2)}`,
      );
    } else {
      out.push(`${nr}${name}${type} ${h(x.addr, 16)}  ${h(x.offset, 8)}`);
      out.push(
        `       ${h(x.size, 16)}  ${h(x.entsize, 16)}${flags}     ${dec(s.link, 2)}   ${dec(s.info, 3)}     ${x.addralign}`,
      );
    }
  }
  const gnuish = elf.osabi === 3 || elf.osabi === 9;
  let last = "  ";
  if (gnuish) last += "R (retain), ";
  if (gnuish || elf.osabi === 0) last += "D (mbind), ";
  if (elf.machine === EM_X86_64) last += "l (large), ";
  else if (elf.machine === EM_ARM) last += "y (purecode), ";
  else if (elf.machine === EM_PPC) last += "v (VLE), ";
  last += "p (processor specific)";
  out.push(
    "Key to Flags:",
    "  W (write), A (alloc), X (execute), M (merge), S (strings), I (info),",
    "  L (link order), O (extra OS processing required), G (group), T (TLS),",
    "  C (compressed), x (unknown), o (OS specific), E (exclude),",
    last,
  );
  return `${out.join("\n")}\n`;
}

/** STT_ names; 7 has none, 8 and 9 are STT_RELC and STT_SRELC. */
const symTypes = ["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"];

function symType(elf: ElfFile, t: number): string {
  if (t < symTypes.length) return symTypes[t]!;
  if (t === 8) return "RELC";
  if (t === 9) return "SRELC";
  if (t >= 13 && t <= 15) {
    if (elf.machine === EM_ARM && t === 13) return "THUMB_FUNC";
    if (elf.machine === EM_SPARCV9 && t === 13) return "REGISTER";
    return `<processor specific>: ${t}`;
  }
  if (t >= 10 && t <= 12) {
    // STT_GNU_IFUNC is only named in files that say they are GNU's (or FreeBSD's).
    if (t === 10 && (elf.osabi === 3 || elf.osabi === 9)) return "IFUNC";
    return `<OS specific>: ${t}`;
  }
  return `<unknown>: ${t}`;
}

function symBind(elf: ElfFile, b: number): string {
  if (b <= 2) return ["LOCAL", "GLOBAL", "WEAK"][b]!;
  if (b === 10 && (elf.osabi === 3 || elf.osabi === 9)) return "UNIQUE";
  if (b >= 13 && b <= 15) return `<processor specific>: ${b}`;
  if (b >= 10 && b <= 12) return `<OS specific>: ${b}`;
  return `<unknown>: ${b}`;
}

const symVis = ["DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"];

function symOther(elf: ElfFile, other: number): string {
  switch (elf.machine) {
    case EM_MIPS: {
      const m: Record<number, string> = {
        0x04: "OPTIONAL",
        0x08: "MIPS PLT",
        0x20: "MIPS PIC",
        0x80: "MICROMIPS",
        0xa0: "MICROMIPS, MIPS PIC",
        0xf0: "MIPS16",
      };
      if (m[other] !== undefined) return m[other]!;
      break;
    }
    case EM_PPC64: {
      if ((other & ~0xe0) === 0) {
        let v = other >> 5;
        if (v <= 6) {
          if (v >= 2) v = ((1 << v) >> 2) << 2;
          return `<localentry>: ${v}`;
        }
      }
      break;
    }
    case EM_AARCH64:
      // STO_AARCH64_VARIANT_PCS, then any other bits in hex.
      if (other & 0x80)
        return other === 0x80 ? "VARIANT_PCS" : `VARIANT_PCS | ${hex(other & ~0x80)}`;
      break;
    case EM_RISCV:
      // STO_RISCV_VARIANT_CC; other bits are shown alone, in hex, without it.
      return other === 0x80 ? "VARIANT_CC" : hex(other & ~0x80);
    case EM_ALPHA:
      // STO_ALPHA_NOPV, STO_ALPHA_STD_GPLOAD; GNU readelf names nothing else.
      if (other === 0x80) return "NOPV";
      if (other === 0x88) return "STD GPLOAD";
      return "<unknown>";
    case 50:
      if (other === 0x04 && elf.osabi === 13) return "VMS_WEAK"; // OpenVMS only
      break;
  }
  return `<other>: ${hex(other)}`;
}

function symIndex(elf: ElfFile, shndx: number): string {
  if (shndx === 0) return "UND";
  if (shndx === 0xfff1) return "ABS";
  if (shndx === 0xfff2) return "COM";
  if (elf.machine === EM_X86_64 && shndx === 0xff02) return "LARGE_COM";
  if (elf.machine === EM_MIPS && shndx === 0xff03) return "SCOM";
  if (elf.machine === EM_MIPS && shndx === 0xff04) return "SUND";
  if (elf.machine === 50 && shndx === 0xff00) return "ANSI_COM";
  if (shndx >= 0xff00 && shndx <= 0xff1f) return `PRC[0x${h(shndx, 4)}]`;
  if (shndx >= 0xff20 && shndx <= 0xff3f) return `OS [0x${h(shndx, 4)}]`;
  if (shndx >= 0xff00) return `RSV[0x${h(shndx, 4)}]`;
  if (elf.shnum !== 0 && shndx >= elf.shnum) return `bad section index[${dec(shndx, 3)}]`;
  return dec(shndx, 3);
}

/** `readelf -s` (all symbol tables) or `--dyn-syms` (the dynamic one only). */
export function formatSymbols(elf: ElfFile, dynamicOnly = false, wide = false): string {
  const out: string[] = [];
  const is64 = elf.class === 64;
  const versions = symbolVersioning(elf);
  for (const t of symbolTables(elf)) {
    if (dynamicOnly && t.type !== SHT_DYNSYM) continue;
    const syms = readSymbols(elf, t);
    out.push(
      "",
      `Symbol table '${t.name}' contains ${syms.length} ${syms.length === 1 ? "entry" : "entries"}:`,
      is64
        ? "   Num:    Value          Size Type    Bind   Vis      Ndx Name"
        : "   Num:    Value  Size Type    Bind   Vis      Ndx Name",
    );
    const dyn = t.type === SHT_DYNSYM;
    for (const s of syms) {
      const size = s.size > 99999n ? `0x${hex(s.size)}` : dec(s.size, 5);
      const vis = s.other & 3;
      let line = `${dec(s.index, 6)}: ${h(s.value, is64 ? 16 : 8)} ${size} ${symType(elf, s.type).padEnd(7)} ${symBind(elf, s.bind).padEnd(6)} ${symVis[vis]!.padEnd(7)}`;
      if ((s.other ^ vis) !== 0) line += ` [${symOther(elf, s.other ^ vis)}] `;
      line += ` ${symIndex(elf, s.shndx).padStart(4)} `;
      let name = s.name;
      if (s.type === 3 && s.nameOffset === 0 && s.shndx < elf.shnum) {
        name = elf.sections[s.shndx]?.name ?? s.name;
      }
      const v = dyn ? versions.of(s) : null;
      let avail = 21;
      let suffix = "";
      if (v !== null) {
        if (v.kind === "needed") suffix = `@${v.name} (${v.index})`;
        else suffix = `${v.kind === "hidden" ? "@" : "@@"}${v.name}`;
        if (!wide) avail -= suffix.length;
      }
      line += printSymbol(avail, name, wide) + suffix;
      out.push(line);
    }
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

/** Version definition flags, in GNU readelf's words. */
function verFlags(f: number): string {
  if (f === 0) return "none";
  const w: string[] = [];
  if (f & 1) w.push("BASE");
  if (f & 2) w.push("WEAK");
  if (f & 4) w.push("INFO");
  if (f & ~7) w.push("<unknown>");
  return w.join(" | ");
}

/** C's `%#06x`: 0 has no 0x prefix. */
const hash06 = (n: number) => (n === 0 ? "000000" : `0x${h(n, 4)}`);

/** `readelf -V`: each version section, in section order. */
export function formatVersions(elf: ElfFile): string {
  const out: string[] = [];
  const versioning = symbolVersioning(elf);
  const linkName = (s: SectionHeader) => elf.sections[s.link]?.name ?? "<corrupt>";
  const addrLine = (s: SectionHeader) =>
    ` Addr: 0x${h(s.exact.addr, 16)}  Offset: 0x${h(s.exact.offset, 8)}  Link: ${s.link} (${linkName(s)})`;
  for (const s of elf.sections) {
    if (s.type === SHT_GNU_VERDEF) {
      const defs = readVersionDefs(elf);
      out.push(
        "",
        `Version definition section '${s.name}' contains ${s.info} ${s.info === 1 ? "entry" : "entries"}:`,
        addrLine(s),
      );
      for (const d of defs) {
        out.push(
          `  ${hash06(d.at - s.offset)}: Rev: ${d.version}  Flags: ${verFlags(d.flags)}  Index: ${d.index}  Cnt: ${d.count}  Name: ${d.names[0] ?? ""}`,
        );
        d.names.slice(1).forEach((p, i) => {
          out.push(`  ${hash06(d.namesAt[i + 1]! - s.offset)}: Parent ${i + 1}: ${p}`);
        });
      }
    } else if (s.type === SHT_GNU_VERNEED) {
      const needs = readVersionNeeds(elf);
      out.push(
        "",
        `Version needs section '${s.name}' contains ${s.info} ${s.info === 1 ? "entry" : "entries"}:`,
        addrLine(s),
      );
      for (const n of needs) {
        out.push(
          `  ${hash06(n.at - s.offset)}: Version: ${n.version}  File: ${n.file}  Cnt: ${n.count}`,
        );
        for (const v of n.versions) {
          out.push(
            `  ${hash06(v.at - s.offset)}:   Name: ${v.name}  Flags: ${verFlags(v.flags)}  Version: ${v.index}`,
          );
        }
      }
    } else if (s.type === SHT_GNU_VERSYM) {
      const total = Math.floor(s.size / 2);
      out.push(
        "",
        `Version symbols section '${s.name}' contains ${total} ${total === 1 ? "entry" : "entries"}:`,
        addrLine(s),
      );
      const r = readerOf(elf);
      const link = elf.sections[s.link];
      const syms = link !== undefined ? readSymbols(elf, link) : [];
      for (let cnt = 0; cnt < total; cnt += 4) {
        let line = `  ${h(cnt, 3)}:`;
        for (let j = 0; j < 4 && cnt + j < total; j++) {
          const v = r.u16(s.offset + 2 * (cnt + j), "a symbol version");
          if (v === 0) {
            line += "   0 (*local*)    ";
            continue;
          }
          if (v === 1) {
            line += "   1 (*global*)   ";
            continue;
          }
          let cell = `${hex(v & 0x7fff).padStart(4)}${v & 0x8000 ? "h" : " "}`;
          const sym = syms[cnt + j];
          if (sym === undefined) {
            line += cell;
            break;
          }
          let name = versioning.needByIndex(v) ?? null;
          if (v !== 0x8001) {
            const def = versioning.defByIndex(v & 0x7fff);
            if (def !== undefined) name = name !== null ? "*both*" : def;
          }
          if (name !== null)
            cell += `(${name}${")".padEnd(Math.max(1, Math.abs(12 - name.length)))}`;
          line += cell.length < 18 ? cell.padEnd(18) : cell;
        }
        out.push(line);
      }
    }
  }
  if (out.length === 0) return "\nNo version information found in this file.\n";
  return `${out.join("\n")}\n`;
}

/** Which views `formatReadelf` prints, as GNU readelf's options name them. */
export interface ReadelfViews {
  header?: boolean;
  segments?: boolean;
  sections?: boolean;
  dynamic?: boolean;
  relocs?: boolean;
  syms?: boolean;
  dynSyms?: boolean;
  versionInfo?: boolean;
  notes?: boolean;
  wide?: boolean;
}

/** The views of GNU readelf options (`-h`, `-l`, `-S`, `-s`, `--dyn-syms`, `-n`, `-V`, `-r`, `-d`, `-e`, `-a`). */
export function readelfViewOptions(options: string[], wide = false): ReadelfViews {
  const v: ReadelfViews = { wide };
  for (const o of options) {
    if (o === "-h" || o === "--file-header") v.header = true;
    else if (o === "-l" || o === "--program-headers" || o === "--segments") v.segments = true;
    else if (o === "-S" || o === "--section-headers" || o === "--sections") v.sections = true;
    else if (o === "-s" || o === "--syms" || o === "--symbols") v.syms = true;
    else if (o === "--dyn-syms") v.dynSyms = true;
    else if (o === "-n" || o === "--notes") v.notes = true;
    else if (o === "-V" || o === "--version-info") v.versionInfo = true;
    else if (o === "-r" || o === "--relocs") v.relocs = true;
    else if (o === "-d" || o === "--dynamic") v.dynamic = true;
    else if (o === "-e" || o === "--headers") {
      Object.assign(v, { header: true, segments: true, sections: true });
    } else if (o === "-a" || o === "--all") {
      Object.assign(v, {
        header: true,
        segments: true,
        sections: true,
        syms: true,
        dynamic: true,
        relocs: true,
        notes: true,
        versionInfo: true,
      });
    } else if (o === "-W" || o === "--wide") v.wide = true;
    else throw new Error(`readelfViewOptions: unknown option ${o}`);
  }
  return v;
}

/** The text GNU readelf prints for one file and these views, in its order. */
export function formatReadelf(elf: ElfFile, v: ReadelfViews): string {
  const wide = v.wide === true;
  let text = "";
  if (v.header === true) text += formatHeader(elf);
  if (v.sections === true) text += formatSections(elf, wide, v.header === true);
  if (v.segments === true) text += formatProgramHeaders(elf, v.header === true, wide);
  if (v.dynamic === true) text += formatDynamic(elf);
  if (v.relocs === true) text += formatRelocations(elf, wide);
  if (v.syms === true || v.dynSyms === true) text += formatSymbols(elf, v.syms !== true, wide);
  if (v.versionInfo === true) text += formatVersions(elf);
  if (v.notes === true) text += formatNotes(elf, wide);
  return text;
}
