import { recipe } from "../package-set.js";

export const e2fsprogs = recipe(({ stdenv, fetchurl, hostPlatform }) =>
  stdenv.mkDerivation({
    pname: "e2fsprogs",
    version: "1.47.0",
    src: fetchurl({
      url: "mirror://debian/pool/main/e/e2fsprogs/e2fsprogs_1.47.0.orig.tar.gz",
      name: "e2fsprogs-1.47.0.tar.gz",
      hash: "sha256:6667afde56eef0c6af26684974400e4d2288ea49e9441bf5e6229195d51a3578",
    }),
    // Its own configure: shared libraries are --enable-elf-shlibs, not --enable-shared.
    dontAddStaticConfigureFlags: true,
    configureFlags: [
      "--sbindir=@out@/bin",
      "--enable-libuuid",
      "--enable-libblkid",
      "--disable-fsck",
      "--disable-uuidd",
      "--disable-fuse2fs",
      "--disable-nls",
      "--disable-e2initrd-helper",
      // Else install writes to the build machine's /etc/cron.d, systemd and udev folders.
      "--with-crond-dir=no",
      "--with-systemd-unit-dir=no",
      "--with-udev-rules-dir=no",
      ...(hostPlatform.isStatic ? [] : ["--enable-elf-shlibs"]),
    ],
    configureCacheVars: { ac_cv_lib_magic_magic_file: "no" },
    meta: {
      description: "ext2/ext3/ext4 file system tools: mke2fs, e2fsck, tune2fs, debugfs…",
      homepage: "https://e2fsprogs.sourceforge.net/",
      license: "GPL-2.0-only AND LGPL-2.0-only AND BSD-3-Clause AND MIT",
      mainProgram: "mke2fs",
      smokeTest: { args: ["-V"], expect: "mke2fs 1\\.47\\.0 \\(5-Feb-2023\\)" },
    },
  }),
);
