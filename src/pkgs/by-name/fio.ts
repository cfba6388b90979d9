import { recipe } from "../package-set.js";

export const fio = recipe<"zlib">(({ stdenv, fetchurl, zlib }) =>
  stdenv.mkDerivation({
    pname: "fio",
    version: "3.33",
    src: fetchurl({
      url: "mirror://debian/pool/main/f/fio/fio_3.33.orig.tar.gz",
      name: "fio-3.33.tar.gz",
      hash: "sha256:d2410e13e0f379d061d077cc5ae325835bb7c6186aa7bafc1df954cbc9b014fc",
    }),
    buildInputs: [zlib],
    // Its own configure (qemu's style): it takes CC from the environment and no platforms.
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    configureFlags: [
      "--disable-native",
      "--disable-numa",
      "--disable-rdma",
      "--disable-rados",
      "--disable-rbd",
      "--disable-http",
      "--disable-gfapi",
      "--disable-pmem",
      "--disable-libzbc",
      "--disable-xnvme",
      "--disable-tcmalloc",
      "--disable-libnfs",
      "--disable-dfs",
    ],
    meta: {
      description: "Flexible I/O tester and storage benchmark",
      homepage: "https://github.com/axboe/fio",
      license: "GPL-2.0-only",
      mainProgram: "fio",
      // The null engine runs a whole job (random offsets, accounting, report), no files.
      smokeTest: {
        args: ["--name=t", "--ioengine=null", "--size=1m", "--rw=randrw", "--bs=4k"],
        expect: "Run status group 0 \\(all jobs\\):\\s+READ: bw=",
      },
    },
  }),
);
