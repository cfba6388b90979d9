// Programs run on the platform's own CPU model under qemu: `xpkgs run` passes
// `-cpu`, and the model is what decides whether an instruction runs.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCli } from "../cli/testing.js";

const root = mkdtempSync(join(tmpdir(), "xpkgs-cpu-"));
const env = e2eStoreEnv(root);
const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.hello";

describe("the platform's CPU under qemu", () => {
  it("xpkgs run runs static aarch64 hello on a Cortex-A53 (qemu -cpu cortex-a53)", () => {
    const r = runCli(["run", "-q", attr], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "Hello, world!\n");
    const shell = runCli(["run", "-q", "--shell", attr, "--", "-c", 'cat "$(command -v hello)"'], {
      ...env,
      SHELL: "/bin/sh",
    });
    assert.equal(shell.status, 0, shell.stderr);
    assert.match(
      shell.stdout,
      /exec 'qemu-aarch64-static' '-cpu' 'cortex-a53' '[^']+\/bin\/hello'/,
    );
  });
  it("an ARMv8.1 instruction runs under qemu's default CPU, and not on a Cortex-A53 (ARMv8.0)", () => {
    // ldadd (LSE atomics) is ARMv8.1: qemu's default "max" CPU accepts it, as the
    // Cortex-A53 of a Raspberry Pi 3 does not.
    writeFileSync(
      join(root, "lse.c"),
      "int main(void) { int v = 1, x = 2, old; " +
        '__asm__ volatile("ldadd %w2, %w0, [%1]" : "=r"(old) : "r"(&v), "r"(x) : "memory"); ' +
        "return v == 3 ? 0 : 1; }\n",
    );
    const exe = join(root, "lse");
    execFileSync("aarch64-linux-gnu-gcc", [
      "-march=armv8.1-a",
      "-static",
      "-o",
      exe,
      join(root, "lse.c"),
    ]);
    assert.equal(spawnSync("qemu-aarch64-static", [exe]).status, 0);
    const a53 = spawnSync("qemu-aarch64-static", ["-cpu", "cortex-a53", exe], { encoding: "utf8" });
    assert.notEqual(a53.status, 0);
    assert.match(a53.stderr, /Illegal instruction/);
  });
});
