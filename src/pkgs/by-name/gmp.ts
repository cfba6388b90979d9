import { recipe } from "../package-set.js";

export const gmp = recipe(({ stdenv, fetchurl, m4 }) =>
  stdenv.mkDerivation({
    pname: "gmp",
    version: "6.2.1",
    src: fetchurl({
      // Debian's repack leaves out doc/ (its manual is not free).
      url: "mirror://debian/pool/main/g/gmp/gmp_6.2.1+dfsg1.orig.tar.xz",
      name: "gmp-6.2.1.tar.xz",
      hash: "sha256:471b9e463e04362a0124f215afc5f0a4b99caedeeb62634c61bbc12988efa64c",
    }),
    nativeBuildInputs: [m4],
    // configure still writes doc/Makefile: give it one that does nothing.
    postPatch: "mkdir -p doc\nprintf 'all:\\n.DEFAULT:\\n\\t@:\\n' >doc/Makefile.in",
    // Its assembly objects must be position-independent: gcc makes PIE programs. The C
    // API only (libgmpxx is C++, which gdb does not use). gen-*.c run with CC_FOR_BUILD.
    configureFlags: ["--with-pic", "--disable-cxx"],
    meta: {
      description: "The GNU multiple precision arithmetic library",
      homepage: "https://gmplib.org",
      license: "LGPL-3.0-or-later OR GPL-2.0-or-later",
    },
  }),
);
