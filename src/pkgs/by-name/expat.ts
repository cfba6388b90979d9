import { recipe } from "../package-set.js";

export const expat = recipe(({ stdenv, fetchurl, cmake }) =>
  stdenv.mkDerivation({
    pname: "expat",
    version: "2.5.0",
    src: fetchurl({
      // Debian's orig is upstream's git tag archive: no configure, the sources in expat/.
      url: "mirror://debian/pool/main/e/expat/expat_2.5.0.orig.tar.gz",
      name: "expat-2.5.0.tar.gz",
      hash: "sha256:ab00ee05c7067fd10a35c5d2a4922ebba746ddd50ff83b79c828da17bbdf1757",
    }),
    env: { sourceRoot: "libexpat-R_2_5_0/expat" },
    nativeBuildInputs: [cmake],
    // Its tests are C++ (runtestspp) and run through `bash run.sh`, which ctest would not
    // give the emulator: leave them out. xmlwf is the program that proves the library.
    cmakeFlags: [
      "-DEXPAT_BUILD_DOCS=OFF",
      "-DEXPAT_BUILD_EXAMPLES=OFF",
      "-DEXPAT_BUILD_TESTS=OFF",
      "-DEXPAT_BUILD_TOOLS=ON",
    ],
    meta: {
      description: "A stream-oriented XML parser library, and its xmlwf tool",
      homepage: "https://libexpat.github.io",
      license: "MIT",
      mainProgram: "xmlwf",
      smokeTest: { args: ["-v"], expect: "^xmlwf using expat_2\\.5\\.0" },
    },
  }),
);
