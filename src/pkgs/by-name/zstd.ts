import { recipe } from "../package-set.js";

export const zstd = recipe(({ stdenv, fetchurl, hostPlatform, cmake }) =>
  stdenv.mkDerivation({
    pname: "zstd",
    version: "1.5.4",
    src: fetchurl({
      // Debian's repack drops some prebuilt test files; the sources are upstream's.
      url: "mirror://debian/pool/main/libz/libzstd/libzstd_1.5.4+dfsg2.orig.tar.xz",
      name: "zstd-1.5.4.tar.xz",
      hash: "sha256:8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953",
    }),
    // zstd's own CMake build, as Nixpkgs uses (the top-level Makefile is the other one).
    nativeBuildInputs: [cmake],
    env: { cmakeDir: "../build/cmake" },
    // C++ is only for its contrib tests, which are not built: do not ask for a C++ compiler.
    postPatch:
      "sed -i -e '/enable_language(CXX)/d' -e '/CXX # Testing contributed code/d' build/cmake/CMakeLists.txt",
    cmakeFlags: [
      `-DZSTD_BUILD_SHARED=${hostPlatform.isStatic ? "OFF" : "ON"}`,
      "-DZSTD_BUILD_STATIC=ON",
      `-DZSTD_PROGRAMS_LINK_SHARED=${hostPlatform.isStatic ? "OFF" : "ON"}`,
      "-DZSTD_BUILD_TESTS=OFF",
      "-DZSTD_LEGACY_SUPPORT=OFF",
      "-DZSTD_MULTITHREAD_SUPPORT=ON",
    ],
    meta: {
      description: "Zstandard: fast lossless compression, the zstd tool and libzstd",
      homepage: "https://facebook.github.io/zstd/",
      license: "BSD-3-Clause OR GPL-2.0-only",
      mainProgram: "zstd",
      // Benchmark mode compresses and decompresses generated data: no files needed.
      smokeTest: { args: ["-b1", "-e1", "-i0"], expect: "Synthetic 50% +: +10000000 -> +[0-9]+" },
    },
  }),
);
