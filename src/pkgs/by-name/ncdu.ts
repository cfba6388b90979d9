import { recipe } from "../package-set.js";

export const ncdu = recipe<"ncurses">(({ stdenv, fetchurl, ncurses, "pkg-config": pkgConfig }) =>
  stdenv.mkDerivation({
    pname: "ncdu",
    // Debian trixie's: the archive no longer serves bookworm's 1.18 source. 1.x is the C one.
    version: "1.22",
    src: fetchurl({
      url: "mirror://debian/pool/main/n/ncdu/ncdu_1.22.orig.tar.gz",
      name: "ncdu-1.22.tar.gz",
      hash: "sha256:8af3431c09769f2a6e75f2260707d51792f9043db49ca6c3f940adfdc12fe063",
    }),
    // configure asks pkg-config for ncursesw (static sets: with its private libraries).
    nativeBuildInputs: [pkgConfig],
    buildInputs: [ncurses],
    configureFlags: ["--with-ncursesw"],
    meta: {
      description: "Disk usage analyser with an ncurses interface",
      homepage: "https://dev.yorhel.nl/ncdu",
      license: "MIT",
      mainProgram: "ncdu",
      // Scans /dev (small, and there on any Linux) without the interface, exporting JSON.
      smokeTest: {
        args: ["-0", "-x", "-o", "-", "/dev"],
        expect: '^\\[1,[0-9]+,\\{"progname":"ncdu","progver":"1\\.22"[^\\n]*\\n\\[\\{"name":"/dev"',
      },
    },
  }),
);
