import { recipe } from "../package-set.js";
import { gdbCommonFlags, gdbSource } from "./gdb.js";

// gdbserver alone, from gdb's tree: what a device runs, for a gdb on the workstation.
export const gdbserver = recipe(({ stdenv, fetchurl, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "gdbserver",
    version: "13.1",
    src: fetchurl(gdbSource),
    cxx: true,
    configurePlatforms: ["build", "host", "target"],
    configureFlags: [
      ...gdbCommonFlags,
      "--disable-gdb",
      "--enable-gdbserver",
      // libinproctrace.so, the in-process agent, is a shared library.
      ...(hostPlatform.isStatic ? ["--disable-inprocess-agent"] : []),
    ],
    // Only gdbserver and what it needs (gnulib, libiberty, gdbsupport), not bfd or opcodes.
    buildPhase: 'make -j"$makeJobs" MAKEINFO=true all-gdbserver',
    installPhase: "make MAKEINFO=true install-gdbserver",
    meta: {
      description: "The GNU debugger's remote server: debug a program on the device from gdb",
      homepage: "https://www.gnu.org/software/gdb/",
      license: "GPL-3.0-or-later",
      mainProgram: "gdbserver",
      // qemu-user cannot ptrace, so under it the version is what can be proven.
      smokeTest: { args: ["--version"], expect: "^GNU gdbserver \\(GDB\\) 13\\.1" },
    },
  }),
);
