import { recipe } from "../package-set.js";

export const htop = recipe<"ncurses">(
  ({ stdenv, fetchurl, ncurses, autoreconfHook, "pkg-config": pkgConfig }) =>
    stdenv.mkDerivation({
      pname: "htop",
      version: "3.2.2",
      src: fetchurl({
        // A tag archive: configure.ac and no configure.
        url: "mirror://debian/pool/main/h/htop/htop_3.2.2.orig.tar.gz",
        name: "htop-3.2.2.tar.gz",
        hash: "sha256:3829c742a835a0426db41bb039d1b976420c21ec65e93b35cd9bfd2d57f44ac8",
      }),
      nativeBuildInputs: [autoreconfHook, pkgConfig],
      buildInputs: [ncurses],
      configureFlags: [
        "--enable-unicode",
        "--enable-affinity",
        "--disable-capabilities",
        "--disable-delayacct",
        "--disable-sensors",
        "--disable-hwloc",
        "--disable-unwind",
        "--sysconfdir=/etc",
      ],
      // Its configure runs ncursesw6-config from PATH: ours, not the build machine's.
      env: { HTOP_NCURSESW6_CONFIG_SCRIPT: `${ncurses.out}/bin/ncursesw6-config` },
      meta: {
        description: "Interactive process viewer for the terminal",
        homepage: "https://htop.dev/",
        license: "GPL-2.0-or-later",
        mainProgram: "htop",
        smokeTest: { args: ["--version"], expect: "^htop 3\\.2\\.2" },
      },
    }),
);
