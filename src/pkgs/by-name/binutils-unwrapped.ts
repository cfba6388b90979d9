import { recipe } from "../package-set.js";

export const binutilsUnwrapped = recipe<"zlib">(({ stdenv, fetchurl, zlib }) =>
  stdenv.mkDerivation({
    pname: "binutils",
    version: "2.40",
    src: fetchurl({
      // Debian repacked the tarball: its hash is the archive's, not upstream's.
      url: "mirror://debian/pool/main/b/binutils/binutils_2.40.orig.tar.xz",
      name: "binutils-2.40.tar.xz",
      hash: "sha256:d78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d",
    }),
    buildInputs: [zlib],
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
      "--disable-gold",
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
        "gold (ld.gold) is left out everywhere: it is C++, and musl sets have no C++ toolchain yet.",
      ],
    },
  }),
);
