import { recipe } from "../package-set.js";

export const less = recipe<"ncurses" | "pcre2">(({ stdenv, fetchurl, ncurses, pcre2 }) =>
  stdenv.mkDerivation({
    pname: "less",
    version: "590",
    src: fetchurl({
      url: "mirror://debian/pool/main/l/less/less_590.orig.tar.gz",
      name: "less-590.tar.gz",
      hash: "sha256:6aadf54be8bf57d0e2999a3c5d67b1de63808bb90deb8f77b028eafae3a08e10",
    }),
    buildInputs: [ncurses, pcre2],
    configureFlags: ["--with-regex=pcre2", "--sysconfdir=/etc"],
    // Not the build machine's libtinfo: the terminal library is our ncursesw.
    configureCacheVars: { ac_cv_lib_tinfo_tgoto: "no", ac_cv_lib_tinfow_tgoto: "no" },
    meta: {
      description: "Terminal pager that scrolls backwards and forwards",
      homepage: "https://www.greenwoodsoftware.com/less/",
      license: "GPL-3.0-or-later OR BSD-2-Clause",
      mainProgram: "less",
      smokeTest: { args: ["--version"], expect: "^less 590 \\(PCRE2 regular expressions\\)" },
    },
  }),
);
