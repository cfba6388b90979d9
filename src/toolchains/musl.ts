/**
 * musl, built from source per target with that target's host-installed
 * cross gcc (no libc flags: musl is the libc). Its install also gets the gcc
 * specs file that makes the same gcc compile and link against it.
 */
import type { Package } from "../pkgs/package.js";
import type { Stdenv } from "../stdenv/make-derivation.js";

export const muslVersion = "1.2.3";

/**
 * The gcc specs that point a glibc-targeting gcc at musl in `$out` (written by
 * the install hook). With a libgcc of the platform's own (libgcc.ts), a
 * self_spec adds `-B` to its directory, as if every command line had it: gcc
 * then finds libgcc.a, libgcc_eh.a and crtbegin*.o there before its own
 * directory, for links, `-lgcc` and `-print-libgcc-file-name` alike.
 * `--eh-frame-hdr` is gcc's own link spec's, which this one replaces, and
 * for static programs too: the unwinder finds a throw's frames through
 * PT_GNU_EH_FRAME (dl-find-object.c), as crtbeginS.o registers none.
 */
function specsScript(ldso: string, ownLibgcc: boolean): string {
  const selfSpec = ownLibgcc ? "*self_spec:\n+ -B$libgcc/lib/\n\n" : "";
  return `
cat > "$out/lib/musl-gcc.specs" <<SPECS
${selfSpec}%rename cpp_options xpkgs_old_cpp_options

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
-dynamic-linker $out/lib/${ldso} -nostdlib --eh-frame-hdr %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

SPECS
`;
}

/**
 * musl for the platform of `bareStdenv`. `libgcc` is the platform's own
 * (libgcc.ts) when Debian's does not fit its CPU: the bare wrapper then links
 * libc.so with it, and the specs make every program link with it too.
 */
export function musl(
  bareStdenv: Stdenv,
  src: Package,
  linuxHeaders: Package,
  libgcc: Package | null = null,
): Package {
  const host = bareStdenv.hostPlatform;
  const ldso = host.dynamicLinker.split("/").pop()!;
  // musl's ARM atomics choose ARMv6 or ARMv7 code at run time and mark their object
  // ARMv4T (.object_arch), but gas still records the Thumb-2 of its `.arch armv7-a`
  // parts, and the linker gives every program the highest: say Thumb-1, as ARMv4T has.
  const preV7Arm = host.isAarch32 && Number(host.parsed.cpu.version ?? "7") < 7;
  // musl 1.2.3 has no bits/poll.h for m68k, so it takes the generic POLLWRNORM 0x100 and
  // POLLWRBAND 0x200; m68k's kernel (asm/poll.h), like MIPS', has POLLOUT and 0x100.
  // strace's build asserts the kernel's value ("POLLWRBAND != 0x0100"). MIPS' file says it.
  const postPatch = preV7Arm
    ? `echo '.eabi_attribute Tag_THUMB_ISA_use, 1' >>src/thread/arm/atomics.s`
    : host.isM68k
      ? "cp arch/mips/bits/poll.h arch/m68k/bits/poll.h"
      : undefined;
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
    env: { linuxHeaders, ...(libgcc !== null ? { libgcc } : {}) },
    hooks: {
      ...(postPatch !== undefined ? { postPatch } : {}),
      postInstall: `cp -r "$linuxHeaders/include/." "$out/include/"\n${specsScript(ldso, libgcc !== null)}`,
    },
    meta: {
      description: "musl C library, built from source for this platform",
      homepage: "https://musl.libc.org",
      license: "MIT",
    },
  });
}
