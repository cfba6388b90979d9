import { recipe } from "../package-set.js";

export const ninja = recipe(({ stdenv, fetchurl, cmake }) =>
  stdenv.mkDerivation({
    pname: "ninja",
    version: "1.11.1",
    src: fetchurl({
      url: "mirror://debian/pool/main/n/ninja-build/ninja-build_1.11.1.orig.tar.gz",
      name: "ninja-1.11.1.tar.gz",
      hash: "sha256:31747ae633213f1eda3842686f83c2aa1412e0f5691d1c14dbbcc67fe7400cea",
    }),
    cxx: true,
    // Its CMake build: the lexers are pre-generated (no re2c), and no Python bootstrap.
    nativeBuildInputs: [cmake],
    // ninja's own test suite (ninja_test, 382 tests of its own framework), run by ctest
    // under the platform's emulator when cross.
    doCheck: true,
    doCheckWithEmulator: true,
    env: { checkTarget: "test", CTEST_OUTPUT_ON_FAILURE: "1" },
    meta: {
      description: "A small build system with a focus on speed",
      homepage: "https://ninja-build.org",
      license: "Apache-2.0",
      mainProgram: "ninja",
      // Its tools list names browse only when configure could embed browse.py (inline.sh).
      smokeTest: { args: ["-t", "list"], expect: "browse +browse dependency graph" },
    },
  }),
);
