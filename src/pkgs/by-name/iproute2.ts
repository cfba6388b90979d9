import { recipe } from "../package-set.js";

export const iproute2 = recipe(({ stdenv, fetchurl, bison, flex, "pkg-config": pkgConfig }) =>
  stdenv.mkDerivation({
    pname: "iproute2",
    version: "6.1.0",
    src: fetchurl({
      url: "mirror://debian/pool/main/i/iproute2/iproute2_6.1.0.orig.tar.xz",
      name: "iproute2-6.1.0.tar.xz",
      hash: "sha256:5ce12a0fec6b212725ef218735941b2dab76244db7e72646a76021b0537b43ab",
    }),
    nativeBuildInputs: [bison, flex, pkgConfig],
    // A hand-written configure that takes no platform or static flags; netem's table
    // generators are built with HOSTCC (the build machine's compiler) and run.
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    makeFlags: [
      "PREFIX=@out@",
      "SBINDIR=@out@/bin",
      "CONFDIR=/etc/iproute2",
      "ARPDDIR=/var/lib/arpd",
      "DOCDIR=@out@/share/doc/iproute2",
      "HDRDIR=@out@/include/iproute2",
      "HOSTCC=gcc",
    ],
    installFlags: ["CONFDIR=@out@/etc/iproute2"],
    // arpd's state folder is the device's, not the output's.
    postPatch: "sed -i -e '/ARPDDIR/d' Makefile",
    meta: {
      description: "Linux networking tools: ip, tc, bridge, ss…",
      homepage: "https://wiki.linuxfoundation.org/networking/iproute2",
      license: "GPL-2.0-only",
      mainProgram: "ip",
      smokeTest: { args: ["-V"], expect: "^ip utility, iproute2-6\\.1\\.0" },
    },
  }),
);
