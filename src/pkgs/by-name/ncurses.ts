import { recipe } from "../package-set.js";

export const ncurses = recipe<never, "ncurses">(({ stdenv, fetchurl, buildPackages }) =>
  stdenv.mkDerivation({
    pname: "ncurses",
    version: "6.4",
    src: fetchurl({
      url: "mirror://debian/pool/main/n/ncurses/ncurses_6.4.orig.tar.gz",
      name: "ncurses-6.4.tar.gz",
      hash: "sha256:6931283d9ac87c5073f30b6290c4c75f21632bb4fc3603ac8100812bed248159",
    }),
    // Installing the terminfo database runs tic; a cross build uses the build machine's.
    nativeBuildInputs: stdenv.isCross ? [buildPackages.ncurses] : [],
    configureFlags: [
      "--with-shared",
      "--without-debug",
      "--without-ada",
      "--without-cxx",
      "--without-cxx-binding",
      "--without-manpages",
      "--without-tests",
      "--enable-widec",
      "--enable-pc-files",
      "--with-pkg-config-libdir=@out@/lib/pkgconfig",
      "--enable-symlinks",
      "--disable-stripping",
    ],
    meta: {
      description: "Terminal handling library, with tic, infocmp, tput and the terminfo database",
      homepage: "https://invisible-island.net/ncurses/",
      license: "X11",
      mainProgram: "infocmp",
      smokeTest: { args: ["-V"], expect: "^ncurses 6\\.4\\." },
      notes: ["Wide-character build (libncursesw); no C++ binding, since musl sets have no C++."],
    },
  }),
);
