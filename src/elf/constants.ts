/** ELF constants, from the System V ABI and the GNU extensions: numbers and their names. */

export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_VERDEF = 0x6ffffffd;
export const SHT_GNU_VERNEED = 0x6ffffffe;
export const SHT_GNU_VERSYM = 0x6fffffff;

export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_PLTRELSZ = 2;
export const DT_PLTGOT = 3;
export const DT_HASH = 4;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_RELA = 7;
export const DT_RELASZ = 8;
export const DT_RELAENT = 9;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_INIT = 12;
export const DT_FINI = 13;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_SYMBOLIC = 16;
export const DT_REL = 17;
export const DT_RELSZ = 18;
export const DT_RELENT = 19;
export const DT_PLTREL = 20;
export const DT_DEBUG = 21;
export const DT_TEXTREL = 22;
export const DT_JMPREL = 23;
export const DT_BIND_NOW = 24;
export const DT_INIT_ARRAY = 25;
export const DT_FINI_ARRAY = 26;
export const DT_INIT_ARRAYSZ = 27;
export const DT_FINI_ARRAYSZ = 28;
export const DT_RUNPATH = 29;
export const DT_FLAGS = 30;
export const DT_PREINIT_ARRAY = 32;
export const DT_PREINIT_ARRAYSZ = 33;
export const DT_SYMTAB_SHNDX = 34;
export const DT_RELRSZ = 35;
export const DT_RELR = 36;
export const DT_RELRENT = 37;
export const DT_GNU_HASH = 0x6ffffef5;
export const DT_VERSYM = 0x6ffffff0;
export const DT_RELACOUNT = 0x6ffffff9;
export const DT_RELCOUNT = 0x6ffffffa;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DT_VERDEF = 0x6ffffffc;
export const DT_VERDEFNUM = 0x6ffffffd;
export const DT_VERNEED = 0x6ffffffe;
export const DT_VERNEEDNUM = 0x6fffffff;
export const DT_MIPS_RLD_MAP_REL = 0x70000035;
export const DT_MIPS_RLD_MAP = 0x70000016;

export const DF_1_PIE = 0x08000000;

export const NT_GNU_ABI_TAG = 1;
export const NT_GNU_HWCAP = 2;
export const NT_GNU_BUILD_ID = 3;
export const NT_GNU_GOLD_VERSION = 4;
export const NT_GNU_PROPERTY_TYPE_0 = 5;

export const EM_SPARC = 2;
export const EM_386 = 3;
export const EM_68K = 4;
export const EM_MIPS = 8;
export const EM_MIPS_RS3_LE = 10;
export const EM_PARISC = 15;
export const EM_SPARC32PLUS = 18;
export const EM_PPC = 20;
export const EM_PPC64 = 21;
export const EM_S390 = 22;
export const EM_ARM = 40;
export const EM_SH = 42;
export const EM_SPARCV9 = 43;
export const EM_ARC = 45;
export const EM_IA_64 = 50;
export const EM_X86_64 = 62;
export const EM_ARC_COMPACT = 93;
export const EM_AARCH64 = 183;
export const EM_ARC_COMPACT2 = 195;
export const EM_RISCV = 243;
export const EM_BPF = 247;
export const EM_CSKY = 252;
export const EM_LOONGARCH = 258;
/** Alpha as GNU/Linux tools write it (the unofficial number; 41, EM_OLD_ALPHA, is the official one). */
export const EM_ALPHA = 0x9026;

/** e_machine values and their names, in file(1)'s words. */
export const machineNames: Readonly<Record<number, string>> = {
  0: "no machine",
  2: "SPARC",
  3: "Intel 80386",
  4: "Motorola m68k",
  8: "MIPS",
  10: "MIPS (deprecated)",
  15: "PA-RISC",
  18: "SPARC32PLUS",
  20: "PowerPC or cisco 4500",
  21: "64-bit PowerPC or cisco 7500",
  22: "IBM S/390",
  40: "ARM",
  41: "Alpha",
  42: "Renesas SH",
  43: "SPARC V9",
  50: "IA-64",
  62: "x86-64",
  93: "Synopsys ARCompact ARC700 cores",
  183: "ARM aarch64",
  195: "Synopsys ARCv2/HS3x/HS4x cores",
  243: "UCB RISC-V",
  247: "eBPF",
  252: "C-SKY processor family",
  258: "LoongArch",
  0x9026: "Alpha (unofficial)",
};

/** The short names xpkgs uses in its own messages (file(1)'s, shortened where it adds noise). */
export function machineName(m: number): string {
  if (m === EM_PPC) return "PowerPC";
  if (m === EM_PPC64) return "64-bit PowerPC";
  return machineNames[m] ?? `machine ${m}`;
}

/** e_machine values and their names, in GNU readelf's words. */
export const readelfMachineNames: Readonly<Record<number, string>> = {
  0: "None",
  2: "Sparc",
  3: "Intel 80386",
  4: "MC68000",
  8: "MIPS R3000",
  10: "MIPS R4000 big-endian",
  15: "HPPA",
  18: "Sparc v8+",
  20: "PowerPC",
  21: "PowerPC64",
  22: "IBM S/390",
  40: "ARM",
  41: "Alpha",
  42: "Renesas / SuperH SH",
  43: "Sparc v9",
  45: "ARC",
  50: "Intel IA-64",
  62: "Advanced Micro Devices X86-64",
  93: "ARCompact",
  183: "AArch64",
  195: "ARCv2",
  243: "RISC-V",
  247: "Linux BPF",
  252: "C-SKY",
  258: "LoongArch",
  0x9026: "Alpha",
};

export const osabiNames: Readonly<Record<number, string>> = {
  0: "UNIX - System V",
  1: "UNIX - HP-UX",
  2: "UNIX - NetBSD",
  3: "UNIX - GNU",
  6: "UNIX - Solaris",
  7: "UNIX - AIX",
  8: "UNIX - IRIX",
  9: "UNIX - FreeBSD",
  10: "UNIX - TRU64",
  12: "UNIX - OpenBSD",
  97: "ARM",
  255: "Standalone App",
};

/** file(1)'s OS/ABI words, shown in parentheses after "version 1". */
export const fileOsabiNames: Readonly<Record<number, string>> = {
  0: "SYSV",
  1: "HP-UX",
  2: "NetBSD",
  3: "GNU/Linux",
  4: "GNU/Hurd",
  5: "86Open",
  6: "Solaris",
  7: "Monterey",
  8: "IRIX",
  9: "FreeBSD",
  10: "Tru64",
  11: "Novell Modesto",
  12: "OpenBSD",
  13: "OpenVMS",
  14: "HP NonStop Kernel",
  15: "AROS Research Operating System",
  16: "FenixOS",
  17: "Nuxi CloudABI",
  97: "ARM",
  202: "Cafe OS",
  255: "embedded",
};
