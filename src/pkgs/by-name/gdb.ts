import { recipe } from "../package-set.js";

/** gdb 13.1 from Debian's pool, shared by gdb and gdbserver. */
export const gdbSource = {
  url: "mirror://debian/pool/main/g/gdb/gdb_13.1.orig.tar.xz",
  name: "gdb-13.1.tar.xz",
  hash: "sha256:d861181d5fa473787ed647895ec22d6ab001bb0a2354d76537fc0d6e244f5a15",
};

/** What both builds leave out: no Python, no simulators, no documentation. */
export const gdbCommonFlags = [
  "--disable-werror",
  "--disable-nls",
  "--disable-sim",
  "--without-python",
];

export const gdb = recipe<"gmp" | "mpfr" | "expat" | "readline" | "ncurses" | "zlib">(
  ({ stdenv, fetchurl, hostPlatform, gmp, mpfr, expat, readline, ncurses, zlib }) =>
    stdenv.mkDerivation({
      pname: "gdb",
      version: "13.1",
      src: fetchurl(gdbSource),
      cxx: true,
      buildInputs: [gmp, mpfr, expat, readline, ncurses, zlib],
      // --target equal to --host: the programs are gdb, not aarch64-…-gdb.
      configurePlatforms: ["build", "host", "target"],
      configureFlags: [
        ...gdbCommonFlags,
        // gdbserver is its own package.
        "--disable-gdbserver",
        "--without-guile",
        "--disable-source-highlight",
        "--without-babeltrace",
        "--without-intel-pt",
        "--without-xxhash",
        "--without-debuginfod",
        "--without-lzma",
        "--without-zstd",
        "--with-system-zlib",
        "--with-system-readline",
        "--with-curses",
        // gdb 13 reads these (not --with-gmp): and yes, so a missing one is an error.
        `--with-libgmp-prefix=${gmp.out}`,
        "--with-mpfr=yes",
        `--with-libmpfr-prefix=${mpfr.out}`,
        "--with-expat=yes",
        `--with-libexpat-prefix=${expat.out}`,
        "--enable-64-bit-bfd",
      ],
      // glibc's <sgidefs.h>, which musl has not: the one macro used from it (_ABIO32) is gcc's own.
      ...(hostPlatform.isMips && hostPlatform.isMusl
        ? { postPatch: "sed -i '/#include <sgidefs.h>/d' gdb/mips-linux-nat.c" }
        : {}),
      // gregset.h declares fill_fpregset and supply_fpregset with elf_fpregset_t (nm-linux.h);
      // s390-linux-nat.c defines them with fpregset_t, the same type in glibc but another
      // struct in musl, so the link found neither.
      ...(hostPlatform.isS390 && hostPlatform.isMusl
        ? { postPatch: "sed -i 's/\\bfpregset_t\\b/gdb_fpregset_t/g' gdb/s390-linux-nat.c" }
        : {}),
      // The tarball ships no .info files: never run makeinfo.
      makeFlags: ["MAKEINFO=true"],
      meta: {
        description: "The GNU debugger",
        homepage: "https://www.gnu.org/software/gdb/",
        license: "GPL-3.0-or-later",
        mainProgram: "gdb",
        // It evaluates an expression and names the libraries it was built with.
        smokeTest: {
          args: ["--batch", "-nx", "-ex", "print 1+2", "-ex", "show configuration"],
          expect: "^\\$1 = 3\\n[^]*--with-expat[^]*--with-mpfr",
        },
      },
    }),
);
