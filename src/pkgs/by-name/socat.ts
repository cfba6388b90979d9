import { recipe } from "../package-set.js";

export const socat = recipe<"openssl">(({ stdenv, fetchurl, hostPlatform, openssl }) => {
  // termios bit positions: PowerPC's layout differs from everyone else's.
  const ppc = hostPlatform.isPower;
  return stdenv.mkDerivation({
    pname: "socat",
    version: "1.7.4.4",
    src: fetchurl({
      url: "mirror://debian/pool/main/s/socat/socat_1.7.4.4.orig.tar.gz",
      name: "socat-1.7.4.4.tar.gz",
      hash: "sha256:0f8f4b9d5c60b8c53d17b60d79ababc4a0f51b3bb6d2bd3ae8a6a4b9d68f195e",
    }),
    buildInputs: [openssl],
    configureFlags: ["--disable-readline"],
    // Run tests that a cross configure cannot do; without them these options are disabled.
    configureCacheVars: {
      ac_cv_have_c99_snprintf: "yes",
      ac_cv_have_z_modifier: "yes",
      sc_cv_sys_crdly_shift: ppc ? "12" : "9",
      sc_cv_sys_tabdly_shift: ppc ? "10" : "11",
      sc_cv_sys_csize_shift: ppc ? "8" : "4",
    },
    // libcrypto.a needs the thread library; configure's checks do not add it.
    env: { LIBS: "-pthread" },
    meta: {
      description: "Relays byte streams between two addresses (sockets, files, pipes, TLS)",
      homepage: "http://www.dest-unreach.org/socat/",
      license: "GPL-2.0-only",
      mainProgram: "socat",
      // Relays a file to stdout. Not SYSTEM:, which needs /bin/sh, and an empty root
      // (the device without a package manager) has none; it has /proc.
      smokeTest: {
        args: ["-u", "OPEN:/proc/version", "STDOUT"],
        expect: "^Linux version ",
      },
    },
  });
});
