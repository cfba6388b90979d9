import { recipe } from "../package-set.js";

export const readline = recipe<"ncurses">(({ stdenv, fetchurl, ncurses }) =>
  stdenv.mkDerivation({
    pname: "readline",
    version: "8.2",
    src: fetchurl({
      url: "mirror://debian/pool/main/r/readline/readline_8.2.orig.tar.gz",
      name: "readline-8.2.tar.gz",
      hash: "sha256:3feb7171f16a84ee82ca18a36d7b9be109a52c04f492a053331d7d1095007c35",
    }),
    buildInputs: [ncurses],
    // Its terminal functions come from ncurses (libncursesw, wide-character).
    configureFlags: ["--with-curses", "--disable-install-examples"],
    makeFlags: ["SHLIB_LIBS=-lncursesw"],
    // configure names a "termcap" package that does not exist; ours is ncursesw.
    postInstall:
      "sed -i 's/^Requires.private: termcap/Requires.private: ncursesw/' $out/lib/pkgconfig/readline.pc",
    meta: {
      description: "GNU Readline: line editing and history for interactive programs",
      homepage: "https://tiswww.case.edu/php/chet/readline/rltop.html",
      license: "GPL-3.0-or-later",
    },
  }),
);
