#!/usr/bin/env node
// The cold C++ toolchain of a new target: pkgsCross.aarch64-multiplatform.pkgsStatic.libstdcxx
// (kernel headers, musl, libstdc++ from gcc's source) on a fresh store with the sources
// cached, against the same steps run by hand as one shell script: musl, then libstdc++'s
// configure, make and install with the same flags and -j. Also the size of a static C++
// hello (stripped) beside the glibc dynamic one. Needs `npm run build` first.
import { execFileSync } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handBuild, jobs, musl, report, tarball, warmCache, xpkgsBuild } from "./hand.mjs";

const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.libstdcxx";
const gcc = "b8298be16aeeb96a889c6afed0a8e2241b47452e89cc81fe65ea849d5c740fcb";
warmCache(attr, [musl, gcc]);
const storeRoot = mkdtempSync(join(tmpdir(), "xpkgs-bench-cxx-"));
const ours = xpkgsBuild(attr, storeRoot);
const members = [
  "config-ml.in config.guess config.rpath config.sub compile depcomp install-sh ltmain.sh missing",
  "mkinstalldirs move-if-change libtool.m4 ltoptions.m4 ltsugar.m4 ltversion.m4 lt~obsolete.m4",
  "gcc/BASE-VER gcc/DATESTAMP config include libgcc libiberty libstdc++-v3",
]
  .join(" ")
  .split(" ")
  .map((m) => `gcc-12.2.0/${m}`)
  .join(" ");
const hand = handBuild((dir) => {
  const cc = `aarch64-linux-gnu-gcc -mno-outline-atomics -specs=${dir}/musl/lib/musl-gcc.specs`;
  return `tar --no-same-owner -xzOf ${tarball(gcc)} gcc-12-12.2.0/gcc-12.2.0-dfsg.tar.xz |
  tar --no-same-owner -xJf - --exclude='gcc-12.2.0/libstdc++-v3/testsuite/*/*' ${members}
cp gcc-12.2.0/libgcc/gthr-posix.h gcc-12.2.0/libgcc/gthr-default.h
mkdir -p empty build && printf '!<arch>\\n' >empty/libstdc++.a
cd build
CC="${cc}" CXX="${cc.replace("gcc ", "g++ ")} -L${dir}/empty" CFLAGS=-O2 CXXFLAGS=-O2 \\
  AR=aarch64-linux-gnu-ar RANLIB=aarch64-linux-gnu-ranlib \\
  ../gcc-12.2.0/libstdc++-v3/configure --build=x86_64-unknown-linux-gnu --host=aarch64-unknown-linux-musl \\
  --prefix=${dir}/libstdcxx --disable-shared --enable-static --with-pic --disable-libstdcxx-pch \\
  --disable-multilib --disable-nls --with-gcc-major-version-only >/dev/null
make -j${jobs} >/dev/null
make install >/dev/null
`;
});
report(attr, ours, hand, 1.15);
console.log(
  `| cold C++ toolchain for a new target, wall time | xpkgs | ${ours.toFixed(1)} s (target ≤ 180 s) |`,
);

// Sizes: a static musl C++ hello, stripped, and Debian's glibc dynamic one.
const dir = mkdtempSync(join(tmpdir(), "xpkgs-bench-cxx-hello-"));
writeFileSync(
  join(dir, "hello.cc"),
  '#include <iostream>\nint main() { std::cout << "hello" << std::endl; }\n',
);
const env = { ...process.env, XPKGS_STORE_DIR: join(storeRoot, "store") };
const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const lib = execFileSync(process.execPath, [cli, "build", "--no-out-link", "-q", attr], {
  env,
  encoding: "utf8",
}).trim();
const specs = execFileSync(
  "sh",
  [
    "-c",
    `ls -d ${join(storeRoot, "store")}/*-musl-aarch64-unknown-linux-musl-1.2.3/lib/musl-gcc.specs`,
  ],
  { encoding: "utf8" },
).trim();
execFileSync("aarch64-linux-gnu-g++", [
  "-O2",
  "-mno-outline-atomics",
  `-specs=${specs}`,
  "-isystem",
  `${lib}/include/c++/12`,
  "-isystem",
  `${lib}/include/c++/12/aarch64-unknown-linux-musl`,
  `-L${lib}/lib`,
  "-static",
  join(dir, "hello.cc"),
  `${lib}/lib/xpkgs-dl-find-object.o`,
  "-o",
  join(dir, "static"),
  "-s",
]);
execFileSync("aarch64-linux-gnu-g++", [
  "-O2",
  join(dir, "hello.cc"),
  "-o",
  join(dir, "dynamic"),
  "-s",
]);
const kb = (f) => (statSync(join(dir, f)).size / 1024).toFixed(0);
console.log(`| C++ hello (iostream), stripped: static musl | ${kb("static")} KiB |`);
const libstdcxxSo = execFileSync("readlink", ["-f", "/usr/aarch64-linux-gnu/lib/libstdc++.so.6"], {
  encoding: "utf8",
}).trim();
const soKiB = (statSync(libstdcxxSo).size / 1024).toFixed(0);
console.log(
  `| C++ hello (iostream), stripped: glibc dynamic | ${kb("dynamic")} KiB, with libstdc++.so.6 (${soKiB} KiB) and glibc on the device |`,
);
