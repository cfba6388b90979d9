import { recipe } from "../package-set.js";

export const tree = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "tree",
    version: "2.1.0",
    src: fetchurl({
      url: "mirror://debian/pool/main/t/tree/tree_2.1.0.orig.tar.gz",
      name: "tree-2.1.0.tar.gz",
      hash: "sha256:0160c535bff2b0dc6a830b9944e981e3427380f63e748da96ced7071faebabf6",
    }),
    // A plain Makefile that sets CC itself: give it ours, and the prefix.
    makeFlags: [`CC=${stdenv.toolPrefix}gcc`, "PREFIX=@out@", "MANDIR=@out@/share/man"],
    meta: {
      description: "Lists the contents of directories as a tree",
      homepage: "https://oldmanprogrammer.net/source.php?dir=projects/tree",
      license: "GPL-2.0-or-later",
      mainProgram: "tree",
      // / of wherever it runs holds at least one directory: "N directories" proves it walked.
      smokeTest: {
        args: ["-d", "-L", "1", "--noreport", "-J", "/"],
        expect: '"type":"directory","name":"/"',
      },
    },
  }),
);
