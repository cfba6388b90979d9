#!/usr/bin/env node
// The seed's attribute, pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped,
// on a fresh store (sources cached) against the same steps run by hand as one
// shell script: musl, zlib and binutils configured with the same flags and
// built with the same -j. Needs `npm run build` first. Since issue 14 xpkgs' binutils also
// builds ld.gold (and libstdc++ for musl before it), which this script does not: the ratio
// then overstates xpkgs' cost (docs/stdenv.md).
import { handBuild, jobs, musl, report, tarball, warmCache, xpkgsBuild } from "./hand.mjs";

const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped";
const zlib = "71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1";
const binutils = "d78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d";
warmCache(attr, [musl, zlib, binutils]);
const triple = "aarch64-unknown-linux-musl";
const hand = handBuild((dir) => {
  const cc = `aarch64-linux-gnu-gcc -specs=${dir}/musl/lib/musl-gcc.specs -static`;
  return `tar --no-same-owner -xf ${tarball(zlib)}
cd zlib-1.2.13.dfsg
CC="${cc}" AR=aarch64-linux-gnu-ar RANLIB=aarch64-linux-gnu-ranlib ./configure --prefix=${dir}/zlib --static
make -j${jobs}
make install
cd ..
tar --no-same-owner -xf ${tarball(binutils)}
cd binutils-2.40
CC="${cc} -isystem ${dir}/zlib/include -L${dir}/zlib/lib" AR=aarch64-linux-gnu-ar \\
  RANLIB=aarch64-linux-gnu-ranlib ./configure --prefix=${dir}/binutils \\
  --build=x86_64-unknown-linux-gnu --host=${triple} --target=${triple} --enable-static --disable-shared \\
  --enable-deterministic-archives --disable-werror --enable-64-bit-bfd --disable-gdb --disable-gdbserver \\
  --disable-sim --disable-gprofng --disable-gold --disable-nls --with-system-zlib
make -j${jobs} MAKEINFO=true
make MAKEINFO=true install
for f in ${dir}/binutils/bin/*; do aarch64-linux-gnu-strip --strip-unneeded "$f"; done
`;
});
report(attr, xpkgsBuild(attr), hand, 1.1);
