import { recipe } from "../package-set.js";

export const oniguruma = recipe(({ stdenv, fetchurl, cmake }) =>
  stdenv.mkDerivation({
    pname: "oniguruma",
    version: "6.9.8",
    src: fetchurl({
      url: "mirror://debian/pool/main/libo/libonig/libonig_6.9.8.orig.tar.gz",
      name: "oniguruma-6.9.8.tar.gz",
      hash: "sha256:26372720bab6733c869a9eb69377f73971138dc5e3eff4a81f5ba8aea5435fb2",
    }),
    // The tarball has configure.ac but no configure; its CMake build needs nothing generated.
    nativeBuildInputs: [cmake],
    cmakeFlags: ["-DBUILD_TEST=OFF", "-DINSTALL_DOCUMENTATION=OFF"],
    meta: {
      description: "Regular expression library with many syntaxes and encodings (jq's)",
      homepage: "https://github.com/kkos/oniguruma",
      license: "BSD-2-Clause",
    },
  }),
);
