import { recipe } from "../package-set.js";

export const ethtool = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "ethtool",
    version: "6.1",
    src: fetchurl({
      url: "mirror://debian/pool/main/e/ethtool/ethtool_6.1.orig.tar.xz",
      name: "ethtool-6.1.tar.xz",
      hash: "sha256:c41fc881ffa5a40432d2dd829eb44c64a49dee482e716baacf9262c64daa8f90",
    }),
    // Netlink needs libmnl, whose source the archive here does not serve: the ioctl interface.
    configureFlags: ["--sbindir=@out@/bin", "--disable-netlink"],
    // BSD type names that musl does not define (upstream uses the C99 ones since 6.2).
    postPatch:
      "sed -i -e 's/u_int32_t/uint32_t/g' -e 's/u_int16_t/uint16_t/g' -e 's/u_int8_t/uint8_t/g' marvell.c",
    meta: {
      description: "Queries and changes network drivers and hardware settings",
      homepage: "https://www.kernel.org/pub/software/network/ethtool/",
      license: "GPL-2.0-only",
      mainProgram: "ethtool",
      smokeTest: { args: ["--version"], expect: "^ethtool version 6\\.1\\n" },
      notes: ["Built without netlink (libmnl): the ioctl interface only."],
    },
  }),
);
