import { type RecipeArgs, recipe } from "../package-set.js";

// gold's targets (gold/configure.tgt in 2.40): no RISC-V, LoongArch or m68k. MIPS has a
// backend, but it instantiates all four sizes and byte orders, and with
// --enable-targets=<host> its link fails (undefined gold::Output_reloc<9, true, 64, false>…):
// left out until a build names the four MIPS targets (untested).
const goldCpus = (p: RecipeArgs["hostPlatform"]): boolean =>
  p.isx86 || p.isAarch64 || p.isAarch32 || p.isPower || p.isS390;

const goldTargets = (p: RecipeArgs["hostPlatform"]): string[] =>
  p.isS390 && p.parsed.cpu.bits === 64
    ? [p.config, p.config.replace(/^s390x/, "s390")]
    : [p.config];

export const binutilsUnwrapped = recipe<"zlib">(({ stdenv, fetchurl, zlib, hostPlatform }) => {
  const gold = goldCpus(hostPlatform);
  return stdenv.mkDerivation({
    pname: "binutils",
    version: "2.40",
    src: fetchurl({
      // Debian repacked the tarball: its hash is the archive's, not upstream's.
      url: "mirror://debian/pool/main/b/binutils/binutils_2.40.orig.tar.xz",
      name: "binutils-2.40.tar.xz",
      hash: "sha256:d78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d",
    }),
    buildInputs: [zlib],
    // gold is C++.
    cxx: gold,
    // --target equal to --host, so the tools are not prefixed: readelf, not aarch64-…-readelf.
    configurePlatforms: ["build", "host", "target"],
    configureFlags: [
      "--enable-deterministic-archives",
      "--disable-werror",
      "--enable-64-bit-bfd",
      "--disable-gdb",
      "--disable-gdbserver",
      "--disable-sim",
      "--disable-gprofng",
      // ld stays the BFD linker; gold is ld.gold, beside it. No plugins where there is no dlopen.
      ...(gold ? ["--enable-gold", "--enable-ld=default"] : ["--disable-gold"]),
      ...(gold && hostPlatform.isStatic ? ["--disable-plugins"] : []),
      // gold builds every backend unless told (its configure's default is all); bfd's
      // default is this one anyway. gold's s390 backend instantiates the 31-bit size too,
      // which only an s390 target enables (without it: undefined Output_reloc<9, true, 32…>).
      ...(gold ? [`--enable-targets=${goldTargets(hostPlatform).join(",")}`] : []),
      "--disable-nls",
      "--with-system-zlib",
    ],
    // The Debian repack has no bfd/doc/bfd.info; never try to rebuild documentation.
    makeFlags: ["MAKEINFO=true"],
    meta: {
      description: "Tools for manipulating binaries: readelf, objdump, ld, as, ar…",
      homepage: "https://www.gnu.org/software/binutils/",
      license: "GPL-3.0-or-later",
      mainProgram: "readelf",
      notes: [
        "ld.gold (and dwp) on x86, ARM, AArch64, PowerPC and s390; not on RISC-V (no backend) nor MIPS (its backend does not link with one target).",
      ],
    },
  });
});
