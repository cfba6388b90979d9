import { recipe } from "../package-set.js";

export const i2cTools = recipe(({ stdenv, fetchurl, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "i2c-tools",
    version: "4.3",
    src: fetchurl({
      url: "mirror://debian/pool/main/i/i2c-tools/i2c-tools_4.3.orig.tar.xz",
      name: "i2c-tools-4.3.tar.xz",
      hash: "sha256:1f899e43603184fac32f34d72498fc737952dbc9c97a8dd9467fadfdf4600cf9",
    }),
    // A plain Makefile: CC and AR from the environment, the prefix and library kinds as flags.
    makeFlags: [
      "PREFIX=@out@",
      "sbindir=@out@/bin",
      ...(hostPlatform.isStatic ? ["BUILD_DYNAMIC_LIB=0", "USE_STATIC_LIB=1"] : []),
    ],
    meta: {
      description: "I2C bus tools: i2cdetect, i2cget, i2cset, i2cdump, i2ctransfer",
      homepage: "https://i2c.wiki.kernel.org/index.php/I2C_Tools",
      license: "GPL-2.0-or-later",
      mainProgram: "i2cdetect",
      smokeTest: { args: ["-V"], expect: "i2cdetect version 4\\.3" },
    },
  }),
);
