import { recipe } from "../package-set.js";

export const spdlog = recipe<"fmt">(({ stdenv, fetchurl, cmake, fmt, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "spdlog",
    version: "1.10.0",
    src: fetchurl({
      url: "mirror://debian/pool/main/s/spdlog/spdlog_1.10.0+ds.orig.tar.xz",
      name: "spdlog-1.10.0.tar.xz",
      hash: "sha256:620ca6842b5c21014470bd42eb4716024674214fb973b5ffa3aaea33310ad327",
    }),
    cxx: true,
    nativeBuildInputs: [cmake],
    buildInputs: [fmt],
    cmakeFlags: [
      // Debian's repack has no bundled fmt: the fmt package.
      "-DSPDLOG_FMT_EXTERNAL=ON",
      `-DSPDLOG_BUILD_SHARED=${hostPlatform.isStatic ? "OFF" : "ON"}`,
      "-DSPDLOG_BUILD_EXAMPLE=OFF",
      "-DSPDLOG_BUILD_TESTS=ON",
      // Its tests would look for the build machine's libsystemd through pkg-config.
      "-DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON",
    ],
    // Its own test suite (Catch2, bundled): 147 cases of async loggers, thread pools,
    // mutexes and condition variables, thread_local, exceptions through error handlers.
    // ctest runs it under the platform's emulator when cross.
    doCheck: true,
    doCheckWithEmulator: true,
    env: { checkTarget: "test", CTEST_OUTPUT_ON_FAILURE: "1" },
    meta: {
      description: "Fast C++ logging library, with its test suite run on the target",
      homepage: "https://github.com/gabime/spdlog",
      license: "MIT",
    },
  }),
);
