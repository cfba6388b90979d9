/**
 * libgcc (libgcc.a, libgcc_eh.a, libgcov.a) and gcc's start files
 * (crtbegin*.o, crtend*.o), built from gcc's source for a platform whose CPU
 * is older than the one Debian built its cross libgcc for. Debian's armhf
 * libgcc and start files are ARMv7 Thumb-2: on a Raspberry Pi 1 or Zero
 * (ARMv6) the first Thumb-2 instruction, in crtbegin's register_tm_clones or
 * libgcc's __divsi3, does something else, and the program hangs or crashes.
 *
 * Only libgcc is built, with Debian's own cross gcc of the same version
 * (12.2) and the platform's flags (-march, -mfpu, -mfloat-abi, -marm from the
 * bare wrapper), never a compiler: gcc's configure for the target runs to
 * make the headers libgcc includes (tm.h, options.h, insn-modes.h…; their
 * generators need the build machine's libiberty), then libgcc's own
 * configure and make, against musl's headers (libgcc's unwinder and start
 * files join the libc they are built for). Which platforms need it is a
 * column of the platform table: `cpu.needsOwnLibgcc` (src/systems/examples.ts).
 */
import type { Package } from "../pkgs/package.js";
import type { Platform } from "../systems/elaborate.js";
import type { Stdenv } from "../stdenv/make-derivation.js";
import type { FetchurlArgs } from "../pkgs/fetchurl.js";

export const gccVersion = "12.2.0";

/**
 * Debian's gcc-12 source, identical to upstream's 12.2.0 less the files that
 * are not free (`-dfsg`); the archive's orig tarball holds it as an inner
 * tarball beside newlib's and gm2's.
 */
export const gccSource: FetchurlArgs = {
  url: "mirror://debian/pool/main/g/gcc-12/gcc-12_12.2.0.orig.tar.gz",
  name: "gcc-12_12.2.0.orig.tar.gz",
  hash: "sha256:b8298be16aeeb96a889c6afed0a8e2241b47452e89cc81fe65ea849d5c740fcb",
};

/** True when this platform's musl toolchain links its own libgcc, not Debian's. */
export function needsOwnLibgcc(p: Platform): boolean {
  return p.isMusl && p.cpu?.needsOwnLibgcc === true;
}

/** gcc's configure flags for the platform's baseline, as its gcc attributes say. */
export function gccBaselineFlags(p: Platform): string[] {
  const g = p.gcc;
  const flags: string[] = [];
  if (g.arch !== undefined) flags.push(`--with-arch=${g.arch}`);
  if (g.cpu !== undefined) flags.push(`--with-cpu=${g.cpu}`);
  if (g.tune !== undefined) flags.push(`--with-tune=${g.tune}`);
  if (g.fpu !== undefined) flags.push(`--with-fpu=${g.fpu}`);
  if (g.float !== undefined) flags.push(`--with-float=${g.float}`);
  if (g.abi !== undefined) flags.push(`--with-abi=${g.abi}`);
  // platformCompilerFlags (cc-wrapper.ts) asks for ARM code before ARMv7.
  if (p.isAarch32 && Number(p.parsed.cpu.version ?? "7") < 7) flags.push("--with-mode=arm");
  // musl's PowerPC ports have a 64-bit long double (the wrapper's -mlong-double-64).
  if (p.isPower && p.isMusl) flags.push("--with-long-double-64");
  // No decimal floating point, on every platform (gcc enables it by default on PowerPC,
  // x86 and s390, never on ARM): PowerPC's conversions to a 128-bit long double do not
  // build with musl's 64-bit one, and no package of the collection uses it.
  flags.push("--disable-decimal-float");
  return flags;
}

/** The scripts at the top of gcc's tree that every part's configure and make use. */
export const gccTopLevelScripts = [
  "config-ml.in",
  "config.guess",
  "config.rpath",
  "config.sub",
  "compile",
  "depcomp",
  "install-sh",
  "ltmain.sh",
  "missing",
  "mkinstalldirs",
  "move-if-change",
];

/** What of gcc's source tree libgcc's build reads: ~8,000 of its 121,000 files. */
const sourceMembers = [
  ...gccTopLevelScripts,
  ...["config", "gcc", "include", "libcpp", "libgcc", "libiberty"],
].map((m) => `gcc-${gccVersion}/${m}`);

const unpackPhase = `
tar --no-same-owner -xzOf "$src" gcc-12-${gccVersion}/gcc-${gccVersion}-dfsg.tar.xz |
  tar --no-same-owner -xJf - --exclude=gcc-${gccVersion}/gcc/testsuite ${sourceMembers.join(" ")}
tar --no-same-owner -xzf "$muslSrc"
cd gcc-${gccVersion}
`;

// gcc's configure runs for the build machine: it must not take the target's tools
// (CC, AR… in the stdenv's environment) for its own, and it gets the target's
// assembler and linker as *_FOR_TARGET, whose features enter auto-host.h (hidden
// symbols, --eh-frame-hdr…). --enable-default-pie, --enable-threads=posix and
// --disable-sjlj-exceptions are Debian's: the start files are built as Debian's are
// (crtbegin.o and crtbeginT.o with -fno-PIE).
const configurePhase = `
unset CONFIG_SITE
srcdir=$PWD
top=$NIX_BUILD_TOP/libgcc-build
build=$xpkgsBuildPlatform
target=$xpkgsHostPlatform
targetCC=$CC
mkdir -p "$top/gcc" "$top/$target/libgcc" "$NIX_BUILD_TOP/sysroot"
printf 'xpkgs-print-%%:\\n\\t@echo $($*)\\n' >"$NIX_BUILD_TOP/print.mk"

echo "--- musl's headers (at \${SECONDS} s)"
(cd "$NIX_BUILD_TOP"/musl-*/ && ./configure --target="$target" --prefix="$NIX_BUILD_TOP/sysroot" CC="$targetCC" >/dev/null && make install-headers >/dev/null)

echo "--- gcc's configuration for $target (headers only, no compiler) (at \${SECONDS} s)"
cd "$top/gcc"
(
  export AS_FOR_TARGET="$AS" LD_FOR_TARGET="$LD" NM_FOR_TARGET="$NM" OBJDUMP_FOR_TARGET="$OBJDUMP" READELF_FOR_TARGET="$READELF"
  unset CC CXX CPP AR AS LD NM OBJCOPY OBJDUMP RANLIB READELF STRIP
  "$srcdir/gcc/configure" --build="$build" --host="$build" --target="$target" \\
    --disable-multilib --enable-languages=c --disable-nls --disable-plugin --disable-lto \\
    --with-gcc-major-version-only --with-sysroot=/ $gccConfigureFlags \\
    --enable-default-pie --enable-threads=posix --disable-sjlj-exceptions >"$NIX_BUILD_TOP/gcc-configure.log" ||
    { tail -40 "$NIX_BUILD_TOP/gcc-configure.log"; exit 1; }
  grep -E "^checking what (assembler|linker) to use" "$NIX_BUILD_TOP/gcc-configure.log"
  libiberty=$(make -s -f Makefile -f "$NIX_BUILD_TOP/print.mk" xpkgs-print-BUILD_LIBIBERTY)
  mkdir -p "\${libiberty%/*}"
  cd "\${libiberty%/*}"
  echo "--- the build machine's libiberty, for gcc's generators (at \${SECONDS} s)"
  "$srcdir/libiberty/configure" --build="$build" --host="$build" --disable-multilib >/dev/null
  make -j"$makeJobs" >/dev/null
  cd "$top/gcc"
  echo "--- the headers libgcc includes (at \${SECONDS} s)"
  printf 'xpkgs-libgcc-headers: config.h $(GTM_H) $(TCONFIG_H) insn-modes.h insn-modes-inline.h version.h\\n' >"$NIX_BUILD_TOP/headers.mk"
  make -j"$makeJobs" -f Makefile -f "$NIX_BUILD_TOP/headers.mk" xpkgs-libgcc-headers >/dev/null
  # What gcc's own build would write before it builds libgcc (its rule needs the driver).
  make -o xgcc -o specs -o config.status -o Makefile libgcc.mvars >/dev/null
  cat libgcc.mvars
  grep -E "define (HAVE_GAS_HIDDEN|HAVE_LD_EH_FRAME_HDR|HAVE_AS_TLS|HAVE_INITFINI_ARRAY_SUPPORT) " auto-host.h
)

echo "--- libgcc's configuration (at \${SECONDS} s)"
cd "$top/$target/libgcc"
gccInclude=$($targetCC -print-file-name=include)
# Its preprocessor too: the environment's CPP sees no C library where Debian installs none
# for this triple (powerpc64), and configure's sanity check includes <limits.h>.
targetCPP="$targetCC -nostdinc -isystem $NIX_BUILD_TOP/sysroot/include -isystem $gccInclude -E"
# libgcc_cv_dfp=no: libgcc builds decimal float whenever the compiler knows _Decimal32
# (Debian's PowerPC gcc does), whatever --disable-decimal-float says.
CC="$targetCC -nostdinc -isystem $NIX_BUILD_TOP/sysroot/include -isystem $gccInclude" CPP="$targetCPP" CFLAGS="-O2" libgcc_cv_dfp=no \\
  "$srcdir/libgcc/configure" --srcdir="$srcdir/libgcc" --build="$build" --host="$target" --target="$target" \\
    --with-target-subdir="$target" --disable-multilib --enable-shared --with-gcc-major-version-only \\
    --disable-decimal-float \\
    --prefix="$out" >"$NIX_BUILD_TOP/libgcc-configure.log" ||
  { tail -40 "$NIX_BUILD_TOP/libgcc-configure.log"; exit 1; }
`;

// libgcc_s.so is not made: musl's specs link libgcc statically, as Debian's do with -static.
const buildPhase = `
printf 'xpkgs-libgcc: libgcc.a libgcc_eh.a libgcov.a $(EXTRA_PARTS)\\n' >"$NIX_BUILD_TOP/parts.mk"
make -j"$makeJobs" -f Makefile -f "$NIX_BUILD_TOP/parts.mk" LIBGCC2_DEBUG_CFLAGS= xpkgs-libgcc >"$NIX_BUILD_TOP/libgcc-make.log" ||
  { tail -40 "$NIX_BUILD_TOP/libgcc-make.log"; exit 1; }
`;

const installPhase = `
echo "--- libgcc built (at \${SECONDS} s; CPU time of the build, user and system:)"
times >"$NIX_BUILD_TOP/times"
tail -1 "$NIX_BUILD_TOP/times"
mkdir -p "$out/lib"
cp libgcc.a libgcc_eh.a libgcov.a $(make -s -f Makefile -f "$NIX_BUILD_TOP/print.mk" xpkgs-print-EXTRA_PARTS) "$out/lib/"
`;

/** The libgcc derivation, built with the platform's bare wrapper (no libc flags). */
export function libgcc(bareStdenv: Stdenv, src: Package, muslSrc: Package): Package {
  const host = bareStdenv.hostPlatform;
  return bareStdenv.mkDerivation({
    pname: "libgcc",
    version: gccVersion,
    src,
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    env: { muslSrc, gccConfigureFlags: gccBaselineFlags(host).join(" ") },
    unpackPhase,
    configurePhase,
    buildPhase,
    installPhase,
    meta: {
      description:
        "libgcc and gcc's start files, built from gcc's source for the platform's baseline CPU",
      homepage: "https://gcc.gnu.org",
      license: "GPL-3.0-or-later WITH GCC-exception-3.1",
      notes: [
        "Built with Debian's cross gcc of the same version; only libgcc, never a compiler.",
        "No libgcc_s.so: musl's specs link libgcc statically.",
      ],
    },
  });
}
