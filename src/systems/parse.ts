/**
 * Parsing GNU triples and Nix system doubles into their four parts.
 *
 * The tables below are data, in the manner of Nixpkgs' lib/systems: every
 * predicate elsewhere is derived from these fields, never from matching the
 * platform string.
 */
import { XpkgsError, didYouMean } from "../errors.js";

export type Endianness = "little" | "big";
export type CpuFamily =
  | "x86"
  | "arm"
  | "riscv"
  | "power"
  | "s390"
  | "mips"
  | "m68k"
  | "loongarch"
  | "sparc"
  | "alpha"
  | "arc";

export interface CpuType {
  name: string;
  bits: 32 | 64;
  endianness: Endianness;
  family: CpuFamily;
  /** Architecture version within the family, where it means something (ARM v5…v8, x86 i386…i686). */
  version?: string;
}

export interface Vendor {
  name: string;
}

export interface Kernel {
  name: string;
  execFormat: "elf";
}

export type LibcName = "glibc" | "musl";
export type FloatAbi = "hard" | "soft";
export type MipsAbi = "o32" | "n32" | "n64";
export type PowerAbi = "elfv1" | "elfv2";

export interface Abi {
  name: string;
  libc: LibcName;
  /** ARM float calling convention, for the `eabi` ABIs. */
  float?: FloatAbi;
  /** MIPS ABI that the suffix selects (`gnuabi64` is n64, `gnuabin32` is n32). */
  mipsAbi?: MipsAbi;
  /** PowerPC64 ELF ABI version that the suffix selects. */
  powerAbi?: PowerAbi;
  /** x86-64 with 32-bit pointers. */
  x32?: boolean;
  /** The musl ABI that takes this glibc ABI's place (for pkgsMusl and pkgsStatic). */
  muslEquivalent?: string;
}

function cpu(
  name: string,
  bits: 32 | 64,
  endianness: Endianness,
  family: CpuFamily,
  version?: string,
): CpuType {
  return version === undefined
    ? { name, bits, endianness, family }
    : { name, bits, endianness, family, version };
}

export const cpuTypes: Readonly<Record<string, CpuType>> = Object.fromEntries(
  [
    cpu("i386", 32, "little", "x86", "i386"),
    cpu("i486", 32, "little", "x86", "i486"),
    cpu("i586", 32, "little", "x86", "i586"),
    cpu("i686", 32, "little", "x86", "i686"),
    cpu("x86_64", 64, "little", "x86", "x86-64"),
    cpu("arm", 32, "little", "arm"),
    cpu("armv5tel", 32, "little", "arm", "5"),
    cpu("armv6l", 32, "little", "arm", "6"),
    cpu("armv6m", 32, "little", "arm", "6"),
    cpu("armv7a", 32, "little", "arm", "7"),
    cpu("armv7l", 32, "little", "arm", "7"),
    cpu("armv8a", 32, "little", "arm", "8"),
    cpu("aarch64", 64, "little", "arm", "8"),
    cpu("aarch64_be", 64, "big", "arm", "8"),
    cpu("riscv32", 32, "little", "riscv"),
    cpu("riscv64", 64, "little", "riscv"),
    cpu("powerpc", 32, "big", "power"),
    cpu("powerpcle", 32, "little", "power"),
    cpu("powerpc64", 64, "big", "power"),
    cpu("powerpc64le", 64, "little", "power"),
    cpu("s390", 32, "big", "s390"),
    cpu("s390x", 64, "big", "s390"),
    cpu("mips", 32, "big", "mips"),
    cpu("mipsel", 32, "little", "mips"),
    cpu("mips64", 64, "big", "mips"),
    cpu("mips64el", 64, "little", "mips"),
    cpu("m68k", 32, "big", "m68k"),
    cpu("loongarch64", 64, "little", "loongarch"),
    cpu("sparc", 32, "big", "sparc"),
    cpu("sparc64", 64, "big", "sparc"),
    cpu("alpha", 64, "little", "alpha"),
    cpu("arc", 32, "little", "arc"),
  ].map((c) => [c.name, c]),
);

export const vendors: Readonly<Record<string, Vendor>> = {
  unknown: { name: "unknown" },
  pc: { name: "pc" },
  w64: { name: "w64" },
  none: { name: "none" },
};

/** xpkgs builds for Linux only; the table says so in one place. */
export const kernels: Readonly<Record<string, Kernel>> = {
  linux: { name: "linux", execFormat: "elf" },
};

export const abis: Readonly<Record<string, Abi>> = {
  gnu: { name: "gnu", libc: "glibc", muslEquivalent: "musl" },
  gnueabi: { name: "gnueabi", libc: "glibc", float: "soft", muslEquivalent: "musleabi" },
  gnueabihf: { name: "gnueabihf", libc: "glibc", float: "hard", muslEquivalent: "musleabihf" },
  gnuabi64: { name: "gnuabi64", libc: "glibc", mipsAbi: "n64", muslEquivalent: "muslabi64" },
  gnuabin32: { name: "gnuabin32", libc: "glibc", mipsAbi: "n32", muslEquivalent: "muslabin32" },
  // musl on big-endian PowerPC64 is ELFv2 only.
  gnuabielfv1: { name: "gnuabielfv1", libc: "glibc", powerAbi: "elfv1", muslEquivalent: "musl" },
  gnuabielfv2: { name: "gnuabielfv2", libc: "glibc", powerAbi: "elfv2", muslEquivalent: "musl" },
  gnux32: { name: "gnux32", libc: "glibc", x32: true },
  musl: { name: "musl", libc: "musl" },
  musleabi: { name: "musleabi", libc: "musl", float: "soft" },
  musleabihf: { name: "musleabihf", libc: "musl", float: "hard" },
  muslabi64: { name: "muslabi64", libc: "musl", mipsAbi: "n64" },
  muslabin32: { name: "muslabin32", libc: "musl", mipsAbi: "n32" },
};

export interface ParsedPlatform {
  cpu: CpuType;
  vendor: Vendor;
  kernel: Kernel;
  abi: Abi;
}

export class PlatformParseError extends XpkgsError {
  override name = "PlatformParseError";
  constructor(
    readonly input: string,
    readonly component: "cpu" | "vendor" | "kernel" | "abi" | "shape",
    message: string,
  ) {
    super(message);
  }
}

function lookup<T>(
  input: string,
  table: Readonly<Record<string, T>>,
  component: "cpu" | "vendor" | "kernel" | "abi",
  value: string,
): T {
  const found = Object.prototype.hasOwnProperty.call(table, value) ? table[value] : undefined;
  if (found !== undefined) return found;
  const known = Object.keys(table);
  throw new PlatformParseError(
    input,
    component,
    `'${input}' is not a platform: '${value}' is not a known ${component}.` +
      didYouMean(value, known) +
      ` Known ${component} values: ${known.join(", ")}.`,
  );
}

/**
 * The ABI a Linux triple gets when it names none, as Nixpkgs defaults it:
 * 32-bit ARM from v6 on is hard-float, older ARM soft-float, big-endian
 * PowerPC64 is ELFv2, 64-bit MIPS is n64, and everything else is plain gnu.
 */
function defaultAbi(c: CpuType): Abi {
  if (c.family === "arm" && c.bits === 32) {
    return Number(c.version ?? "0") >= 6 ? abis.gnueabihf! : abis.gnueabi!;
  }
  if (c.family === "power" && c.bits === 64 && c.endianness === "big") return abis.gnuabielfv2!;
  if (c.family === "mips" && c.bits === 64) return abis.gnuabi64!;
  return abis.gnu!;
}

/**
 * Parse `cpu-kernel`, `cpu-kernel-abi`, `cpu-vendor-kernel` or
 * `cpu-vendor-kernel-abi`. Missing parts get Nixpkgs' defaults: vendor
 * `unknown`, and the ABI of `defaultAbi`.
 */
export function parsePlatform(input: string): ParsedPlatform {
  const parts = input.split("-");
  if (input.trim() === "" || parts.some((p) => p === "")) {
    throw new PlatformParseError(
      input,
      "shape",
      `'${input}' is not a platform: expected a GNU triple such as 'aarch64-unknown-linux-gnu' ` +
        `or a Nix system double such as 'x86_64-linux', with non-empty parts separated by '-'.`,
    );
  }
  let cpuName: string;
  let vendorName = "unknown";
  let kernelName: string;
  let abiName: string | undefined;
  if (parts.length === 2) {
    [cpuName, kernelName] = parts as [string, string];
  } else if (parts.length === 3) {
    // `aarch64-linux-gnu` names a kernel second; `x86_64-unknown-linux` names it third.
    if (parts[1]! in kernels) {
      [cpuName, kernelName, abiName] = parts as [string, string, string];
    } else {
      [cpuName, vendorName, kernelName] = parts as [string, string, string];
    }
  } else if (parts.length === 4) {
    [cpuName, vendorName, kernelName, abiName] = parts as [string, string, string, string];
  } else {
    throw new PlatformParseError(
      input,
      "shape",
      `'${input}' is not a platform: it has ${parts.length} '-'-separated parts, but a platform ` +
        `has 2 (cpu-kernel, as 'x86_64-linux'), 3 (cpu-kernel-abi, as 'aarch64-linux-gnu') ` +
        `or 4 (cpu-vendor-kernel-abi, as 'aarch64-unknown-linux-musl').`,
    );
  }
  const c = lookup(input, cpuTypes, "cpu", cpuName);
  const vendor = lookup(input, vendors, "vendor", vendorName);
  const kernel = lookup(input, kernels, "kernel", kernelName);
  const abi = abiName === undefined ? defaultAbi(c) : lookup(input, abis, "abi", abiName);
  checkAbiFitsCpu(input, c, abi);
  return { cpu: c, vendor, kernel, abi };
}

function checkAbiFitsCpu(input: string, c: CpuType, abi: Abi): void {
  const bad = (why: string): never => {
    throw new PlatformParseError(input, "abi", `'${input}' is not a platform: ${why}`);
  };
  if (abi.float !== undefined && !(c.family === "arm" && c.bits === 32)) {
    bad(
      `the ABI '${abi.name}' is for 32-bit ARM, but the cpu is '${c.name}'. Use 'gnu' or 'musl'.`,
    );
  }
  if (abi.mipsAbi !== undefined && !(c.family === "mips" && c.bits === 64)) {
    bad(`the ABI '${abi.name}' is for 64-bit MIPS, but the cpu is '${c.name}'.`);
  }
  if (abi.powerAbi !== undefined && !(c.family === "power" && c.bits === 64)) {
    bad(`the ABI '${abi.name}' is for 64-bit PowerPC, but the cpu is '${c.name}'.`);
  }
  if (abi.x32 === true && c.name !== "x86_64") {
    bad(`the ABI '${abi.name}' is for x86_64, but the cpu is '${c.name}'.`);
  }
}

/** The canonical GNU triple of a parsed platform. */
export function tripleOf(p: ParsedPlatform): string {
  return `${p.cpu.name}-${p.vendor.name}-${p.kernel.name}-${p.abi.name}`;
}

/** The Nix system double (`aarch64-linux`). */
export function doubleOf(p: ParsedPlatform): string {
  return `${p.cpu.name}-${p.kernel.name}`;
}
