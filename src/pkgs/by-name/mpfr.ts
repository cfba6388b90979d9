import { recipe } from "../package-set.js";

export const mpfr = recipe<"gmp">(({ stdenv, fetchurl, gmp }) =>
  stdenv.mkDerivation({
    pname: "mpfr",
    version: "4.2.0",
    src: fetchurl({
      url: "mirror://debian/pool/main/m/mpfr4/mpfr4_4.2.0.orig.tar.xz",
      name: "mpfr-4.2.0.tar.xz",
      hash: "sha256:06a378df13501248c1b2db5aa977a2c8126ae849a9d9b7be2546fb4a9c26d993",
    }),
    buildInputs: [gmp],
    configureFlags: ["--with-pic", `--with-gmp=${gmp.out}`],
    meta: {
      description: "Multiple-precision floating-point computations with correct rounding",
      homepage: "https://www.mpfr.org",
      license: "LGPL-3.0-or-later",
    },
  }),
);
