// stdenv through its TypeScript API: a recipe written inline, built for a
// static aarch64 musl host, that needs the kernel headers of musl's sysroot.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";
import { writeDerivations } from "../derivation/instantiate.js";
import { PackageUniverse } from "../pkgs/top-level.js";
import { Store } from "../store/store.js";
import { buildMachinePlatform } from "../systems/elaborate.js";

const probe = `#include <linux/version.h>
#include <asm/unistd.h>
#include <stdio.h>
int main(void) { printf("%d %d\\n", LINUX_VERSION_CODE > 0, __NR_write); return 0; }
`;

describe("stdenv", () => {
  it("builds an inline recipe whose phases are shell code, against musl's kernel headers", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-stdenv-"));
    const env = e2eStoreEnv(root);
    const universe = new PackageUniverse(buildMachinePlatform(), env.XPKGS_STORE_DIR!);
    const set = universe.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: true,
      musl: false,
    });
    const pkg = set.stdenv.mkDerivation({
      pname: "kernel-probe",
      version: "1",
      dontUnpack: true,
      doCheck: true,
      doCheckWithEmulator: true,
      env: { probeSource: probe },
      hooks: {
        buildPhase: 'printf "%s" "$probeSource" > probe.c; $CC -O2 -o probe probe.c',
        // The check runs the aarch64 program under qemu inside the sandbox.
        checkPhase: "$CROSSCOMPILING_EMULATOR ./probe > check.txt",
        installPhase: "mkdir -p $out/bin $out/share; cp probe $out/bin/; cp check.txt $out/share/",
      },
    });
    assert.equal(pkg.name, "kernel-probe-static-aarch64-unknown-linux-musl-1");
    const store = new Store({
      storeDir: env.XPKGS_STORE_DIR!,
      stateDir: join(env.XPKGS_STORE_DIR!, "..", "var"),
    });
    writeDerivations(store, universe.graph.closure(pkg.drvPath), universe.graph);
    store.close();
    const r = await runCliAsync(["build", pkg.drvPath], env, root);
    assert.equal(r.status, 0, r.stderr);
    // __NR_write is 64 on arm64: the headers are the target's, not the build machine's (1).
    assert.equal(
      execFileSync(
        "qemu-aarch64-static",
        ["-cpu", "cortex-a53", join(root, "result", "bin", "probe")],
        {
          encoding: "utf8",
        },
      ),
      "1 64\n",
    );
    assert.equal(readFileSync(join(root, "result", "share", "check.txt"), "utf8"), "1 64\n");
    // The check ran on the platform's own CPU (aarch64-multiplatform: a Cortex-A53).
    assert.equal(pkg.drv.env.CROSSCOMPILING_EMULATOR, "qemu-aarch64-static -cpu cortex-a53");
  });
});
