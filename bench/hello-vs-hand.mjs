#!/usr/bin/env node
// pkgsCross.aarch64-multiplatform.pkgsStatic.hello on a fresh store (sources
// cached) against the same steps run by hand as one shell script: musl
// configure/make/install, then hello configure/make/install with the same
// flags, -j as xpkgs uses on this machine. Needs `npm run build` first.
import { handBuild, jobs, musl, report, tarball, warmCache, xpkgsBuild } from "./hand.mjs";

const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.hello";
const hello = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";
warmCache(attr, [musl, hello]);
const hand = handBuild(
  (dir) => `tar --no-same-owner -xf ${tarball(hello)}
cd hello-2.10
CC="aarch64-linux-gnu-gcc -specs=${dir}/musl/lib/musl-gcc.specs" LDFLAGS=-static \\
  ./configure --prefix=${dir}/hello --build=x86_64-unknown-linux-gnu --host=aarch64-unknown-linux-musl \\
  --enable-static --disable-shared --disable-nls
make -j${jobs}
make install
aarch64-linux-gnu-strip --strip-unneeded ${dir}/hello/bin/hello
`,
);
report(attr, xpkgsBuild(attr), hand, 1.15);
