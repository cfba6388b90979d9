/**
 * libstdc++ for a musl platform, built in the store from gcc-12's source:
 * only the `libstdc++-v3` directory, never a compiler. Debian's cross g++
 * (its cc1plus) compiles it, as it compiles every C++ program of the set
 * afterwards; what cannot be reused is Debian's libstdc++.a, configured for
 * glibc (`os/gnu-linux`, `__libc_single_threaded`, `arc4random`,
 * `__cxa_thread_atexit_impl`).
 *
 * With a musl host triple, libstdc++'s configure picks the generic OS and C
 * locale models by itself. It gets the platform's flags from the wrappers
 * (the C one, and the bootstrap C++ one of cc-wrapper.ts, which links an
 * empty libstdc++.a so that configure's link tests never see Debian's).
 * Static only and position-independent: one build serves the static and the
 * dynamic set of a platform, programs and shared libraries alike.
 *
 * Also installed: `lib/xpkgs-dl-find-object.o` (dl-find-object.c), which
 * every C++ link of the platform takes, for Debian's unwinder.
 */
import { readFileSync } from "node:fs";
import type { Package } from "../pkgs/package.js";
import type { Stdenv } from "../stdenv/make-derivation.js";
import { libatomicBuild } from "./libatomic.js";
import { gccTopLevelScripts, gccVersion } from "./libgcc.js";

/** Where the C++ headers go under the prefix: gcc's own layout. */
export const cxxIncludeDirs = (out: string, config: string): string[] => [
  `${out}/include/c++/12`,
  `${out}/include/c++/12/${config}`,
  `${out}/include/c++/12/backward`,
];

/** What of gcc's source tree libstdc++'s build reads. */
const sourceMembers = [
  ...gccTopLevelScripts,
  ...["libtool.m4", "ltoptions.m4", "ltsugar.m4", "ltversion.m4", "lt~obsolete.m4"],
  ...["gcc/BASE-VER", "gcc/DATESTAMP", "config", "include", "libgcc", "libiberty", "libstdc++-v3"],
  "libatomic",
].map((m) => `gcc-${gccVersion}/${m}`);

// The test suite is 50,000 files libstdc++'s configure does not need, less the Makefile
// it writes. libgcc/gthr-posix.h is what a gcc build would install as gthr-default.h:
// without it configure finds no gthreads and builds without std::thread and std::mutex.
const unpackPhase = `
tar --no-same-owner -xzOf "$src" gcc-12-${gccVersion}/gcc-${gccVersion}-dfsg.tar.xz |
  tar --no-same-owner -xJf - --exclude='gcc-${gccVersion}/libstdc++-v3/testsuite/*/*' ${sourceMembers.join(" ")}
cd gcc-${gccVersion}
cp libgcc/gthr-posix.h libgcc/gthr-default.h
`;

const configurePhase = `
unset CONFIG_SITE
srcdir=$PWD
mkdir -p "$NIX_BUILD_TOP/build"
cd "$NIX_BUILD_TOP/build"
echo "--- libstdc++'s configuration for $xpkgsHostPlatform, with $CC and $cxxBootstrap/bin/$xpkgsHostPlatform-g++"
CXX="$cxxBootstrap/bin/$xpkgsHostPlatform-g++" CFLAGS="-O2" CXXFLAGS="-O2" \\
  "$srcdir/libstdc++-v3/configure" --build="$xpkgsBuildPlatform" --host="$xpkgsHostPlatform" \\
    --prefix="$out" --disable-shared --enable-static --with-pic --disable-libstdcxx-pch \\
    --disable-multilib --disable-nls --with-gcc-major-version-only >"$NIX_BUILD_TOP/configure.log" ||
  { tail -40 "$NIX_BUILD_TOP/configure.log"; tail -60 config.log; exit 1; }
# What the tests (toolbox.e2e.test.ts) read from the log: threads, atomics, the OS and locale models.
grep -E "^checking for (gthreads library|atomic builtins for int|thread model used by GCC)|^checking for (__cxa_thread_atexit_impl|arc4random)\\.\\.\\." "$NIX_BUILD_TOP/configure.log"
grep -E "^(OS_INC_SRCDIR|CLOCALE_H|ATOMICITY_SRCDIR)=" config.log
grep -q "^checking for gthreads library... yes" "$NIX_BUILD_TOP/configure.log" ||
  { echo "libstdc++ would have no threads: gthr-default.h was not found" >&2; exit 1; }
`;

const buildPhase = `
make -j"$makeJobs" >"$NIX_BUILD_TOP/make.log" || { tail -40 "$NIX_BUILD_TOP/make.log"; exit 1; }
`;

const installPhase = `
make install >"$NIX_BUILD_TOP/install.log" || { tail -40 "$NIX_BUILD_TOP/install.log"; exit 1; }
rm -f "$out"/lib/*.la "$out"/lib/*-gdb.py
rm -rf "$out/share"
# libatomic, for atomics wider than the CPU's (8 bytes on 32-bit MIPS and PowerPC): gcc
# emits calls to __atomic_*_8, and the C++ wrapper links -latomic after every program.
# Without IFUNC: its configure would choose among implementations by CPU at load time on
# ARM, AArch64 and x86, and musl never runs IFUNC resolvers.
echo "--- libatomic (at \${SECONDS} s)"
${libatomicBuild}printf '%s' "$dlFindObjectSource" >"$NIX_BUILD_TOP/dl-find-object.c"
$CC -O2 -fPIC -c "$NIX_BUILD_TOP/dl-find-object.c" -o "$out/lib/xpkgs-dl-find-object.o"
echo "--- libstdc++ built (at \${SECONDS} s; CPU time of the build, user and system:)"
times >"$NIX_BUILD_TOP/times"
tail -1 "$NIX_BUILD_TOP/times"
`;

// Read beside this file's source, as setup.sh is: the same two levels up from dist/toolchains/
// and from the bundle (dist/bundle/main.js).
const sources = new Map<string, string>();
function sourceFile(name: string): string {
  let s = sources.get(name);
  if (s === undefined) {
    s = readFileSync(new URL(`../../src/toolchains/${name}`, import.meta.url), "utf8");
    sources.set(name, s);
  }
  return s;
}
const dlFindObjectSource = (): string => sourceFile("dl-find-object.c");

/** The C++ test program of the cxx-probe package (cxx-probe.cc). */
export const cxxProbeSource = (): string => sourceFile("cxx-probe.cc");

/**
 * The libstdcxx derivation of the platform of `muslStdenv` (a dynamic musl
 * set's), configured with `cxxBootstrap`'s g++.
 */
export function libstdcxx(muslStdenv: Stdenv, src: Package, cxxBootstrap: Package): Package {
  return muslStdenv.mkDerivation({
    pname: "libstdcxx",
    version: gccVersion,
    src,
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    dontStrip: true,
    env: { cxxBootstrap, dlFindObjectSource: dlFindObjectSource() },
    unpackPhase,
    configurePhase,
    buildPhase,
    installPhase,
    meta: {
      description: "The GNU C++ standard library, built against musl from gcc's source",
      homepage: "https://gcc.gnu.org/onlinedocs/libstdc++/",
      license: "GPL-3.0-or-later WITH GCC-exception-3.1",
      notes: [
        "Static and position-independent: the static and the dynamic set of a platform share it.",
        "Threads from libgcc's gthr-posix.h; the generic OS and C locale models, which musl's triple selects.",
      ],
    },
  });
}
