import { recipe } from "../package-set.js";

export const zlib = recipe(({ stdenv, fetchurl, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "zlib",
    version: "1.2.13",
    src: fetchurl({
      // Debian's repack: pinned as the archive serves it.
      url: "mirror://debian/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2",
      name: "zlib-1.2.13.dfsg.tar.bz2",
      hash: "sha256:71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1",
    }),
    // zlib's own configure script: no --build/--host (it reads CC and AR from the
    // environment), and --static instead of autoconf's static flags.
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    configureFlags: hostPlatform.isStatic ? ["--static"] : ["--shared"],
    meta: {
      description: "Lossless data-compression library",
      homepage: "https://zlib.net",
      license: "Zlib",
    },
  }),
);
