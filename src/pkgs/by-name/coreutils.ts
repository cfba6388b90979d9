import { recipe } from "../package-set.js";

export const coreutils = recipe(({ stdenv, fetchurl, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "coreutils",
    version: "9.1",
    src: fetchurl({
      url: "mirror://debian/pool/main/c/coreutils/coreutils_9.1.orig.tar.xz",
      name: "coreutils-9.1.tar.xz",
      hash: "sha256:61a1f410d78ba7e7f37a5a4f50e6d1320aca33375484a3255eddf17a38580423",
    }),
    configureFlags: [
      "--without-selinux",
      "--disable-libcap",
      "--disable-acl",
      "--disable-xattr",
      "--without-gmp",
      "--without-openssl",
      "--disable-nls",
      // stdbuf works by preloading libstdbuf.so, which a static set has no use for.
      ...(hostPlatform.isStatic ? ["--enable-no-install-program=stdbuf"] : []),
    ],
    configureCacheVars: { gl_cv_func_getcwd_abort_bug: "no" },
    meta: {
      description: "GNU core utilities: ls, cp, mv, cat, sort, date and a hundred more",
      homepage: "https://www.gnu.org/software/coreutils/",
      license: "GPL-3.0-or-later",
      mainProgram: "factor",
      smokeTest: { args: ["600851475143"], expect: "^600851475143: 71 839 1471 6857\\n" },
      notes: ["Its configure refuses to run as root; xpkgs builds run as an unprivileged user."],
    },
  }),
);
