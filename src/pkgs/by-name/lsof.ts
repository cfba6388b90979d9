import { recipe } from "../package-set.js";

export const lsof = recipe(({ stdenv, fetchurl, perl }) =>
  stdenv.mkDerivation({
    pname: "lsof",
    version: "4.95.0",
    src: fetchurl({
      // Debian's repack, the Linux dialect only.
      url: "mirror://debian/pool/main/l/lsof/lsof_4.95.0.orig.tar.bz2",
      name: "lsof-4.95.0.tar.bz2",
      hash: "sha256:e9faa0fbcc48638c1d1f143e93573ac43b65e76646150f83e24bd8c18786303c",
    }),
    nativeBuildInputs: [perl],
    // Its own Configure: it would run a program to learn the C library, and read the build
    // machine's /usr/include. Tell it the target's headers and the answer instead.
    configurePhase: [
      "runHook preConfigure",
      'export LSOF_CC="$CC" LSOF_AR="$AR cr" LSOF_RANLIB="$RANLIB"',
      'export LSOF_INCLUDE="${xpkgsLibcRoot:-/usr}/include" LINUX_CLIB=-DGLIBCV=2 LINUX_HASSELINUX=N',
      'sed -i "s|/usr/include|$LSOF_INCLUDE|g" dialects/linux/Makefile dialects/linux/Mksrc 2>/dev/null || true',
      "./Configure -n linux",
      "runHook postConfigure",
    ].join("\n"),
    installPhase:
      "install -Dm755 lsof $out/bin/lsof && if [ -f lsof.8 ]; then install -Dm644 lsof.8 $out/share/man/man8/lsof.8; fi",
    meta: {
      description: "Lists open files and the processes that hold them",
      homepage: "https://github.com/lsof-org/lsof",
      license: "lsof",
      mainProgram: "lsof",
      smokeTest: { args: ["-v"], expect: "revision: 4\\.95\\.0" },
      notes: ["Needs /proc at run time, even for -v."],
    },
  }),
);
