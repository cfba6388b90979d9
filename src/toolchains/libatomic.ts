/**
 * libatomic alone, built in the store from gcc-12's source for a musl
 * platform whose C programs need it and whose Debian library cannot serve
 * (a dynamic set's would be Debian's glibc libatomic.so): ARM before ARMv6K has no 8-byte exclusive loads and stores
 * (LDREXD/STREXD), so gcc turns a 64-bit atomic into a call to
 * `__atomic_load_8` and its kind, and Debian's armel `libatomic.a` answers
 * some calls through IFUNC symbols, which a static musl program never
 * resolves. Built without IFUNC (`libat_cv_have_ifunc=no`), static and
 * position-independent, as the copy in libstdcxx.ts is; the build fails if
 * an IFUNC symbol is left. Which platforms take it: `ownLibatomic`
 * (cc-wrapper.ts).
 */
import type { Package } from "../pkgs/package.js";
import type { Stdenv } from "../stdenv/make-derivation.js";
import { gccTopLevelScripts, gccVersion } from "./libgcc.js";

const sourceMembers = [
  ...gccTopLevelScripts,
  ...["libtool.m4", "ltoptions.m4", "ltsugar.m4", "ltversion.m4", "lt~obsolete.m4"],
  ...["gcc/BASE-VER", "gcc/DATESTAMP", "config", "include", "libgcc", "libatomic"],
].map((m) => `gcc-${gccVersion}/${m}`);

const unpackPhase = `
tar --no-same-owner -xzOf "$src" gcc-12-${gccVersion}/gcc-${gccVersion}-dfsg.tar.xz |
  tar --no-same-owner -xJf - ${sourceMembers.join(" ")}
cd gcc-${gccVersion}
`;

/**
 * The shell that builds libatomic from gcc's tree at `$srcdir` into `$out`, here and in
 * libstdcxx.ts: configured and made in its own folder, then checked for IFUNC symbols and
 * for the 8-byte calls gcc makes. nm's output goes to a file first: under pipefail, a
 * failing nm piped into grep would read as "no IFUNC", and grep -q stopping early would
 * fail nm with SIGPIPE.
 */
export const libatomicBuild = `
mkdir -p "$NIX_BUILD_TOP/atomic"
(cd "$NIX_BUILD_TOP/atomic" && CFLAGS="-O2" libat_cv_have_ifunc=no "$srcdir/libatomic/configure" --build="$xpkgsBuildPlatform" \\
  --host="$xpkgsHostPlatform" --prefix="$out" --disable-shared --enable-static --with-pic \\
  --disable-multilib --with-gcc-major-version-only >"$NIX_BUILD_TOP/atomic-configure.log" &&
  make -j"$makeJobs" >"$NIX_BUILD_TOP/atomic-make.log" && make install >>"$NIX_BUILD_TOP/atomic-make.log") ||
  { tail -40 "$NIX_BUILD_TOP"/atomic-*.log; tail -60 "$NIX_BUILD_TOP/atomic/config.log"; exit 1; }
grep -E "^checking (whether the target supports the ifunc|for __atomic_load/store for size 8)" "$NIX_BUILD_TOP/atomic-configure.log" || true
rm -f "$out"/lib/*.la
test -f "$out/lib/libatomic.a" || { echo "libatomic.a was not installed in $out/lib" >&2; exit 1; }
$NM "$out/lib/libatomic.a" >"$NIX_BUILD_TOP/atomic-symbols"
if grep -E '^[0-9a-f]+ i ' "$NIX_BUILD_TOP/atomic-symbols" >&2; then
  echo "libatomic.a has IFUNC symbols (above), which musl cannot resolve" >&2
  exit 1
fi
for s in __atomic_load_8 __atomic_fetch_add_8 __atomic_compare_exchange_8 __atomic_is_lock_free; do
  grep -q " T $s\\$" "$NIX_BUILD_TOP/atomic-symbols" || { echo "libatomic.a does not define $s" >&2; exit 1; }
done
`;

const configurePhase = `
unset CONFIG_SITE
srcdir=$PWD
`;

const installPhase = `
rm -rf "$out/share"
`;

/** The libatomic derivation of the platform of `muslStdenv` (a dynamic musl set's). */
export function libatomic(muslStdenv: Stdenv, src: Package): Package {
  return muslStdenv.mkDerivation({
    pname: "libatomic",
    version: gccVersion,
    src,
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    dontStrip: true,
    unpackPhase,
    configurePhase,
    buildPhase: libatomicBuild,
    installPhase,
    meta: {
      description: "GCC's library of atomic operations wider than the CPU's, built against musl",
      homepage: "https://gcc.gnu.org/wiki/Atomic",
      license: "GPL-3.0-or-later WITH GCC-exception-3.1",
      notes: ["Without IFUNC: musl runs no IFUNC resolvers, and static programs link it."],
    },
  });
}
