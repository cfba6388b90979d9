import { recipe } from "../package-set.js";

export const fmt = recipe(({ stdenv, fetchurl, cmake }) =>
  stdenv.mkDerivation({
    pname: "fmt",
    version: "9.1.0",
    src: fetchurl({
      // Debian's repack drops the bundled googletest, which only fmt's own tests use.
      url: "mirror://debian/pool/main/f/fmtlib/fmtlib_9.1.0+ds1.orig.tar.gz",
      name: "fmt-9.1.0.tar.gz",
      hash: "sha256:84ce1c2d0be3a9863935137969dcec6970125caac032f82474640bfc81463583",
    }),
    cxx: true,
    nativeBuildInputs: [cmake],
    cmakeFlags: ["-DFMT_TEST=OFF", "-DFMT_DOC=OFF", "-DCMAKE_POSITION_INDEPENDENT_CODE=ON"],
    meta: {
      description: "A formatting library for C++: std::format's origin",
      homepage: "https://fmt.dev",
      license: "MIT",
    },
  }),
);
