import { recipe } from "../package-set.js";

export const iputils = recipe(({ stdenv, fetchurl, meson }) =>
  stdenv.mkDerivation({
    pname: "iputils",
    // Debian unstable's: the archive no longer serves bookworm's 20221126 source.
    version: "20250605",
    src: fetchurl({
      url: "mirror://debian/pool/main/i/iputils/iputils_20250605.orig.tar.xz",
      name: "iputils-20250605.tar.xz",
      hash: "sha256:2343570656f3cfc191eedd887fd8b5b78f68d0b68e59f2d45b17209cdcfd35a3",
    }),
    nativeBuildInputs: [meson],
    mesonFlags: [
      // ping, tracepath, arping and clockdiff; no libcap, libidn2 or gettext in the collection.
      "-DUSE_CAP=false",
      "-DUSE_IDN=false",
      "-DUSE_GETTEXT=false",
      // The manuals need xsltproc and DocBook's stylesheets.
      "-DBUILD_MANS=false",
      // Its tests ping loopback, which needs ICMP sockets the sandbox does not give.
      "-DSKIP_TESTS=true",
    ],
    meta: {
      description: "Network tools: ping, tracepath, arping and clockdiff",
      homepage: "https://github.com/iputils/iputils",
      license: "GPL-2.0-or-later AND BSD-3-Clause",
      mainProgram: "ping",
      // Its version and the features compiled in.
      smokeTest: {
        args: ["-V"],
        expect: "^ping from iputils 20250605\\nlibcap: no, IDN: no, NLS: no",
      },
    },
  }),
);
