/**
 * The named platforms of `pkgsCross.<name>`, with Nixpkgs' names and triples.
 * Data only.
 *
 * `cpu` is the CPU a platform's programs must run on: qemu-user's model of it
 * (checks, smoke tests and `xpkgs run` use it, never qemu's default, which
 * accepts every instruction qemu knows), the instruction-set baseline in
 * words (Debian's default for its cross gcc, as `gcc -Q --help=target`
 * prints it, or `gcc`'s flags where the platform asks for less), and, where
 * the architecture records it in ELF files, what their attributes may say.
 */
import type { CpuSpec, PlatformSpec } from "./elaborate.js";

const x86_64: CpuSpec = { qemu: "qemu64", baseline: "x86-64" };
// Debian's i386 baseline is the P6 (-march=i686: cmov, no MMX or SSE); qemu has no
// Pentium Pro model, and the Pentium II is a P6 with MMX.
const i686: CpuSpec = { qemu: "pentium2", baseline: "i686 (P6, no SSE)" };
const armv8a: CpuSpec = { qemu: "cortex-a53", baseline: "ARMv8-A" };
// The Cortex-A8 is the strictest ARMv7-A qemu has: VFPv3 (no VFPv4 fused
// multiply-add) and no integer divide, as -march=armv7-a assumes.
const armv7: CpuSpec = {
  qemu: "cortex-a8",
  baseline: "ARMv7-A, VFPv3-D16, hard-float",
  elf: { armArch: "v7", armFp: "VFPv3-D16" },
};
// The Raspberry Pi 1 and Zero: an ARM1176JZF-S (ARMv6KZ, VFPv2), no Thumb-2.
// Debian's armhf libgcc and crtbegin*.o are ARMv7 Thumb-2, which it cannot run.
const armv6: CpuSpec = {
  qemu: "arm1176",
  baseline: "ARMv6KZ, VFPv2, hard-float",
  elf: { armArch: "v6KZ", armFp: "VFPv2" },
  needsOwnLibgcc: true,
};
// RV64GC: qemu's sifive-u54 has exactly IMAFDC (its `rv64` adds the bit-manipulation extensions).
const rv64gc: CpuSpec = {
  qemu: "sifive-u54",
  baseline: "RV64GC",
  elf: { riscvIsa: "rv64imafdc_zicsr_zifencei" },
};
const power8: CpuSpec = { qemu: "power8", baseline: "POWER8" };
// Debian's powerpc64 gcc defaults to POWER4 (-mcpu=power4); the PPC970 is a POWER4 with AltiVec.
const power4: CpuSpec = { qemu: "970", baseline: "POWER4" };
// Big-endian musl is ELFv2, and Debian's powerpc64 libgcc is ELFv1 ("ABI version 1 is not
// compatible with ABI version 2 output"): its musl links a libgcc built for it. ppc64 has
// it too, for its pkgsStatic (musl) set; glibc sets never build their own libgcc.
const power4elfv2: CpuSpec = { ...power4, needsOwnLibgcc: true };
const mips32r2: CpuSpec = {
  qemu: "24Kf",
  baseline: "MIPS32r2, FPU",
  elf: { mipsIsa: "mips32r2" },
};
const mips64r2: CpuSpec = {
  qemu: "5KEf",
  baseline: "MIPS64r2, FPU",
  elf: { mipsIsa: "mips64r2" },
};

export const examples: Readonly<Record<string, PlatformSpec>> = {
  gnu64: { config: "x86_64-unknown-linux-gnu", cpu: x86_64 },
  gnu32: { config: "i686-unknown-linux-gnu", cpu: i686 },
  musl64: { config: "x86_64-unknown-linux-musl", cpu: x86_64 },
  musl32: { config: "i686-unknown-linux-musl", cpu: i686 },

  "aarch64-multiplatform": { config: "aarch64-unknown-linux-gnu", cpu: armv8a },
  "aarch64-multiplatform-musl": { config: "aarch64-unknown-linux-musl", cpu: armv8a },
  aarch64be: { config: "aarch64_be-unknown-linux-gnu", cpu: armv8a },
  "armv7l-hf-multiplatform": {
    config: "armv7l-unknown-linux-gnueabihf",
    gcc: { arch: "armv7-a", fpu: "vfpv3-d16" },
    cpu: armv7,
  },
  "armv7l-hf-multiplatform-musl": {
    config: "armv7l-unknown-linux-musleabihf",
    gcc: { arch: "armv7-a", fpu: "vfpv3-d16" },
    cpu: armv7,
  },
  // The SheevaPlug: a Marvell Kirkwood (Feroceon, ARMv5TE); qemu's closest is the ARM926EJ-S.
  // Debian's armel libgcc and start files are v5TE with Thumb-1 (readelf -A): they fit.
  sheevaplug: {
    config: "armv5tel-unknown-linux-gnueabi",
    gcc: { arch: "armv5te" },
    cpu: { qemu: "arm926", baseline: "ARMv5TE, soft-float", elf: { armArch: "v5TE", armFp: "No" } },
  },
  raspberryPi: {
    config: "armv6l-unknown-linux-gnueabihf",
    gcc: { arch: "armv6k", fpu: "vfp" },
    cpu: armv6,
  },
  muslpi: {
    config: "armv6l-unknown-linux-musleabihf",
    gcc: { arch: "armv6k", fpu: "vfp" },
    cpu: armv6,
  },

  riscv64: { config: "riscv64-unknown-linux-gnu", cpu: rv64gc },
  "riscv64-musl": { config: "riscv64-unknown-linux-musl", cpu: rv64gc },
  riscv32: {
    config: "riscv32-unknown-linux-gnu",
    cpu: {
      qemu: "sifive-u34",
      baseline: "RV32GC",
      elf: { riscvIsa: "rv32imafdc_zicsr_zifencei" },
    },
  },

  powernv: { config: "powerpc64le-unknown-linux-gnu", cpu: power8 },
  "musl-power": { config: "powerpc64le-unknown-linux-musl", cpu: power8 },
  ppc64: { config: "powerpc64-unknown-linux-gnuabielfv2", cpu: power4elfv2 },
  "ppc64-musl": { config: "powerpc64-unknown-linux-musl", gcc: { abi: "elfv2" }, cpu: power4elfv2 },
  // Debian's powerpc gcc targets generic 32-bit PowerPC with an FPU (-mcpu=default32);
  // the PowerPC 750 (G3) has the FPU and no AltiVec.
  ppc32: {
    config: "powerpc-unknown-linux-gnu",
    cpu: { qemu: "750", baseline: "PowerPC G3 (FPU, no AltiVec)" },
  },

  // qemu's TCG cannot present IBM's z196, nor any named model (their crypto and
  // decimal-float facilities are not emulated: "Some features requested in the CPU
  // model are not available"); "qemu" is the model TCG emulates, z13-class, a
  // superset of Debian's z196 baseline.
  s390x: { config: "s390x-unknown-linux-gnu", cpu: { qemu: "qemu", baseline: "z196 (arch9)" } },
  s390: { config: "s390-unknown-linux-gnu" },

  "mips-linux-gnu": {
    config: "mips-unknown-linux-gnu",
    gcc: { arch: "mips32r2", abi: "32" },
    cpu: mips32r2,
  },
  "mipsel-linux-gnu": {
    config: "mipsel-unknown-linux-gnu",
    gcc: { arch: "mips32r2", abi: "32" },
    cpu: mips32r2,
  },
  "mips64-linux-gnuabi64": {
    config: "mips64-unknown-linux-gnuabi64",
    gcc: { arch: "mips64r2", abi: "64" },
    cpu: mips64r2,
  },
  "mips64el-linux-gnuabi64": {
    config: "mips64el-unknown-linux-gnuabi64",
    gcc: { arch: "mips64r2", abi: "64" },
    cpu: mips64r2,
  },
  "mips64el-linux-gnuabin32": {
    config: "mips64el-unknown-linux-gnuabin32",
    gcc: { arch: "mips64r2", abi: "n32" },
    cpu: mips64r2,
  },

  // Debian's m68k gcc targets the 68020 with a 68881; the 68040 has its FPU built in.
  m68k: { config: "m68k-unknown-linux-gnu", cpu: { qemu: "m68040", baseline: "68020 + 68881" } },
  "loongarch64-linux": {
    config: "loongarch64-unknown-linux-gnu",
    cpu: { qemu: "la464", baseline: "LA64 (LA464)" },
  },
  sparc64: {
    config: "sparc64-unknown-linux-gnu",
    cpu: { qemu: "TI-UltraSparc-II", baseline: "SPARC V9" },
  },
  // Debian's alpha gcc targets the EV4 (21064), without the byte-word extension.
  alpha: { config: "alpha-unknown-linux-gnu", cpu: { qemu: "ev4", baseline: "EV4 (21064)" } },
  arc: { config: "arc-unknown-linux-gnu" },
};

export const exampleNames: readonly string[] = Object.keys(examples);
