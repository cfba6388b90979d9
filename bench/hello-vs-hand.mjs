#!/usr/bin/env node
// pkgsCross.aarch64-multiplatform.pkgsStatic.hello on a fresh store (sources
// cached) against the same steps run by hand as one shell script: musl
// configure/make/install, then hello configure/make/install with the same
// flags, -j2 as xpkgs uses on this machine. Needs `npm run build` first.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const cache = mkdtempSync(join(tmpdir(), "xpkgs-bench-cache-"));
const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.hello";
const jobs = availableParallelism();

function xpkgsBuild(storeRoot) {
  const env = { ...process.env, XPKGS_STORE_DIR: join(storeRoot, "store"), XPKGS_CACHE_DIR: cache };
  const start = Date.now();
  const r = spawnSync(process.execPath, [cli, "build", "--no-out-link", "-q", attr], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return { seconds: (Date.now() - start) / 1000, out: r.stdout.trim() };
}

// Warm the download cache, so neither run downloads.
xpkgsBuild(mkdtempSync(join(tmpdir(), "xpkgs-bench-warm-")));

const hand = mkdtempSync(join(tmpdir(), "xpkgs-bench-hand-"));
const script = `set -eu
cd ${hand}
export LC_ALL=C SOURCE_DATE_EPOCH=1
tar --no-same-owner -xf ${cache}/downloads/sha256-7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4
cd musl-1.2.3
CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar RANLIB=aarch64-linux-gnu-ranlib \\
  ./configure --prefix=${hand}/musl --target=aarch64-unknown-linux-musl --enable-shared --enable-static \\
  --disable-wrapper --syslibdir=${hand}/musl/lib
make -j${jobs}
make install
cd ..
cat > musl/lib/musl-gcc.specs <<SPECS
%rename cpp_options old_cpp_options
*cpp_options:
-nostdinc -isystem ${hand}/musl/include -isystem include%s %(old_cpp_options)
*cc1:
%(cc1_cpu) -nostdinc -isystem ${hand}/musl/include -isystem include%s
*link_libgcc:
-L${hand}/musl/lib -L .%s
*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)
*startfile:
%{!shared: ${hand}/musl/lib/Scrt1.o} ${hand}/musl/lib/crti.o crtbeginS.o%s
*endfile:
crtendS.o%s ${hand}/musl/lib/crtn.o
*link:
-dynamic-linker ${hand}/musl/lib/ld-musl-aarch64.so.1 -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}
SPECS
tar --no-same-owner -xf ${cache}/downloads/sha256-31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b
cd hello-2.10
CC="aarch64-linux-gnu-gcc -specs=${hand}/musl/lib/musl-gcc.specs" LDFLAGS=-static \\
  ./configure --prefix=${hand}/hello --build=x86_64-unknown-linux-gnu --host=aarch64-unknown-linux-musl \\
  --enable-static --disable-shared --disable-nls
make -j${jobs}
make install
aarch64-linux-gnu-strip --strip-unneeded ${hand}/hello/bin/hello
`;
writeFileSync(join(hand, "build.sh"), script);
const start = Date.now();
execFileSync("bash", [join(hand, "build.sh")], { stdio: "ignore" });
const handSeconds = (Date.now() - start) / 1000;
const ours = xpkgsBuild(mkdtempSync(join(tmpdir(), "xpkgs-bench-fresh-")));
console.log(`| ${attr}, fresh store, sources cached | xpkgs | ${ours.seconds.toFixed(1)} s |`);
console.log(`| the same steps as a shell script | by hand | ${handSeconds.toFixed(1)} s |`);
console.log(`| ratio | | ${(ours.seconds / handSeconds).toFixed(2)} × (target ≤ 1.15 ×) |`);
