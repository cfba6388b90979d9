// The edge toolbox (issue 13): every package of the collection built for
// pkgsCross.aarch64-multiplatform.pkgsStatic and its smoke test run under qemu with a
// Cortex-A53's model; then each build-system mechanism on a real package for another
// target (riscv64, static), with the evidence in its build log.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
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

  it("builds every package for aarch64 static, and each one's smoke test passes under qemu", async () => {
    const attrs = Object.keys(recipes)
      .sort()
      .map((p) => `${aarch64}.${p}`);
    await buildAndJudge(attrs);
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
});
