/**
 * musl, built from source per target with that target's host-installed
 * cross gcc (no libc flags: musl is the libc). Its install also gets the gcc
 * specs file that makes the same gcc compile and link against it.
 */
import type { Package } from "../pkgs/package.js";
import type { Stdenv } from "../stdenv/make-derivation.js";

export const muslVersion = "1.2.3";

/** The gcc specs that point a glibc-targeting gcc at musl in `$out` (written by the install hook). */
function specsScript(ldso: string): string {
  return `
cat > "$out/lib/musl-gcc.specs" <<SPECS
%rename cpp_options xpkgs_old_cpp_options

*cpp_options:
-nostdinc -isystem $out/include -isystem include%s %(xpkgs_old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem $out/include -isystem include%s

*link_libgcc:
-L$out/lib -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{!shared: $out/lib/Scrt1.o} $out/lib/crti.o crtbeginS.o%s

*endfile:
crtendS.o%s $out/lib/crtn.o

*link:
-dynamic-linker $out/lib/${ldso} -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

SPECS
`;
}

export function musl(bareStdenv: Stdenv, src: Package, linuxHeaders: Package): Package {
  const host = bareStdenv.hostPlatform;
  const ldso = host.dynamicLinker.split("/").pop()!;
  return bareStdenv.mkDerivation({
    pname: "musl",
    version: muslVersion,
    src,
    configureFlags: [
      `--target=${host.config}`,
      "--enable-shared",
      "--enable-static",
      "--disable-wrapper",
      // The dynamic linker goes beside libc.so in the store, not in /lib.
      "--syslibdir=@out@/lib",
    ],
    // musl's configure knows its own flags; --build/--host would be redundant with --target.
    configurePlatforms: [],
    // The kernel headers join musl's headers, so the sysroot is complete.
    env: { linuxHeaders },
    hooks: {
      postInstall: `cp -r "$linuxHeaders/include/." "$out/include/"\n${specsScript(ldso)}`,
    },
    meta: {
      description: "musl C library, built from source for this platform",
      homepage: "https://musl.libc.org",
      license: "MIT",
    },
  });
}
