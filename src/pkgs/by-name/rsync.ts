import { recipe } from "../package-set.js";

export const rsync = recipe<"zlib" | "zstd" | "lz4" | "openssl">(
  ({ stdenv, fetchurl, zlib, zstd, lz4, openssl }) =>
    stdenv.mkDerivation({
      pname: "rsync",
      version: "3.2.7",
      src: fetchurl({
        url: "mirror://debian/pool/main/r/rsync/rsync_3.2.7.orig.tar.gz",
        name: "rsync-3.2.7.tar.gz",
        hash: "sha256:4e7d9d3f6ed10878c58c5fb724a67dacf4b6aac7340b13e488fb2dc41346f2bb",
      }),
      buildInputs: [zlib, zstd, lz4, openssl],
      configureFlags: [
        "--disable-xxhash",
        "--enable-zstd",
        "--enable-lz4",
        "--enable-openssl",
        "--with-included-zlib=no",
        "--with-included-popt",
        "--disable-acl-support",
        "--disable-md2man",
        // Its SIMD check is a run test with no cross answer, and needs C++.
        "--disable-roll-simd",
        "--enable-ipv6",
      ],
      // Linux's answers to run tests whose cross defaults lose features.
      configureCacheVars: {
        rsync_cv_can_hardlink_symlink: "yes",
        rsync_cv_can_hardlink_special: "yes",
        rsync_cv_HAVE_SOCKETPAIR: "yes",
        rsync_cv_HAVE_SECURE_MKSTEMP: "yes",
        rsync_cv_HAVE_C99_VSNPRINTF: "yes",
        rsync_cv_MKNOD_CREATES_FIFOS: "yes",
        rsync_cv_MKNOD_CREATES_SOCKETS: "yes",
        rsync_cv_HAVE_BROKEN_LARGEFILE: "no",
        rsync_cv_HAVE_BROKEN_READDIR: "no",
        rsync_cv_chown_modifies_symlink: "no",
        rsync_cv_MAKEDEV_TAKES_3_ARGS: "no",
      },
      env: { LIBS: "-pthread" },
      meta: {
        description: "Fast incremental file copying, locally or over ssh",
        homepage: "https://rsync.samba.org/",
        license: "GPL-3.0-or-later",
        mainProgram: "rsync",
        // --version lists the compressors that were linked: zstd and lz4 among them.
        smokeTest: {
          args: ["--version"],
          expect: "rsync +version 3\\.2\\.7[\\s\\S]*Compress list:\\s+zstd lz4",
        },
      },
    }),
);
