import { recipe } from "../package-set.js";

export const strace = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "strace",
    version: "6.1",
    src: fetchurl({
      url: "mirror://debian/pool/main/s/strace/strace_6.1.orig.tar.xz",
      name: "strace-6.1.tar.xz",
      hash: "sha256:2579e9cec37dbb786f6ea0bebd15f40dd561ef2bde2a2a2ecdce5963b01859fd",
    }),
    configureFlags: [
      // Other personalities (-m32, -mx32) need multilib compilers and C libraries.
      "--enable-mpers=no",
      "--without-libunwind",
      "--without-libdw",
      "--without-libiberty",
      "--without-libselinux",
    ],
    meta: {
      description: "Traces the system calls and signals of a program",
      homepage: "https://strace.io/",
      license: "LGPL-2.1-or-later",
      mainProgram: "strace",
      smokeTest: { args: ["-V"], expect: "^strace -- version 6\\.1\\n" },
      notes: [
        "qemu-user does not emulate ptrace, so under qemu only -V runs; on a device it traces.",
      ],
    },
  }),
);
