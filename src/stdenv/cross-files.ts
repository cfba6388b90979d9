/**
 * What CMake and Meson need to know about a cross build, from the platform.
 */
import type { Platform } from "../systems/elaborate.js";

const mesonCpuFamily: Readonly<Record<string, (p: Platform) => string>> = {
  x86: (p) => (p.is64bit ? "x86_64" : "x86"),
  arm: (p) => (p.is64bit ? "aarch64" : "arm"),
  riscv: (p) => (p.is64bit ? "riscv64" : "riscv32"),
  power: (p) => (p.is64bit ? "ppc64" : "ppc"),
  s390: (p) => (p.is64bit ? "s390x" : "s390"),
  mips: (p) => (p.is64bit ? "mips64" : "mips"),
  m68k: () => "m68k",
  loongarch: () => "loongarch64",
  sparc: (p) => (p.is64bit ? "sparc64" : "sparc"),
  alpha: () => "alpha",
  arc: () => "arc",
};

export interface CrossTools {
  cc: string;
  cxx: string;
  ar: string;
  ranlib: string;
  strip: string;
  pkgConfig: string;
  /** The emulator command that runs host programs here, or null. */
  emulator: string | null;
}

/** CMAKE_SYSTEM_PROCESSOR: what `uname -m` says on the host. */
export function cmakeSystemProcessor(host: Platform): string {
  return host.uname.processor;
}

export function mesonCrossFile(host: Platform, tools: CrossTools): string {
  const q = (s: string) => `'${s}'`;
  const exe =
    tools.emulator === null
      ? []
      : [`exe_wrapper = [${tools.emulator.split(" ").map(q).join(", ")}]`];
  return [
    "[binaries]",
    `c = ${q(tools.cc)}`,
    `cpp = ${q(tools.cxx)}`,
    `ar = ${q(tools.ar)}`,
    `strip = ${q(tools.strip)}`,
    `pkg-config = ${q(tools.pkgConfig)}`,
    ...exe,
    "",
    "[properties]",
    "needs_exe_wrapper = true",
    "",
    "[host_machine]",
    "system = 'linux'",
    `cpu_family = ${q(mesonCpuFamily[host.parsed.cpu.family]!(host))}`,
    `cpu = ${q(host.parsed.cpu.name)}`,
    `endian = ${q(host.isLittleEndian ? "little" : "big")}`,
    "",
  ].join("\n");
}
