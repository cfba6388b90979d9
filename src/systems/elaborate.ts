/**
 * Elaboration: from a parsed platform to every attribute that the rest of
 * xpkgs asks about (`isMusl`, `dynamicLinker`, `qemuArch`…). All of them are
 * derived from the tables in parse.ts and from the per-family facts below.
 */
import { XpkgsError } from "../errors.js";
import { examples } from "./examples.js";
import {
  type LibcName,
  type ParsedPlatform,
  PlatformParseError,
  doubleOf,
  parsePlatform,
  tripleOf,
} from "./parse.js";

/** Compiler options that a platform fixes (Nixpkgs' `platform.gcc`). */
export interface GccOptions {
  arch?: string;
  cpu?: string;
  tune?: string;
  fpu?: string;
  float?: "hard" | "soft";
  abi?: string;
}

/**
 * What the ELF files of a platform may record about their instruction set,
 * by name: ARM's Tag_CPU_arch and Tag_FP_arch as GNU readelf names them
 * ("v6KZ", "VFPv2", "No"), RISC-V's ISA string, MIPS' ISA level ("mips32r2").
 * Each is the most the platform allows; everything below it is allowed too.
 */
export interface ElfArchBaseline {
  armArch?: string;
  armFp?: string;
  riscvIsa?: string;
  mipsIsa?: string;
}

/** The CPU a platform's programs must run on (see examples.ts). */
export interface CpuSpec {
  /** qemu-user's `-cpu` model. */
  qemu: string;
  /** The instruction-set baseline in words. */
  baseline: string;
  elf?: ElfArchBaseline;
  /**
   * Debian's cross libgcc and gcc start files for this triple do not fit this
   * platform's musl: built for a newer CPU (armhf's are ARMv7 Thumb-2), or for
   * another ABI (powerpc64's are ELFv1, big-endian musl is ELFv2). The musl
   * toolchain builds its own from gcc's source (src/toolchains/libgcc.ts).
   */
  needsOwnLibgcc?: boolean;
}

/** What a user or an example gives to describe a platform, as Nixpkgs' `localSystem`/`crossSystem`. */
export interface PlatformSpec {
  /** A GNU triple or Nix double. */
  config: string;
  isStatic?: boolean;
  gcc?: GccOptions;
  /** Default: the named platform's of the same triple (or, failing that, of the same CPU). */
  cpu?: CpuSpec;
}

export interface Platform {
  readonly parsed: ParsedPlatform;
  readonly config: string;
  readonly system: string;
  readonly libc: LibcName;
  readonly isStatic: boolean;
  readonly gcc: GccOptions;
  /** The CPU its programs must run on; null when the table names none (s390, ARC). */
  readonly cpu: CpuSpec | null;

  readonly isLinux: boolean;
  readonly isGnu: boolean;
  readonly isMusl: boolean;
  readonly is32bit: boolean;
  readonly is64bit: boolean;
  readonly isLittleEndian: boolean;
  readonly isBigEndian: boolean;
  readonly isx86: boolean;
  readonly isx86_64: boolean;
  readonly isx86_32: boolean;
  readonly isAarch64: boolean;
  readonly isAarch32: boolean;
  readonly isRiscV: boolean;
  readonly isPower: boolean;
  readonly isPower64: boolean;
  readonly isS390: boolean;
  readonly isMips: boolean;
  readonly isMips64: boolean;
  readonly isM68k: boolean;
  readonly isLoongArch64: boolean;

  /** The kernel's `ARCH=` name, for kernel headers. */
  readonly linuxArch: string;
  /** The suffix of `qemu-<arch>`, or null when qemu-user has no emulator for this CPU. */
  readonly qemuArch: string | null;
  /** qemu-user's `-cpu` model for it (`cpu.qemu`), or null. */
  readonly qemuCpu: string | null;
  readonly uname: { readonly system: "Linux"; readonly processor: string };
  /** The program interpreter that dynamically linked executables for this platform request. */
  readonly dynamicLinker: string;
  /** The ELF `e_machine` of this platform's binaries. */
  readonly elfMachine: number;

  /** Whether a machine of this platform runs `other`'s executables natively. */
  canExecute(other: Platform): boolean;
  /** A stable key: two platforms with the same key are the same platform. */
  readonly key: string;
  toJSON(): Record<string, unknown>;
}

export class UnsupportedPlatformError extends XpkgsError {
  override name = "UnsupportedPlatformError";
}

/** glibc's program interpreter for each CPU and ABI. */
function glibcDynamicLinker(p: ParsedPlatform): string {
  const { cpu, abi } = p;
  switch (cpu.family) {
    case "x86":
      if (cpu.bits === 32) return "/lib/ld-linux.so.2";
      return abi.x32 === true ? "/libx32/ld-linux-x32.so.2" : "/lib64/ld-linux-x86-64.so.2";
    case "arm":
      if (cpu.bits === 64) {
        return cpu.endianness === "big"
          ? "/lib/ld-linux-aarch64_be.so.1"
          : "/lib/ld-linux-aarch64.so.1";
      }
      return abi.float === "hard" ? "/lib/ld-linux-armhf.so.3" : "/lib/ld-linux.so.3";
    case "riscv":
      return cpu.bits === 64
        ? "/lib/ld-linux-riscv64-lp64d.so.1"
        : "/lib/ld-linux-riscv32-ilp32d.so.1";
    case "power":
      if (cpu.bits === 32) return "/lib/ld.so.1";
      if (cpu.endianness === "little" || abi.powerAbi !== "elfv1") return "/lib64/ld64.so.2";
      return "/lib64/ld64.so.1";
    case "s390":
      return cpu.bits === 64 ? "/lib/ld64.so.1" : "/lib/ld.so.1";
    case "mips":
      if (cpu.bits === 32) return "/lib/ld.so.1";
      return abi.mipsAbi === "n32" ? "/lib32/ld.so.1" : "/lib64/ld.so.1";
    case "m68k":
      return "/lib/ld.so.1";
    case "loongarch":
      return "/lib64/ld-linux-loongarch-lp64d.so.1";
    case "sparc":
      return cpu.bits === 64 ? "/lib64/ld-linux.so.2" : "/lib/ld-linux.so.2";
    case "alpha":
      return "/lib/ld-linux.so.2";
    case "arc":
      return "/lib/ld-linux-arc.so.2";
  }
}

/**
 * The architecture's name as musl and qemu spell it; they agree except for
 * PowerPC (qemu's `ppc`), x32 and ARM's float suffix, handled below.
 */
function commonArch(p: ParsedPlatform): string | null {
  const { cpu, abi } = p;
  const el = cpu.endianness === "little";
  const b64 = cpu.bits === 64;
  switch (cpu.family) {
    case "x86":
      return b64 ? "x86_64" : "i386";
    case "arm":
      if (b64) return el ? "aarch64" : "aarch64_be";
      return el ? "arm" : "armeb";
    case "riscv":
      return cpu.name;
    case "power":
      if (b64) return el ? "powerpc64le" : "powerpc64";
      return el ? null : "powerpc";
    case "s390":
      return b64 ? "s390x" : "s390";
    case "mips":
      if (!b64) return el ? "mipsel" : "mips";
      return `${abi.mipsAbi === "n32" ? "mipsn32" : "mips64"}${el ? "el" : ""}`;
    case "m68k":
      return "m68k";
    case "loongarch":
      return "loongarch64";
    case "sparc":
      return b64 ? "sparc64" : "sparc";
    case "alpha":
      return "alpha";
    case "arc":
      return "arc";
  }
}

/** The ports musl 1.2.3 has. */
const muslPorts = new Set([
  "i386",
  "x86_64",
  "aarch64",
  "aarch64_be",
  "arm",
  "armeb",
  "riscv64",
  "powerpc",
  "powerpc64",
  "powerpc64le",
  "s390x",
  "mips",
  "mipsel",
  "mips64",
  "mips64el",
  "mipsn32",
  "mipsn32el",
  "m68k",
]);

/** musl's name for the architecture, as in `/lib/ld-musl-<arch>.so.1`; null where musl has no port. */
export function muslArch(p: ParsedPlatform): string | null {
  if (p.abi.x32 === true) return "x32";
  const arch = commonArch(p);
  if (arch === null || !muslPorts.has(arch)) return null;
  return p.cpu.family === "arm" && p.cpu.bits === 32 && p.abi.float === "hard" ? `${arch}hf` : arch;
}

const qemuSpelling: Readonly<Record<string, string>> = {
  powerpc: "ppc",
  powerpc64: "ppc64",
  powerpc64le: "ppc64le",
};
/** CPUs qemu-user has no emulator for. */
const noQemuUser = new Set(["arc", "s390"]);

function qemuArchOf(p: ParsedPlatform): string | null {
  const arch = commonArch(p);
  if (arch === null || noQemuUser.has(arch)) return null;
  return qemuSpelling[arch] ?? arch;
}

/** ELF e_machine numbers (EM_*) by CPU family and width. */
function elfMachineOf(p: ParsedPlatform): number {
  const b64 = p.cpu.bits === 64;
  switch (p.cpu.family) {
    case "x86":
      return b64 ? 62 : 3;
    case "arm":
      return b64 ? 183 : 40;
    case "riscv":
      return 243;
    case "power":
      return b64 ? 21 : 20;
    case "s390":
      return 22;
    case "mips":
      return 8;
    case "m68k":
      return 4;
    case "loongarch":
      return 258;
    case "sparc":
      return b64 ? 43 : 2;
    case "alpha":
      return 0x9026;
    case "arc":
      return 195;
  }
}

const linuxArchByFamily: Readonly<Record<string, (bits: number) => string>> = {
  x86: (bits) => (bits === 64 ? "x86_64" : "i386"),
  arm: (bits) => (bits === 64 ? "arm64" : "arm"),
  riscv: () => "riscv",
  power: () => "powerpc",
  s390: () => "s390",
  mips: () => "mips",
  m68k: () => "m68k",
  loongarch: () => "loongarch",
  sparc: () => "sparc",
  alpha: () => "alpha",
  arc: () => "arc",
};

function unameProcessor(p: ParsedPlatform): string {
  const { cpu } = p;
  if (cpu.family === "power") {
    if (cpu.bits === 32) return "ppc";
    return cpu.endianness === "little" ? "ppc64le" : "ppc64";
  }
  if (cpu.family === "mips" && cpu.bits === 64) return "mips64";
  return cpu.name;
}

/**
 * Older CPUs of the same family that a CPU runs natively. Everything runs
 * itself; only these cross-CPU pairs are added.
 */
const runsNatively: Readonly<Record<string, readonly string[]>> = {
  x86_64: ["i686", "i586", "i486", "i386"],
  i686: ["i586", "i486", "i386"],
  i586: ["i486", "i386"],
  i486: ["i386"],
  armv8a: ["armv7l", "armv7a", "armv6l", "armv5tel", "arm"],
  armv7l: ["armv7a", "armv6l", "armv5tel", "arm"],
  armv7a: ["armv7l", "armv6l", "armv5tel", "arm"],
  armv6l: ["armv5tel", "arm"],
  armv5tel: ["arm"],
};

function cpuRuns(host: ParsedPlatform, guest: ParsedPlatform): boolean {
  if (host.cpu.name === guest.cpu.name) return true;
  return (runsNatively[host.cpu.name] ?? []).includes(guest.cpu.name);
}

/** Elaborate a triple, a double or a full spec into a Platform. */
export function elaboratePlatform(spec: PlatformSpec | string): Platform {
  const s: PlatformSpec = typeof spec === "string" ? { config: spec } : spec;
  const parsed = parsePlatform(s.config);
  const { cpu, abi, kernel } = parsed;
  const libc = abi.libc;
  const isMusl = libc === "musl";
  let dynamicLinker: string;
  if (isMusl) {
    const arch = muslArch(parsed);
    if (arch === null) {
      throw new PlatformParseError(
        s.config,
        "abi",
        `'${s.config}' is not a platform xpkgs can build for: musl has no port to the cpu ` +
          `'${cpu.name}'. Use a glibc ABI ('gnu') for it.`,
      );
    }
    dynamicLinker = `/lib/ld-musl-${arch}.so.1`;
  } else {
    dynamicLinker = glibcDynamicLinker(parsed);
  }
  const gcc: GccOptions = { ...(s.gcc ?? {}) };
  if (abi.float !== undefined && gcc.float === undefined) gcc.float = abi.float;
  const isStatic = s.isStatic ?? false;
  const config = tripleOf(parsed);
  const defaultCpu = cpuOfTriple(parsed);
  const cpuSpec = s.cpu ?? defaultCpu;
  // The CPU enters the key only when it is not the one its triple implies.
  const key = JSON.stringify([
    config,
    isStatic,
    sortedEntries(gcc),
    ...(JSON.stringify(cpuSpec) !== JSON.stringify(defaultCpu) ? [cpuSpec] : []),
  ]);
  const platform: Platform = {
    parsed,
    config,
    system: doubleOf(parsed),
    libc,
    isStatic,
    gcc,
    cpu: cpuSpec,
    isLinux: kernel.name === "linux",
    isGnu: libc === "glibc",
    isMusl,
    is32bit: cpu.bits === 32,
    is64bit: cpu.bits === 64,
    isLittleEndian: cpu.endianness === "little",
    isBigEndian: cpu.endianness === "big",
    isx86: cpu.family === "x86",
    isx86_64: cpu.family === "x86" && cpu.bits === 64,
    isx86_32: cpu.family === "x86" && cpu.bits === 32,
    isAarch64: cpu.family === "arm" && cpu.bits === 64,
    isAarch32: cpu.family === "arm" && cpu.bits === 32,
    isRiscV: cpu.family === "riscv",
    isPower: cpu.family === "power",
    isPower64: cpu.family === "power" && cpu.bits === 64,
    isS390: cpu.family === "s390",
    isMips: cpu.family === "mips",
    isMips64: cpu.family === "mips" && cpu.bits === 64,
    isM68k: cpu.family === "m68k",
    isLoongArch64: cpu.family === "loongarch",
    linuxArch: linuxArchByFamily[cpu.family]!(cpu.bits),
    qemuArch: qemuArchOf(parsed),
    qemuCpu: cpuSpec?.qemu ?? null,
    uname: { system: "Linux", processor: unameProcessor(parsed) },
    dynamicLinker,
    elfMachine: elfMachineOf(parsed),
    key,
    canExecute(other: Platform): boolean {
      return parsed.kernel.name === other.parsed.kernel.name && cpuRuns(parsed, other.parsed);
    },
    toJSON() {
      return platformToJSON(platform);
    },
  };
  return Object.freeze(platform);
}

let cpuTables: { byTriple: Map<string, CpuSpec>; byCpu: Map<string, CpuSpec> } | null = null;

/** The CPU of the named platform with this triple, else of the first one with this CPU. */
function cpuOfTriple(p: ParsedPlatform): CpuSpec | null {
  if (cpuTables === null) {
    const byTriple = new Map<string, CpuSpec>();
    const byCpu = new Map<string, CpuSpec>();
    for (const spec of Object.values(examples)) {
      if (spec.cpu === undefined) continue;
      const parsed = parsePlatform(spec.config);
      const triple = tripleOf(parsed);
      if (!byTriple.has(triple)) byTriple.set(triple, spec.cpu);
      if (!byCpu.has(parsed.cpu.name)) byCpu.set(parsed.cpu.name, spec.cpu);
    }
    cpuTables = { byTriple, byCpu };
  }
  return cpuTables.byTriple.get(tripleOf(p)) ?? cpuTables.byCpu.get(p.cpu.name) ?? null;
}

function sortedEntries(o: object): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function platformToJSON(p: Platform): Record<string, unknown> {
  return {
    config: p.config,
    system: p.system,
    libc: p.libc,
    isStatic: p.isStatic,
    cpu: { ...p.parsed.cpu },
    vendor: p.parsed.vendor.name,
    kernel: p.parsed.kernel.name,
    abi: p.parsed.abi.name,
    gcc: p.gcc,
    cpuModel: p.cpu,
    linuxArch: p.linuxArch,
    qemuArch: p.qemuArch,
    uname: p.uname,
    dynamicLinker: p.dynamicLinker,
    isLinux: p.isLinux,
    isGnu: p.isGnu,
    isMusl: p.isMusl,
    is32bit: p.is32bit,
    is64bit: p.is64bit,
    isLittleEndian: p.isLittleEndian,
  };
}

/** The platform of the machine xpkgs runs on. */
export function buildMachinePlatform(): Platform {
  const byNodeArch: Record<string, string> = {
    x64: "x86_64-unknown-linux-gnu",
    ia32: "i686-unknown-linux-gnu",
    arm64: "aarch64-unknown-linux-gnu",
    arm: "armv7l-unknown-linux-gnueabihf",
    riscv64: "riscv64-unknown-linux-gnu",
    ppc64: "powerpc64le-unknown-linux-gnu",
    s390x: "s390x-unknown-linux-gnu",
    loong64: "loongarch64-unknown-linux-gnu",
  };
  const config = byNodeArch[process.arch];
  if (process.platform !== "linux" || config === undefined) {
    throw new UnsupportedPlatformError(
      `xpkgs runs on Linux only, and this machine is ${process.platform}/${process.arch}. ` +
        `Run it on a Linux machine (x86_64 or aarch64).`,
    );
  }
  return elaboratePlatform(config);
}
