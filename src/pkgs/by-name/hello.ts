import { recipe } from "../package-set.js";

export const hello = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "hello",
    version: "2.10",
    src: fetchurl({
      url: "mirror://debian/pool/main/h/hello/hello_2.10.orig.tar.gz",
      name: "hello-2.10.tar.gz",
      hash: "sha256-MeBmE3qWJnbon2nRtlOC3pWn732RS4y5VvQepy4PUWs=",
    }),
    configureFlags: ["--disable-nls"],
    doCheck: true,
    meta: {
      description: "GNU's program that prints a friendly greeting",
      homepage: "https://www.gnu.org/software/hello/",
      license: "GPL-3.0-or-later",
      mainProgram: "hello",
    },
  }),
);
