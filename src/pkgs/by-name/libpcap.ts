import { recipe } from "../package-set.js";

export const libpcap = recipe(({ stdenv, fetchurl, bison, flex }) =>
  stdenv.mkDerivation({
    pname: "libpcap",
    version: "1.10.3",
    src: fetchurl({
      url: "mirror://debian/pool/main/libp/libpcap/libpcap_1.10.3.orig.tar.gz",
      name: "libpcap-1.10.3.tar.gz",
      hash: "sha256:2a8885c403516cf7b0933ed4b14d6caa30e02052489ebd414dc75ac52e7559e6",
    }),
    // The filter grammar ships as grammar.y.in and scanner.l only.
    nativeBuildInputs: [bison, flex],
    configureFlags: [
      "--with-pcap=linux",
      "--without-libnl",
      "--disable-dbus",
      "--disable-rdma",
      "--disable-bluetooth",
      "--disable-remote",
      "--disable-netmap",
    ],
    meta: {
      description: "Packet capture library (libpcap), tcpdump's",
      homepage: "https://www.tcpdump.org/",
      license: "BSD-3-Clause",
    },
  }),
);
