import { recipe } from "../package-set.js";

export const bash = recipe<"ncurses">(({ stdenv, fetchurl, hostPlatform, ncurses }) =>
  stdenv.mkDerivation({
    pname: "bash",
    version: "5.2.15",
    src: fetchurl({
      // Debian's orig is bash 5.2 with upstream's patches up to 015 applied.
      url: "mirror://debian/pool/main/b/bash/bash_5.2.15.orig.tar.gz",
      name: "bash-5.2.15.tar.gz",
      hash: "sha256:7a315bc0e9d90713159e4390ec1096a41e4f33cd8cc3d1a749a8e5ad56600f51",
    }),
    buildInputs: [ncurses],
    // bash's own malloc (sbrk) misbehaves on musl; the generators use CC_FOR_BUILD.
    configureFlags: ["--without-bash-malloc", "--disable-nls", "--with-curses"],
    // 5.2's strtoimax check is inverted: "usable" adds its own copy, which a static link
    // against musl's libc.a then defines twice. "no" keeps the C library's.
    configureCacheVars: { bash_cv_func_strtoimax: "no" },
    // Loadable builtins are shared objects that a static bash cannot load (no dlopen).
    postInstall: hostPlatform.isStatic
      ? "ln -s bash $out/bin/sh && rm -r $out/lib/bash"
      : "ln -s bash $out/bin/sh",
    meta: {
      description: "GNU Bourne-Again Shell",
      homepage: "https://www.gnu.org/software/bash/",
      license: "GPL-3.0-or-later",
      mainProgram: "bash",
      smokeTest: {
        args: ["-c", "echo $((6*7)) $BASH_VERSION"],
        expect: "^42 5\\.2\\.15\\(1\\)-release\\n",
      },
    },
  }),
);
