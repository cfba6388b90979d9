import { recipe } from "../package-set.js";

export const nano = recipe<"ncurses">(({ stdenv, fetchurl, ncurses }) =>
  stdenv.mkDerivation({
    pname: "nano",
    version: "7.2",
    src: fetchurl({
      url: "mirror://debian/pool/main/n/nano/nano_7.2.orig.tar.xz",
      name: "nano-7.2.tar.xz",
      hash: "sha256:86f3442768bd2873cec693f83cdf80b4b444ad3cc14760b74361474fc87a4526",
    }),
    buildInputs: [ncurses],
    configureFlags: ["--disable-nls", "--disable-libmagic", "--enable-utf8", "--sysconfdir=/etc"],
    configureCacheVars: { gl_cv_func_strcasecmp_works: "yes" },
    meta: {
      description: "Small, friendly terminal text editor",
      homepage: "https://www.nano-editor.org/",
      license: "GPL-3.0-or-later",
      mainProgram: "nano",
      smokeTest: { args: ["--version"], expect: "GNU nano, version 7\\.2[\\s\\S]*--enable-utf8" },
    },
  }),
);
