import { recipe } from "../package-set.js";

export const xz = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "xz",
    version: "5.4.1",
    src: fetchurl({
      // Identical to upstream's xz-5.4.1.tar.xz.
      url: "mirror://debian/pool/main/x/xz-utils/xz-utils_5.4.1.orig.tar.xz",
      name: "xz-5.4.1.tar.xz",
      hash: "sha256:5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5",
    }),
    configureFlags: ["--disable-nls", "--disable-doc"],
    meta: {
      description: "XZ and LZMA compression tools and liblzma",
      homepage: "https://tukaani.org/xz/",
      license: "0BSD AND GPL-2.0-or-later",
      mainProgram: "xz",
    },
  }),
);
