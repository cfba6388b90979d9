import { recipe } from "../package-set.js";

export const dropbear = recipe<"zlib">(({ stdenv, fetchurl, zlib }) =>
  stdenv.mkDerivation({
    pname: "dropbear",
    version: "2022.83",
    src: fetchurl({
      url: "mirror://debian/pool/main/d/dropbear/dropbear_2022.83.orig.tar.bz2",
      name: "dropbear-2022.83.tar.bz2",
      hash: "sha256:bc5a121ffbc94b5171ad5ebe01be42746d50aa797c9549a4639894a16749443b",
    }),
    buildInputs: [zlib],
    configureFlags: [
      "--enable-bundled-libtom",
      "--disable-pam",
      `--with-zlib=${zlib.out}`,
      "--disable-lastlog",
      "--disable-utmp",
      "--disable-utmpx",
      "--disable-wtmp",
      "--disable-wtmpx",
      "--sbindir=@out@/bin",
    ],
    // glibc 2.36 moved crypt() to libxcrypt, which Debian's cross sysroots lack; dropbear
    // then refuses to build its server's password login: leave that out (public keys only).
    postConfigure:
      "grep -q '^#define HAVE_CRYPT 1' config.h || " +
      'export NIX_CFLAGS_COMPILE="${NIX_CFLAGS_COMPILE-} -DDROPBEAR_SVR_PASSWORD_AUTH=0"',
    // One make word for the program list, which has spaces.
    preBuild: 'makeFlagsArray+=("PROGRAMS=dropbear dbclient dropbearkey dropbearconvert")',
    preInstall: 'makeFlagsArray+=("PROGRAMS=dropbear dbclient dropbearkey dropbearconvert")',
    meta: {
      description: "Small SSH server and client: dropbear, dbclient, dropbearkey",
      homepage: "https://matt.ucc.asn.au/dropbear/dropbear.html",
      license: "MIT",
      mainProgram: "dbclient",
      smokeTest: { args: ["-V"], expect: "Dropbear v2022\\.83" },
      notes: [
        "Built for glibc by a cross compiler (no libxcrypt), its server takes public keys only: no password login.",
      ],
    },
  }),
);
