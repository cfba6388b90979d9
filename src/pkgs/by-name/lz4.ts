import { recipe } from "../package-set.js";

export const lz4 = recipe(({ stdenv, fetchurl, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "lz4",
    version: "1.9.4",
    src: fetchurl({
      url: "mirror://debian/pool/main/l/lz4/lz4_1.9.4.orig.tar.gz",
      name: "lz4-1.9.4.tar.gz",
      hash: "sha256:0b0e3aa07c8c063ddf40b082bdf7e37a1562bda40a0ff5272957f3e987e0e54b",
    }),
    // A plain Makefile: it takes CC and AR from the environment, the prefix from PREFIX.
    makeFlags: [
      "PREFIX=@out@",
      ...(hostPlatform.isStatic ? ["BUILD_SHARED=no"] : []),
      "WINDRES=false",
    ],
    meta: {
      description: "LZ4: extremely fast compression, the lz4 tool and liblz4",
      homepage: "https://lz4.github.io/lz4/",
      license: "BSD-2-Clause AND GPL-2.0-or-later",
      mainProgram: "lz4",
      smokeTest: { args: ["-b1", "-e1", "-i0"], expect: "Synthetic 50% +: +10000000 -> +[0-9]+" },
    },
  }),
);
