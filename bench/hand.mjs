// Shared by the "xpkgs against a hand-run script" benchmarks: the xpkgs
// build on a fresh store, the download cache both sides read, and the hand
// script's musl steps (configure/make/install plus a gcc specs file, as
// xpkgs' musl does).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, homedir, tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
export const jobs = availableParallelism();
export const cache =
  process.env.XPKGS_CACHE_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "xpkgs");
export const tarball = (sha256) => join(cache, "downloads", `sha256-${sha256}`);
export const musl = "7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4";

/** Builds `attr` on a fresh store under `storeRoot`; its wall time in seconds. */
export function xpkgsBuild(attr, storeRoot = mkdtempSync(join(tmpdir(), "xpkgs-bench-fresh-"))) {
  const env = { ...process.env, XPKGS_STORE_DIR: join(storeRoot, "store"), XPKGS_CACHE_DIR: cache };
  const start = Date.now();
  const r = spawnSync(process.execPath, [cli, "build", "--no-out-link", "-q", attr], {
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return (Date.now() - start) / 1000;
}

/** Builds `attr` once unless every source it needs is in the download cache already. */
export function warmCache(attr, sources) {
  if (sources.every((s) => existsSync(tarball(s)))) return;
  xpkgsBuild(attr, mkdtempSync(join(tmpdir(), "xpkgs-bench-warm-")));
}

/** Shell steps that build musl for aarch64 into `${hand}/musl`, with its specs file. */
export function handMusl(hand) {
  return `tar --no-same-owner -xf ${tarball(musl)}
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
`;
}

/** Runs `body` (shell) in a fresh directory after the musl steps; its wall time in seconds. */
export function handBuild(body) {
  const hand = mkdtempSync(join(tmpdir(), "xpkgs-bench-hand-"));
  const script = `set -eu\ncd ${hand}\nexport LC_ALL=C SOURCE_DATE_EPOCH=1\n${handMusl(hand)}${body(hand)}`;
  writeFileSync(join(hand, "build.sh"), script);
  const start = Date.now();
  execFileSync("bash", [join(hand, "build.sh")], { stdio: "ignore" });
  return (Date.now() - start) / 1000;
}

export function report(attr, ours, hand, target) {
  console.log(`| ${attr}, fresh store, sources cached | xpkgs | ${ours.toFixed(1)} s |`);
  console.log(`| the same steps as a shell script | by hand | ${hand.toFixed(1)} s |`);
  console.log(`| ratio | | ${(ours / hand).toFixed(2)} × (target ≤ ${target.toFixed(2)} ×) |`);
}
