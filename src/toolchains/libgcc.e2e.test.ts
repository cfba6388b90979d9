// A Raspberry Pi 1 or Zero (ARM1176, ARMv6KZ) runs what xpkgs builds for it: musl's
// toolchain links a libgcc and start files built for ARMv6 (libgcc.ts), not Debian's
// armhf ones, which are ARMv7 Thumb-2 and hang there. A hang must fail, not block.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cliPath, e2eStoreEnv } from "../cli/testing.js";
import { archAttributes, armCpuArchName } from "../elf/attributes.js";
import { parseElf } from "../elf/parse.js";
import { checkArchAttributes } from "../elf/verify.js";
import { elaboratePlatform } from "../systems/elaborate.js";
import { elfArchExpectation } from "../systems/elf-arch.js";
import { examples } from "../systems/examples.js";

const root = mkdtempSync(join(tmpdir(), "xpkgs-libgcc-"));
const env = { ...process.env, ...e2eStoreEnv(root) };
const storeDir = env.XPKGS_STORE_DIR!;
const triple = "armv6l-unknown-linux-musleabihf";
/** Long enough for a slow, busy machine; a program that hangs is killed after it. */
const runTimeout = 60_000;

function xpkgs(args: string[], timeout = 0) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    env,
    encoding: "utf8",
    timeout,
    killSignal: "SIGKILL",
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function qemuArm1176(program: string) {
  return spawnSync("qemu-arm-static", ["-cpu", "arm1176", program], {
    encoding: "utf8",
    timeout: runTimeout,
    killSignal: "SIGKILL",
  });
}

function buildOut(attr: string): string {
  const r = xpkgs(["build", "-q", "--no-out-link", attr]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").pop()!;
}

const armThumbNames = ["none", "Thumb-1", "Thumb-2", "Thumb allowed"];

describe("libgcc for the platform's CPU (raspberryPi, muslpi: ARMv6KZ)", () => {
  it("static hello runs on an ARM1176 and its ELF attributes say ARMv6K(Z), no Thumb-2", () => {
    const hello = join(buildOut("pkgsCross.raspberryPi.pkgsStatic.hello"), "bin", "hello");
    const bytes = readFileSync(hello);
    const a = archAttributes(parseElf(bytes));
    assert.ok(a.armCpuArch !== undefined, "no Tag_CPU_arch");
    assert.match(armCpuArchName(a.armCpuArch), /^v6KZ?$/);
    assert.notEqual(armThumbNames[a.armThumb ?? 0], "Thumb-2");
    const platform = elaboratePlatform({ ...examples.muslpi!, isStatic: true });
    const expect = elfArchExpectation(platform).arch;
    assert.ok(expect !== undefined);
    assert.deepEqual(checkArchAttributes(bytes, expect), []);
    const r = qemuArm1176(hello);
    assert.equal(
      r.signal,
      null,
      `hello was killed after ${runTimeout} ms (it hangs on an ARM1176)`,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "Hello, world!\n");
  });

  it("the compiler finds libgcc and crtbegin*.o in the store, and division and constructors run", () => {
    const wrapper = readdirSync(storeDir).find(
      (e) => e.endsWith(`-${triple}-gcc-wrapper-12.2.0`) && !e.endsWith(".drv"),
    );
    assert.ok(wrapper !== undefined, "the musl wrapper is not in the store");
    const cc = join(storeDir, wrapper, "bin", `${triple}-gcc`);
    const ask = (arg: string) => spawnSync(cc, [arg], { encoding: "utf8" }).stdout.trim();
    const libgccDir = new RegExp(`^${storeDir}/[a-z0-9]{32}-libgcc-${triple}-12\\.2\\.0/lib/`);
    assert.match(ask("-print-libgcc-file-name"), libgccDir);
    for (const f of ["crtbeginT.o", "crtbeginS.o", "crtendS.o", "libgcc_eh.a"])
      assert.match(ask(`-print-file-name=${f}`), libgccDir, f);
    // __aeabi_idiv and __aeabi_ldivmod come from libgcc; the constructor runs from
    // crtbegin's frame_dummy/init_array machinery.
    const c = join(root, "div.c");
    writeFileSync(
      c,
      "#include <stdio.h>\n#include <stdlib.h>\nstatic int k;\n" +
        "__attribute__((constructor)) static void init(void) { k = 7; }\n" +
        "int main(int argc, char **argv) { (void)argv; volatile int a = 1000 + argc;\n" +
        "  volatile long long b = 10000000000LL + argc;\n" +
        '  printf("%d %d %lld %lld\\n", a / k, a % k, b / k, b % k); return 0; }\n',
    );
    const exe = join(root, "div");
    const link = spawnSync(cc, ["-O2", "-static", "-v", "-o", exe, c], { encoding: "utf8" });
    assert.equal(link.status, 0, link.stderr);
    const collect = link.stderr.split("\n").find((l) => /collect2|\bld\b/.test(l) && /-o /.test(l));
    assert.ok(collect !== undefined, link.stderr);
    assert.doesNotMatch(collect, /gcc-cross\/arm-linux-gnueabihf\/12\/(crt|libgcc)/);
    assert.match(collect, new RegExp(`-libgcc-${triple}-12\\.2\\.0/lib/crtbeginS\\.o`));
    const r = qemuArm1176(exe);
    assert.equal(r.signal, null, "killed: it hangs on an ARM1176");
    assert.equal(r.stdout, "143 0 1428571428 5\n", r.stderr);
  });

  it("dynamic musl hello (muslpi) runs on an ARM1176 with its loader (xpkgs run)", () => {
    buildOut("pkgsCross.muslpi.hello");
    const r = xpkgs(["run", "-q", "pkgsCross.muslpi.hello"], runTimeout);
    assert.equal(r.signal, null, "killed: it hangs on an ARM1176");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "Hello, world!\n");
  });
});
