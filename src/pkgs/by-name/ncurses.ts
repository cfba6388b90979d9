import { recipe } from "../package-set.js";

// Terminals a static program knows with no database on the device at all.
const fallbacks =
  "linux,vt100,vt220,xterm,xterm-256color,screen,screen-256color,tmux,tmux-256color,ansi,dumb";
const systemTerminfo = "/etc/terminfo:/lib/terminfo:/usr/share/terminfo:/usr/lib/terminfo";

export const ncurses = recipe<never, "ncurses">(
  ({ stdenv, fetchurl, buildPackages, hostPlatform }) =>
    stdenv.mkDerivation({
      pname: "ncurses",
      version: "6.4",
      src: fetchurl({
        url: "mirror://debian/pool/main/n/ncurses/ncurses_6.4.orig.tar.gz",
        name: "ncurses-6.4.tar.gz",
        hash: "sha256:6931283d9ac87c5073f30b6290c4c75f21632bb4fc3603ac8100812bed248159",
      }),
      // Installing the terminfo database runs tic; a cross build uses the build machine's.
      nativeBuildInputs: stdenv.isCross || hostPlatform.isStatic ? [buildPackages.ncurses] : [],
      configureFlags: [
        ...(hostPlatform.isStatic ? ["--without-shared"] : ["--with-shared"]),
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
        // Headers in include/ (where <curses.h> is looked for), not only include/ncursesw.
        "--enable-overwrite",
        // A static program must find terminfo on the device, not in this build's store path:
        // the system's folders, and the common terminals compiled in.
        ...(hostPlatform.isStatic
          ? [
              `--with-terminfo-dirs=${systemTerminfo}`,
              "--with-default-terminfo-dir=/usr/share/terminfo",
              `--with-fallbacks=${fallbacks}`,
              `--with-tic-path=${buildPackages.ncurses.out}/bin/tic`,
              `--with-infocmp-path=${buildPackages.ncurses.out}/bin/infocmp`,
              "--disable-db-install",
            ]
          : []),
      ],
      // The names programs look for besides the wide ones: -lncurses, -ltinfo, ncurses.pc,
      // <ncursesw/curses.h>, as Nixpkgs' ncurses provides them.
      postInstall: [
        "cd $out/lib",
        "for l in ncurses form panel menu; do",
        "  for f in lib${l}w.*; do ln -sf $f lib${l}${f#lib${l}w}; done",
        "  if [ -f pkgconfig/${l}w.pc ]; then ln -sf ${l}w.pc pkgconfig/${l}.pc; fi",
        "done",
        "for f in libncursesw.*; do ln -sf $f libtinfo${f#libncursesw}; done",
        "ln -sf ncursesw.pc pkgconfig/tinfo.pc",
        "for d in ncursesw ncurses; do if [ ! -e $out/include/$d ]; then ln -s . $out/include/$d; fi; done",
      ].join("\n"),
      meta: {
        description: "Terminal handling library, with tic, infocmp, tput and the terminfo database",
        homepage: "https://invisible-island.net/ncurses/",
        license: "X11",
        mainProgram: "tput",
        // A terminal's description, found: in a static build with no database on the device
        // (an empty root), only the compiled-in fallback entries have it.
        smokeTest: { args: ["-T", "xterm-256color", "colors"], expect: "^256\\s*$" },
        notes: [
          "Wide-character build (libncursesw); no C++ binding, since musl sets have no C++.",
          `Static: terminfo from ${systemTerminfo}, and built-in entries for ${fallbacks} where the device has none (the smoke test runs tput in an empty root).`,
        ],
      },
    }),
);
