import { recipe } from "../package-set.js";

export const tmux = recipe<"libevent" | "ncurses">(
  ({ stdenv, fetchurl, libevent, ncurses, "pkg-config": pkgConfig }) =>
    stdenv.mkDerivation({
      pname: "tmux",
      version: "3.3a",
      src: fetchurl({
        url: "mirror://debian/pool/main/t/tmux/tmux_3.3a.orig.tar.gz",
        name: "tmux-3.3a.tar.gz",
        hash: "sha256:e4fd347843bd0772c4f48d6dde625b0b109b7a380ff15db21e97c11a4dcdf93f",
      }),
      nativeBuildInputs: [pkgConfig],
      buildInputs: [libevent, ncurses],
      configureFlags: [
        "--sysconfdir=/etc",
        "--disable-utf8proc",
        "--disable-utempter",
        "--disable-systemd",
        "--with-TERM=screen",
      ],
      meta: {
        description: "Terminal multiplexer",
        homepage: "https://github.com/tmux/tmux",
        license: "ISC",
        mainProgram: "tmux",
        smokeTest: { args: ["-V"], expect: "^tmux 3\\.3a\\n" },
      },
    }),
);
