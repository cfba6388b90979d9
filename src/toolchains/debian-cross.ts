/**
 * Debian's cross compiler packages (`gcc-aarch64-linux-gnu`…), and which
 * platform each one serves. musl targets use the glibc cross compiler of the
 * same CPU, with musl built in the store, so they map to the same package.
 */
import type { Platform } from "../systems/elaborate.js";
import { findProgram } from "../host/find-program.js";

/** Debian's GNU triple for a platform's CPU and ABI, or null when Debian ships no cross gcc for it. */
export function debianTriple(p: Platform): string | null {
  const { cpu, abi } = p.parsed;
  const el = cpu.endianness === "little";
  switch (cpu.family) {
    case "x86":
      if (cpu.bits === 32) return "i686-linux-gnu";
      return abi.x32 === true ? "x86_64-linux-gnux32" : "x86_64-linux-gnu";
    case "arm":
      if (!el) return null;
      if (cpu.bits === 64) return "aarch64-linux-gnu";
      return abi.float === "hard" ? "arm-linux-gnueabihf" : "arm-linux-gnueabi";
    case "riscv":
      return cpu.bits === 64 ? "riscv64-linux-gnu" : null;
    case "power":
      if (cpu.bits === 32) return el ? null : "powerpc-linux-gnu";
      return el ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu";
    case "s390":
      return cpu.bits === 64 ? "s390x-linux-gnu" : null;
    case "mips":
      if (cpu.bits === 32) return el ? "mipsel-linux-gnu" : "mips-linux-gnu";
      if (abi.mipsAbi === "n32") return null;
      return el ? "mips64el-linux-gnuabi64" : "mips64-linux-gnuabi64";
    case "m68k":
      return "m68k-linux-gnu";
    case "sparc":
      return cpu.bits === 64 ? "sparc64-linux-gnu" : null;
    case "alpha":
      return "alpha-linux-gnu";
    case "arc":
      return "arc-linux-gnu";
    case "loongarch":
      return null;
  }
}

/** Debian's architecture name for a triple (`arm64` for aarch64-linux-gnu), as in `libc6-dev-arm64-cross`. */
export const debianArchOfTriple: Readonly<Record<string, string>> = {
  "x86_64-linux-gnu": "amd64",
  "x86_64-linux-gnux32": "x32",
  "i686-linux-gnu": "i386",
  "aarch64-linux-gnu": "arm64",
  "arm-linux-gnueabihf": "armhf",
  "arm-linux-gnueabi": "armel",
  "riscv64-linux-gnu": "riscv64",
  "powerpc64le-linux-gnu": "ppc64el",
  "powerpc64-linux-gnu": "ppc64",
  "powerpc-linux-gnu": "powerpc",
  "s390x-linux-gnu": "s390x",
  "mips-linux-gnu": "mips",
  "mipsel-linux-gnu": "mipsel",
  "mips64-linux-gnuabi64": "mips64",
  "mips64el-linux-gnuabi64": "mips64el",
  "m68k-linux-gnu": "m68k",
  "sparc64-linux-gnu": "sparc64",
  "alpha-linux-gnu": "alpha",
  "arc-linux-gnu": "arc",
};

/** The Debian packages a platform's builds need: the cross gcc, and for glibc its libc. */
export function debianPackagesFor(host: Platform, build: Platform): string[] {
  const triple = debianTriple(host);
  if (triple === null) return [];
  // g++ too: C++ on every platform (cxx: true), musl's included (libstdcxx.ts).
  if (triple === debianTriple(build))
    return host.isGnu ? ["gcc", "g++", "libc6-dev"] : ["gcc", "g++"];
  const arch = debianArchOfTriple[triple];
  return host.isGnu && arch !== undefined
    ? [`gcc-${triple}`, `g++-${triple}`, `libc6-dev-${arch}-cross`]
    : [`gcc-${triple}`, `g++-${triple}`];
}

export interface CompilerAvailability {
  /** The compiler command xpkgs would use (`aarch64-linux-gnu-gcc`, or `gcc` natively). */
  command: string | null;
  /** The Debian package that provides it. */
  package: string | null;
  /** Its path on this machine, or null when it is not installed. */
  path: string | null;
}

/** Which C compiler builds for `host` on `build`, and whether it is installed. */
export function compilerFor(host: Platform, build: Platform): CompilerAvailability {
  const triple = debianTriple(host);
  if (triple === null) return { command: null, package: null, path: null };
  const native = debianTriple(build) === triple;
  const command = native ? "gcc" : `${triple}-gcc`;
  const pkg = native ? "gcc" : `gcc-${triple}`;
  return { command, package: pkg, path: findProgram(command) };
}
