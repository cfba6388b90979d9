import { recipe } from "../package-set.js";

export const libevent = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "libevent",
    version: "2.1.12",
    src: fetchurl({
      url: "mirror://debian/pool/main/libe/libevent/libevent_2.1.12-stable.orig.tar.gz",
      name: "libevent-2.1.12-stable.tar.gz",
      hash: "sha256:92e6de1be9ec176428fd2367677e61ceffc2ee1cb119035037a27d346b0403bb",
    }),
    configureFlags: ["--disable-openssl", "--disable-samples", "--disable-libevent-regress"],
    meta: {
      description: "Event notification library (epoll, timers, signals, buffered I/O)",
      homepage: "https://libevent.org/",
      license: "BSD-3-Clause",
      notes: ["Without its OpenSSL layer (libevent_openssl), which tmux does not use."],
    },
  }),
);
