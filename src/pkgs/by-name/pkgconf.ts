import { recipe } from "../package-set.js";

export const pkgconf = recipe(({ stdenv, fetchurl, meson }) =>
  stdenv.mkDerivation({
    pname: "pkgconf",
    version: "1.8.1",
    src: fetchurl({
      url: "mirror://debian/pool/main/p/pkgconf/pkgconf_1.8.1.orig.tar.xz",
      name: "pkgconf-1.8.1.tar.xz",
      hash: "sha256:644361ada2942be05655d4452eb018791647c31bba429b287f1f68deb2dc6840",
    }),
    // Its Meson build (it also ships a configure): meson's hook takes the configure phase.
    nativeBuildInputs: [meson],
    mesonFlags: ["-Dtests=false"],
    meta: {
      description: "pkg-config implementation: compiler and linker flags of installed libraries",
      homepage: "http://pkgconf.org/",
      license: "ISC",
      mainProgram: "pkgconf",
      // Prints its search personality: the built-in defaults, so its configuration works.
      smokeTest: { args: ["--dump-personality"], expect: "^Triplet: default\\n" },
    },
  }),
);
