import { recipe } from "../package-set.js";

export const tcpdump = recipe<"libpcap">(({ stdenv, fetchurl, libpcap, "pkg-config": pkgConfig }) =>
  stdenv.mkDerivation({
    pname: "tcpdump",
    version: "4.99.3",
    src: fetchurl({
      url: "mirror://debian/pool/main/t/tcpdump/tcpdump_4.99.3.orig.tar.gz",
      name: "tcpdump-4.99.3.tar.gz",
      hash: "sha256:ad75a6ed3dc0d9732945b2e5483cb41dc8b4b528a169315e499c6861952e73b3",
    }),
    nativeBuildInputs: [pkgConfig],
    buildInputs: [libpcap],
    configureFlags: [
      "--disable-local-libpcap",
      "--without-smi",
      "--without-cap-ng",
      "--without-crypto",
      "--without-sandbox-capsicum",
    ],
    meta: {
      description: "Network packet analyser: captures, filters and decodes traffic",
      homepage: "https://www.tcpdump.org/",
      license: "BSD-3-Clause",
      mainProgram: "tcpdump",
      // Compiles the filter "ip" with libpcap and prints the BPF program: no device needed.
      smokeTest: { args: ["-d", "ip"], expect: "jeq +#0x800 +jt 2\\s+jf 3" },
    },
  }),
);
