import { recipe } from "../package-set.js";

export const pcre2 = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "pcre2",
    version: "10.42",
    src: fetchurl({
      url: "mirror://debian/pool/main/p/pcre2/pcre2_10.42.orig.tar.gz",
      name: "pcre2-10.42.tar.gz",
      hash: "sha256:c33b418e3b936ee3153de2c61cc638e7e4fe3156022a5c77d0711bcbb9d64f1f",
    }),
    configureFlags: ["--enable-pcre2-16", "--enable-pcre2-32", "--disable-jit"],
    meta: {
      description: "Perl-compatible regular expressions (libpcre2), with pcre2grep and pcre2test",
      homepage: "https://www.pcre.org/",
      license: "BSD-3-Clause",
      mainProgram: "pcre2test",
      // -C prints what was built in; this one must have Unicode and all three widths.
      smokeTest: {
        args: ["-C"],
        expect: "16-bit support\\n  32-bit support[\\s\\S]*UTF and UCP support",
      },
      notes: ["No JIT: it has no port to some of the targets (riscv64, s390x before 10.43)."],
    },
  }),
);
