/**
 * The named platforms of `pkgsCross.<name>`, with Nixpkgs' names and triples.
 * Data only.
 */
import type { PlatformSpec } from "./elaborate.js";

export const examples: Readonly<Record<string, PlatformSpec>> = {
  gnu64: { config: "x86_64-unknown-linux-gnu" },
  gnu32: { config: "i686-unknown-linux-gnu" },
  musl64: { config: "x86_64-unknown-linux-musl" },
  musl32: { config: "i686-unknown-linux-musl" },

  "aarch64-multiplatform": { config: "aarch64-unknown-linux-gnu" },
  "aarch64-multiplatform-musl": { config: "aarch64-unknown-linux-musl" },
  aarch64be: { config: "aarch64_be-unknown-linux-gnu" },
  "armv7l-hf-multiplatform": {
    config: "armv7l-unknown-linux-gnueabihf",
    gcc: { arch: "armv7-a", fpu: "vfpv3-d16" },
  },
  "armv7l-hf-multiplatform-musl": {
    config: "armv7l-unknown-linux-musleabihf",
    gcc: { arch: "armv7-a", fpu: "vfpv3-d16" },
  },
  sheevaplug: { config: "armv5tel-unknown-linux-gnueabi", gcc: { arch: "armv5te" } },
  raspberryPi: { config: "armv6l-unknown-linux-gnueabihf", gcc: { arch: "armv6k", fpu: "vfp" } },
  muslpi: { config: "armv6l-unknown-linux-musleabihf", gcc: { arch: "armv6k", fpu: "vfp" } },

  riscv64: { config: "riscv64-unknown-linux-gnu" },
  "riscv64-musl": { config: "riscv64-unknown-linux-musl" },
  riscv32: { config: "riscv32-unknown-linux-gnu" },

  powernv: { config: "powerpc64le-unknown-linux-gnu" },
  "musl-power": { config: "powerpc64le-unknown-linux-musl" },
  ppc64: { config: "powerpc64-unknown-linux-gnuabielfv2" },
  "ppc64-musl": { config: "powerpc64-unknown-linux-musl", gcc: { abi: "elfv2" } },
  ppc32: { config: "powerpc-unknown-linux-gnu" },

  s390x: { config: "s390x-unknown-linux-gnu" },
  s390: { config: "s390-unknown-linux-gnu" },

  "mips-linux-gnu": { config: "mips-unknown-linux-gnu", gcc: { arch: "mips32r2", abi: "32" } },
  "mipsel-linux-gnu": { config: "mipsel-unknown-linux-gnu", gcc: { arch: "mips32r2", abi: "32" } },
  "mips64-linux-gnuabi64": {
    config: "mips64-unknown-linux-gnuabi64",
    gcc: { arch: "mips64r2", abi: "64" },
  },
  "mips64el-linux-gnuabi64": {
    config: "mips64el-unknown-linux-gnuabi64",
    gcc: { arch: "mips64r2", abi: "64" },
  },
  "mips64el-linux-gnuabin32": {
    config: "mips64el-unknown-linux-gnuabin32",
    gcc: { arch: "mips64r2", abi: "n32" },
  },

  m68k: { config: "m68k-unknown-linux-gnu" },
  "loongarch64-linux": { config: "loongarch64-unknown-linux-gnu" },
  sparc64: { config: "sparc64-unknown-linux-gnu" },
  alpha: { config: "alpha-unknown-linux-gnu" },
  arc: { config: "arc-unknown-linux-gnu" },
};

export const exampleNames: readonly string[] = Object.keys(examples);
