// The build mechanism as a recipe meets it (issue 13): what a build sees (only its declared
// tools, only its inputs' .pc files), who it runs as, the build machine's compiler, the
// configure cache, and the early refusals: a host tool that is not installed, a source with
// no build system. Probe derivations from an overlay, in the aarch64 static set.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCli, runCliAsync } from "../cli/testing.js";
import { examplePlatform } from "../systems/named.js";

const overlay = `
const probe = (stdenv: any, name: string, extra: any) =>
  stdenv.mkDerivation({ pname: name, version: "1", dontUnpack: true, dontCheckElf: true, ...extra });
const runsBuilt = (pkgs: any, name: string, emulateHostPrograms: boolean) => probe(pkgs.stdenv, name, {
  emulateHostPrograms,
  dontConfigure: true,
  buildPhase: [
    "printf '#include <stdio.h>\\\\nint main(void){puts(\\"ran on the host platform\\");return 0;}\\\\n' > p.c",
    "$CC -o p p.c",
    "mkdir -p $out && ./p > $out/said && echo $QEMU_CPU > $out/cpu",
  ].join("\\n"),
  installPhase: "true",
});
// Each package is a recipe (a function of the set), so that it may name the others.
export default (final: any, prev: any) => ({
  // A library that only brings a .pc file, with a private dependency.
  foo: (pkgs: any) => probe(pkgs.stdenv, "foo", {
    dontConfigure: true,
    buildPhase: "true",
    installPhase: [
      "mkdir -p $out/lib/pkgconfig",
      "printf 'Name: foo\\\\nDescription: probe\\\\nVersion: 1\\\\nLibs: -L/x -lfoo\\\\nLibs.private: -lm\\\\n' > $out/lib/pkgconfig/foo.pc",
    ].join("\\n"),
  }),
  sees: (pkgs: any) => probe(pkgs.stdenv, "sees", {
    nativeBuildInputs: [pkgs["pkg-config"]],
    buildInputs: [pkgs.foo],
    configureCacheVars: { xpkgs_cv_probe: "from-the-recipe" },
    dontConfigure: true,
    buildPhase: [
      "mkdir -p $out",
      "echo $PKG_CONFIG > $out/pkg-config-name",
      "$PKG_CONFIG --libs foo > $out/foo-libs",
      "if $PKG_CONFIG --exists expat; then echo leaked; else echo isolated; fi > $out/host-pc",
      "for t in bison arm-linux-gnueabihf-gcc gcc which; do command -v $t || echo \\"$t: none\\"; done > $out/tools",
      "id -u > $out/uid",
      "cp $CONFIG_SITE $out/config.site",
      "printf '#include <stdio.h>\\\\nint main(void){puts(\\"#define GENERATED 42\\");return 0;}\\\\n' > gen.c",
      "$CC_FOR_BUILD -o gen gen.c && ./gen > $out/generated.h",
    ].join("\\n"),
    installPhase: "true",
  }),
  needsMissing: (pkgs: any) => probe(pkgs.stdenv, "needs-missing", {
    env: { requiredDebianPackages: "xpkgs-no-such-package=1.0" },
    buildPhase: "mkdir $out",
    installPhase: "true",
  }),
  // A CMake project made on the spot: a static library (CMAKE_AR by absolute path), and a
  // flag that a hook adds to cmakeFlags before the configure phase reads it.
  cmakeProbe: (pkgs: any) => probe(pkgs.stdenv, "cmake-probe", {
    nativeBuildInputs: [pkgs.cmake],
    preConfigure: [
      "mkdir -p src && cd src",
      "printf 'int probe(void) { return 42; }\\n' > probe.c",
      "printf 'cmake_minimum_required(VERSION 3.10)\\nproject(probe C)\\nmessage(STATUS \\"XPKGS_FLAG=\${XPKGS_FLAG}\\")\\nadd_library(probe STATIC probe.c)\\ninstall(TARGETS probe)\\n' > CMakeLists.txt",
      'cmakeFlags="$cmakeFlags -DXPKGS_FLAG=from-a-hook"',
    ].join("\\n"),
  }),
  // A tarball's config.sub that knows no musl triple: replaced before configure runs.
  configSub: (pkgs: any) => probe(pkgs.stdenv, "config-sub", {
    preConfigure: [
      "mkdir -p t && cd t",
      "printf '#!/bin/sh\\\\necho old-config-sub >&2\\\\nexit 1\\\\n' > config.sub",
      "printf '#!/bin/sh\\\\nmkdir -p $out && ./config.sub aarch64-unknown-linux-musl > $out/canonical\\\\n' > configure",
      "chmod +x config.sub configure",
    ].join("\\n"),
    dontBuild: true,
    dontInstall: true,
  }),
  // A plain Makefile that names gcc itself (as compiler and as linker) and installs to /sbin:
  // make gets the platform's tools and the output's directories on its command line.
  plainMake: (pkgs: any) => probe(pkgs.stdenv, "plain-make", {
    dontCheckElf: false,
    preConfigure: [
      "mkdir -p t && cd t",
      "printf 'int main(void) { return 0; }\\\\n' > p.c",
      "printf 'CC = gcc\\\\nLD = gcc\\\\nsbindir = /sbin\\\\nall: p\\\\np: p.o\\\\n\\\\t$(LD) -o p p.o\\\\ninstall:\\\\n\\\\tinstall -D p $(sbindir)/p\\\\n' > Makefile",
    ].join("\\n"),
  }),
  // A hand-written configure that takes the compiler only as an argument (GNU ed's kind).
  handConfigure: (pkgs: any) => probe(pkgs.stdenv, "hand-configure", {
    preConfigure: [
      "mkdir -p t && cd t",
      "printf '#!/bin/sh\\\\nCC=gcc\\\\nfor a; do\\\\n  case $a in\\\\n  CC=*) CC=\${a#CC=} ;;\\\\n  esac\\\\ndone\\\\nmkdir -p $out && echo $CC > $out/cc\\\\n' > configure",
      "chmod +x configure",
    ].join("\\n"),
    dontBuild: true,
    dontInstall: true,
  }),
  // A build that runs what it has just built (a generator, help2man on the new program):
  // with emulateHostPrograms the host platform's programs run under qemu; without, they do not.
  runsBuilt: (pkgs: any) => runsBuilt(pkgs, "runs-built", true),
  runsBuiltUnasked: (pkgs: any) => runsBuilt(pkgs, "runs-built-unasked", false),
  acOnly: (pkgs: any) => probe(pkgs.stdenv, "ac-only", { preConfigure: "mkdir t && cd t && touch configure.ac" }),
  nothing: (pkgs: any) => probe(pkgs.stdenv, "nothing", { preConfigure: "mkdir t && cd t" }),
});
`;

const set = "pkgsCross.aarch64-multiplatform.pkgsStatic";

describe("the build mechanism", () => {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-mechanism-"));
  const file = join(root, "probes.ts");
  writeFileSync(file, overlay);
  const env = e2eStoreEnv(root);

  it("shows a build only its declared tools and its inputs' .pc files, as an unprivileged user", async () => {
    const r = await runCliAsync(["-f", file, "build", "-o", "sees", `${set}.sees`], env, root);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const out = (f: string) => readFileSync(join(root, "sees", f), "utf8");
    assert.equal(out("pkg-config-name"), "aarch64-unknown-linux-musl-pkg-config\n");
    // --static in a static set: Libs.private reach the link.
    assert.equal(out("foo-libs").trim(), "-L/x -lfoo -lm");
    // This machine's pkg-config finds expat.pc; the build's does not.
    execFileSync("pkg-config", ["--exists", "expat"]);
    assert.equal(out("host-pc"), "isolated\n");
    // Installed here, but not declared: not found. The build machine's compiler is the wrapper.
    const tools = out("tools");
    assert.match(tools, /^bison: none$/m);
    assert.match(tools, /^arm-linux-gnueabihf-gcc: none$/m);
    assert.match(tools, /\/store\/[0-9a-z]{32}-gcc-wrapper-[^/]+\/bin\/gcc$/m);
    // A base tool under its Debian alternative's name.
    assert.match(tools, /\/store\/[0-9a-z]{32}-xpkgs-base-tools\/bin\/which$/m);
    assert.ok(existsSync("/usr/bin/bison") && existsSync("/usr/bin/arm-linux-gnueabihf-gcc"));
    assert.equal(out("uid"), "1000\n");
    // The platform's answers, then the recipe's; the generator ran on the build machine.
    assert.match(
      out("config.site"),
      /^ac_cv_func_malloc_0_nonnull=\$\{ac_cv_func_malloc_0_nonnull='yes'\}$/m,
    );
    assert.match(out("config.site"), /^xpkgs_cv_probe='from-the-recipe'$/m);
    assert.equal(out("generated.h"), "#define GENERATED 42\n");
  });

  it("builds a static library with CMake, reading cmakeFlags after the hooks", async () => {
    const r = await runCliAsync(
      ["-f", file, "build", "-o", "cmake", `${set}.cmakeProbe`],
      env,
      root,
    );
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    assert.ok(existsSync(join(root, "cmake", "lib", "libprobe.a")));
    const log = runCli(["-f", file, "log", `${set}.cmakeProbe`], env).stdout;
    assert.match(log, /-- XPKGS_FLAG=from-a-hook/);
    assert.match(log, /set\(CMAKE_SYSTEM_PROCESSOR aarch64\)/);
  });

  it("replaces a config.sub that does not know the host triple", async () => {
    const r = await runCliAsync(["-f", file, "build", "-o", "csub", `${set}.configSub`], env, root);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    assert.equal(
      readFileSync(join(root, "csub", "canonical"), "utf8"),
      "aarch64-unknown-linux-musl\n",
    );
    const log = runCli(["-f", file, "log", `${set}.configSub`], env).stdout;
    assert.match(
      log,
      /replacing \.\/config\.sub, which does not know aarch64-unknown-linux-musl, with \/usr\/share\/misc\/config\.sub/,
    );
  });

  it("gives a plain Makefile the platform's compiler and the output's folders", async () => {
    const r = await runCliAsync(
      ["-f", file, "build", "-o", "plain", `${set}.plainMake`],
      env,
      root,
    );
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    // The output check passed (ARM aarch64, static); e_machine says so too.
    const elf = readFileSync(join(root, "plain", "sbin", "p"));
    assert.equal(elf.readUInt16LE(18), 183);
    const h = await runCliAsync(
      ["-f", file, "build", "-o", "hand", `${set}.handConfigure`],
      env,
      root,
    );
    assert.equal(h.status, 0, h.stderr.slice(-3000));
    assert.equal(
      readFileSync(join(root, "hand", "cc"), "utf8"),
      "aarch64-unknown-linux-musl-gcc\n",
    );
  });

  it("runs the programs a build has built under qemu, on the platform's CPU, when the recipe asks", async () => {
    for (const [attr, platform] of [
      [`${set}.runsBuilt`, "aarch64-multiplatform"],
      ["pkgsCross.riscv64.runsBuilt", "riscv64"],
    ] as const) {
      const out = `ran-${platform}`;
      const r = await runCliAsync(["-f", file, "build", "-o", out, attr], env, root);
      assert.equal(r.status, 0, r.stderr.slice(-3000));
      assert.equal(readFileSync(join(root, out, "said"), "utf8"), "ran on the host platform\n");
      assert.equal(
        readFileSync(join(root, out, "cpu"), "utf8"),
        `${examplePlatform(platform).qemuCpu}\n`,
      );
      // Only this machine's sandbox registers the rule: a remote Nix builder lacks the feature.
      const shown = JSON.parse(
        (await runCliAsync(["-f", file, "show", "--json", attr], env, root)).stdout,
      );
      assert.match(
        readFileSync(shown.drvPath, "utf8"),
        /"requiredSystemFeatures","[^"]*xpkgs-binfmt/,
      );
    }
    const u = await runCliAsync(["-f", file, "build", `${set}.runsBuiltUnasked`], env, root);
    assert.notEqual(u.status, 0);
    assert.match(u.stderr, /Exec format error|cannot execute binary file/);
  });

  it("stops before anything builds when a host package is not installed, naming the apt line", async () => {
    const before = new Set(readdirSync(env.XPKGS_STORE_DIR!));
    const r = await runCliAsync(
      ["-f", file, "build", "--no-out-link", `${set}.needsMissing`],
      env,
      root,
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /does not have: xpkgs-no-such-package\. Install them first \(as root\): apt-get install xpkgs-no-such-package/,
    );
    assert.match(r.stderr, /Nothing was built\./);
    assert.doesNotMatch(r.stderr, /^building /m);
    const made = readdirSync(env.XPKGS_STORE_DIR!).filter(
      (e) => !before.has(e) && !e.endsWith(".drv") && !e.endsWith(".sh"),
    );
    assert.deepEqual(made, []);
  });

  it("fails at once on a source without a usable build system, naming what it looked for", async () => {
    const ac = await runCliAsync(
      ["-f", file, "build", "--no-out-link", `${set}.acOnly`],
      env,
      root,
    );
    assert.equal(ac.status, 1);
    assert.match(
      ac.stderr,
      /has configure\.ac but no configure script; add autoreconfHook to nativeBuildInputs/,
    );
    const none = await runCliAsync(
      ["-f", file, "build", "--no-out-link", `${set}.nothing`],
      env,
      root,
    );
    assert.equal(none.status, 1);
    assert.match(
      none.stderr,
      /no build system found in \/build\/t: looked for \.\/configure, configure\.ac, CMakeLists\.txt, meson\.build and a Makefile/,
    );
  });
});
