import { recipe } from "../package-set.js";

export const jq = recipe<"oniguruma">(({ stdenv, fetchurl, oniguruma, autoreconfHook }) =>
  stdenv.mkDerivation({
    pname: "jq",
    version: "1.6",
    src: fetchurl({
      // A tag archive: configure.ac and no configure, and no .git for its version.
      url: "mirror://debian/pool/main/j/jq/jq_1.6.orig.tar.gz",
      name: "jq-1.6.tar.gz",
      hash: "sha256:3ba940b97571c866923f0409678033d33b5a98758dfc174fad8397ed908bc4d9",
    }),
    nativeBuildInputs: [autoreconfHook],
    buildInputs: [oniguruma],
    // The version comes from git describe, which a tarball cannot answer.
    postPatch: [
      "sed -i '1,4c m4_define([jq_version], [1.6])' configure.ac",
      "printf '#!/bin/sh\\necho 1.6\\n' > scripts/version",
    ].join("\n"),
    configureFlags: [
      "--disable-maintainer-mode",
      "--disable-docs",
      "--disable-valgrind",
      `--with-oniguruma=${oniguruma.out}`,
    ],
    meta: {
      description: "Command-line JSON processor",
      homepage: "https://jqlang.github.io/jq/",
      license: "MIT",
      mainProgram: "jq",
      // A document from -n, and regular expressions through oniguruma.
      smokeTest: {
        args: [
          "-nc",
          '"xpkgs-2024" | [test("[0-9]+$"), (capture("(?<n>[0-9]+)").n | tonumber * 2)]',
        ],
        expect: "^\\[true,4048\\]\\n",
      },
    },
  }),
);
