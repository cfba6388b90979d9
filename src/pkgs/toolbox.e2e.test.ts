// The edge toolbox (issues 13 and 14) in CI: for pkgsCross.aarch64-multiplatform.pkgsStatic,
// every C++ package and what it links, each smoke-tested under qemu with a Cortex-A53's
// model; each build-system mechanism on a real package for riscv64 (static), with the
// evidence in its build log; then C++ on a 32-bit ARM and a big-endian target. Every
// package's aarch64 static cell, and every other target's, is in the matrix, which runs
// outside CI (docs/matrix.md).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import { describePath } from "../elf/describe.js";
import { parseElf } from "../elf/parse.js";
import { formatHeader } from "../elf/readelf.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCli, runCliAsync } from "../cli/testing.js";
import { buildMachinePlatform } from "../systems/elaborate.js";
import { recipes } from "./by-name/index.js";
import { judgeCell } from "./collection.js";
import { PackageUniverse } from "./top-level.js";

const aarch64 = "pkgsCross.aarch64-multiplatform.pkgsStatic";
const riscv64 = "pkgsCross.riscv64.pkgsStatic";

/**
 * The packages CI builds for aarch64 static: the C++ ones, with what they link. The riscv64
 * test below carries each C build system; every package's aarch64 static cell (and every
 * target's) is in the matrix, which runs outside CI.
 */
const ciToolbox = [
  // spdlog (and fmt), whose own suite runs in its build, is in the matrix: CI's time.
  ...["cxx-probe", "ninja", "binutils-unwrapped", "gdb", "gdbserver"],
  ...["gmp", "mpfr", "expat", "readline", "ncurses", "zlib", "hello"],
];

describe("the edge toolbox", () => {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-toolbox-"));
  const env = e2eStoreEnv(root);
  /** Builds the cells with keep-going and asserts that each one built and ran. */
  const buildAndJudge = async (attrs: string[]) => {
    const r = await runCliAsync(["build", "-k", "-j", "2", "--no-out-link", ...attrs], env, root);
    const u = new PackageUniverse(buildMachinePlatform(), env.XPKGS_STORE_DIR!);
    const failures = attrs
      .map((a) => ({ a, v: judgeCell(u.resolve(a)) }))
      .filter(({ v }) => !v.ok)
      .map(({ a, v }) => `${a}: ${v.text}`);
    assert.deepEqual(failures, [], r.stderr.slice(-4000));
    assert.equal(r.status, 0);
  };

  it("builds the C++ packages for aarch64 static, and each one's smoke test passes under qemu", async () => {
    const unknown = ciToolbox.filter((p) => !(p in recipes));
    assert.deepEqual(unknown, []);
    const attrs = [...ciToolbox].sort().map((p) => `${aarch64}.${p}`);
    await buildAndJudge(attrs);
    // The ELF toolkit on what xpkgs built: the same words as file(1), the same header as readelf.
    const u = new PackageUniverse(buildMachinePlatform(), env.XPKGS_STORE_DIR!);
    for (const a of attrs) {
      const pkg = u.resolve(a);
      if (pkg.meta.mainProgram === undefined) continue;
      const bin = realpathSync(join(pkg.out, "bin", pkg.meta.mainProgram));
      assert.equal(
        describePath(bin),
        execFileSync("file", ["-b", bin], { encoding: "utf8" }).trim(),
        a,
      );
      assert.equal(
        formatHeader(parseElf(readFileSync(bin))),
        execFileSync("readelf", ["-h", bin], { encoding: "utf8" }),
        a,
      );
    }
  });

  it("carries each build system's mechanism to riscv64 on a real package", async () => {
    const names = ["zstd", "pkgconf", "jq", "tmux", "strace", "nano"];
    await buildAndJudge(names.map((n) => `${riscv64}.${n}`));
    const log = (n: string) => runCli(["log", `${riscv64}.${n}`], env).stdout;
    // cmake: the toolchain file names the target and binutils by absolute path.
    assert.match(log("zstd"), /set\(CMAKE_SYSTEM_PROCESSOR riscv64\)/);
    assert.match(
      log("zstd"),
      /set\(CMAKE_AR "\/[^"]+\/riscv64-unknown-linux-musl-ar" CACHE FILEPATH ""\)/,
    );
    assert.match(log("zstd"), /set\(CMAKE_CROSSCOMPILING_EMULATOR "qemu-riscv64-static;-cpu;/);
    // meson: the cross file, with qemu as the exe_wrapper.
    assert.match(log("pkgconf"), /cpu_family = 'riscv64'/);
    assert.match(log("pkgconf"), /exe_wrapper = \['qemu-riscv64-static', '-cpu'/);
    // autoreconf: jq's tarball has no configure.
    assert.match(log("jq"), /^autoreconf --install --force --verbose$/m);
    // pkg-config: tmux finds libevent through the prefixed pkg-config, and compiles with its
    // answer (the -I of the riscv64 libevent, from libevent_core.pc).
    assert.match(log("tmux"), /checking pkg-config is at least version 0\.9\.0\.\.\. yes/);
    assert.match(log("tmux"), /checking for libevent_core >= 2\.\.\. yes/);
    assert.match(log("tmux"), /-I\S+-libevent-static-riscv64-unknown-linux-musl-2\.1\.12\/include/);
    // The configure cache: the platform's answers, as the configure scripts read them.
    assert.match(log("nano"), /loading site script \/build\/config\.site/);
    assert.match(log("nano"), /checking whether byte ordering is bigendian\.\.\. \(cached\) no/);
    assert.match(log("nano"), /checking whether memchr works\.\.\. \(cached\) yes/);
    // The build machine's compiler: strace builds ioctlsort with it and runs it.
    assert.match(log("strace"), /^gcc .* -o ioctlsort0$/m);
    assert.match(log("strace"), /^\.\/ioctlsort0 > ioctlent0\.h$/m);
  });

  it("links with the aarch64 ld.gold, and ran ninja's own test suite under qemu", () => {
    const u = new PackageUniverse(buildMachinePlatform(), env.XPKGS_STORE_DIR!);
    const binutils = u.resolve(`${aarch64}.binutils-unwrapped`);
    const qemu = ["qemu-aarch64-static", "-cpu", "cortex-a53"];
    const gold = join(binutils.out, "bin", "ld.gold");
    assert.match(
      execFileSync(qemu[0]!, [...qemu.slice(1), gold, "--version"], { encoding: "utf8" }),
      /^GNU gold \(GNU Binutils 2\.40\) 1\.16/,
    );
    // gcc runs the linker it finds as ld.gold in a -B directory: ours, under qemu.
    const dir = join(root, "gold");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "ld.gold"), `#!/bin/sh\nexec ${qemu.join(" ")} ${gold} "$@"\n`);
    chmodSync(join(dir, "ld.gold"), 0o755);
    writeFileSync(
      join(dir, "hello.c"),
      '#include <stdio.h>\nint main(void) { puts("linked by gold"); return 0; }\n',
    );
    const cc = join(
      u.resolve(`${aarch64}.hello`).drv.env.xpkgsToolPath!.split(" ")[1]!,
      "bin",
      "aarch64-unknown-linux-musl-gcc",
    );
    execFileSync(
      cc,
      [
        `-B${dir}/`,
        "-fuse-ld=gold",
        // A static gold has no plugin support (no dlopen): gcc must not hand it the LTO plugin.
        "-fno-use-linker-plugin",
        join(dir, "hello.c"),
        "-o",
        join(dir, "hello"),
      ],
      { encoding: "utf8" },
    );
    assert.equal(
      execFileSync(qemu[0]!, [...qemu.slice(1), join(dir, "hello")], { encoding: "utf8" }),
      "linked by gold\n",
    );
    assert.match(readFileSync(join(dir, "hello"), "latin1"), /gold 1\.16/);
    // ninja_test (382 tests of ninja's own framework), run by ctest under the emulator.
    const ninjaLog = runCli(["log", `${aarch64}.ninja`], env).stdout;
    assert.match(
      ninjaLog,
      /set\(CMAKE_CROSSCOMPILING_EMULATOR "qemu-aarch64-static;-cpu;cortex-a53"\)/,
    );
    assert.match(ninjaLog, /Test +#1: NinjaTest \.+ +Passed/);
    assert.match(ninjaLog, /100% tests passed, 0 tests failed out of 1/);
    // libstdc++ for musl: threads found, and musl's models.
    const lib = runCli(["log", `${aarch64}.libstdcxx`], env).stdout;
    assert.match(lib, /^checking for gthreads library\.\.\. yes$/m);
    assert.match(lib, /^OS_INC_SRCDIR='config\/os\/generic'$/m);
    // Its configure's link tests saw musl, not Debian's glibc libstdc++ (the bootstrap g++).
    assert.match(lib, /^checking for atomic builtins for int\.\.\. yes$/m);
    assert.match(lib, /^checking for __cxa_thread_atexit_impl\.\.\. no$/m);
  });

  it("runs the C++ test program on a 32-bit ARM, a big-endian s390x and dynamic musl, each on its CPU (xpkgs matrix)", async () => {
    const json = join(root, "cxx-matrix.json");
    const targets = ["armv7l-hf-multiplatform", "s390x", "aarch64-multiplatform-musl"];
    const r = await runCliAsync(
      ["matrix", "-q", "--packages", "cxx-probe", "--targets", targets.join(","), "--json", json],
      env,
      root,
    );
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    const file = JSON.parse(readFileSync(json, "utf8")) as {
      cells: {
        target: string;
        linkage: string;
        status: string;
        triple: string;
        emptyRoot?: { ok: boolean; command: string[] };
      }[];
    };
    // Static: musl's libstdc++ of the platform, run again in an empty root; dynamic: musl's
    // on aarch64-multiplatform-musl, Debian's glibc libstdc++ on the others.
    assert.deepEqual(
      file.cells.map((c) => `${c.target} ${c.linkage} ${c.triple}: ${c.status}`).sort(),
      [
        "aarch64-multiplatform-musl dynamic aarch64-unknown-linux-musl: ran",
        "aarch64-multiplatform-musl static aarch64-unknown-linux-musl: ran",
        "armv7l-hf-multiplatform dynamic armv7l-unknown-linux-gnueabihf: ran",
        "armv7l-hf-multiplatform static armv7l-unknown-linux-musleabihf: ran",
        "s390x dynamic s390x-unknown-linux-gnu: ran",
        "s390x static s390x-unknown-linux-musl: ran",
      ],
    );
    for (const c of file.cells.filter((c) => c.linkage === "static")) {
      assert.equal(c.emptyRoot?.ok, true, `${c.target}: ${JSON.stringify(c.emptyRoot)}`);
      assert.ok(c.emptyRoot!.command.includes("-cpu"), c.emptyRoot!.command.join(" "));
    }
  });
});
