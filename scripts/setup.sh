#!/usr/bin/env bash
# Sets up xpkgs on a fresh Debian machine: the Debian packages it and its
# tests use, the npm dependencies, the build, and the `xpkgs` command on PATH.
# Safe to run again. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

# bubblewrap: the build sandbox.
# nix-bin: the oracle the store-path tests compare against (it runs offline).
# qemu-user-static: runs foreign binaries; `xpkgs platforms` reports it.
# gcc, make, xz-utils, bzip2: host compiler and tools for native builds.
# The cross compilers (and their C libraries) of the targets the tests build, with g++ for
# each (C++ on every target: docs/cxx.md); `xpkgs doctor --install
# TARGET` adds others.
# file, binutils, patchelf: the ELF toolkit's tests compare ours with these; autoconf and
# automake: patchelf's own test suite, which runs against xpkgs patchelf, is a git snapshot.
# libc6-*-cross without compilers: big-endian and 32-bit ELF files for that corpus.
# The C cross compilers of armel, mips, powerpc and m68k: unit tests compute derivations
# there (libatomic, musl's m68k headers), and a derivation names its compiler's identity.
# The base tools every build sees (src/pkgs/host-tools.ts: patch, hostname, autotools-dev's
# config.sub…), and the host tools the collection's recipes declare (cmake, meson, bison…).
# openssh-client: `xpkgs copy`; openssh-server and iproute2: its tests run sshd in a
# network namespace of their own. chromium: the matrix test opens its HTML page headless.
# python3-swift and memcached: the binary-cache test runs a real S3 server (OpenStack Swift
# with s3api) on loopback; zstd: NARs compressed as Nix's compression=zstd.
apt_packages=(bubblewrap nix-bin qemu-user-static gcc g++ libc6-dev make xz-utils bzip2 zstd unzip file
  binutils patchelf autoconf automake patch hostname debianutils util-linux autotools-dev
  cmake meson ninja-build pkgconf bison flex m4 gperf tcl libtool libtool-bin autopoint gettext perl python3
  openssh-client openssh-server iproute2 chromium python3-swift memcached gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
  libc6-dev-arm64-cross gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf libc6-dev-armhf-cross
  gcc-riscv64-linux-gnu g++-riscv64-linux-gnu libc6-dev-riscv64-cross gcc-s390x-linux-gnu g++-s390x-linux-gnu
  libc6-dev-s390x-cross libc6-s390x-cross libc6-mips-cross libc6-powerpc-cross libc6-ppc64el-cross
  gcc-arm-linux-gnueabi libc6-dev-armel-cross gcc-mips-linux-gnu libc6-dev-mips-cross
  gcc-powerpc-linux-gnu libc6-dev-powerpc-cross gcc-m68k-linux-gnu libc6-dev-m68k-cross)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
# Put `xpkgs` on PATH (a symlink to this checkout's dist/bin/xpkgs, the launcher that
# scripts/bundle.mjs makes).
npm link --no-audit --no-fund --loglevel=error >/dev/null
echo "setup: done; try 'xpkgs --help'" >&2
