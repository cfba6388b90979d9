import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { findProgram } from "../host/find-program.js";
import { debianTriple } from "../toolchains/debian-cross.js";
import { programRunner } from "../toolchains/runner.js";
import { buildMachinePlatform, elaboratePlatform } from "./elaborate.js";
import { elfArchExpectation } from "./elf-arch.js";
import { exampleNames, examples } from "./examples.js";
import { examplePlatform } from "./named.js";

const x64 = elaboratePlatform("x86_64-unknown-linux-gnu");

/** Whether `qemu -cpu help` lists the model (sparc prints spaces where the name has dashes). */
function listed(help: string, model: string): boolean {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const word = (s: string) => new RegExp(`(^|[\\s'])${esc(s)}([\\s'-]|$)`, "m");
  return word(model).test(help) || help.includes(model.replace(/-/g, " "));
}

describe("each platform's CPU", () => {
  it("is named for every platform that has a Debian cross compiler, and its qemu accepts it", () => {
    const checked: string[] = [];
    for (const name of exampleNames) {
      const p = examplePlatform(name);
      if (debianTriple(p) === null || p.qemuArch === null) continue;
      assert.notEqual(p.qemuCpu, null, `${name} names no qemu CPU model`);
      const qemu = `qemu-${p.qemuArch}-static`;
      if (findProgram(qemu) === null) continue;
      const help = spawnSync(qemu, ["-cpu", "help"], { encoding: "utf8" });
      const text = `${help.stdout}${help.stderr}`;
      assert.ok(
        listed(text, p.qemuCpu!),
        `${qemu} -cpu help does not list '${p.qemuCpu}' (${name})`,
      );
      // qemu resolves the model before it loads the program: a wrong one says so.
      const run = spawnSync(qemu, ["-cpu", p.qemuCpu!, "/bin/true"], { encoding: "utf8" });
      assert.doesNotMatch(run.stderr, /unable to find CPU model|not available/, `${name}`);
      checked.push(name);
    }
    assert.ok(checked.length >= 18, `only ${checked.length} checked: ${checked.join(", ")}`);
  });
  it("is the named platform's for a bare triple, and static variants keep it", () => {
    assert.equal(elaboratePlatform("armv6l-unknown-linux-musleabihf").qemuCpu, "arm1176");
    assert.equal(elaboratePlatform("aarch64-unknown-linux-musl").qemuCpu, "cortex-a53");
    assert.equal(
      elaboratePlatform({ ...examples.raspberryPi!, isStatic: true }).qemuCpu,
      "arm1176",
    );
    // The CPU a triple implies does not change the key: gnu64 is the build machine.
    assert.equal(examplePlatform("gnu64").key, buildMachinePlatform().key);
    const other = elaboratePlatform({
      config: "aarch64-unknown-linux-gnu",
      cpu: { qemu: "cortex-a72", baseline: "ARMv8-A" },
    });
    assert.notEqual(other.key, examplePlatform("aarch64-multiplatform").key);
  });
  it("reaches qemu through the program runner", () => {
    assert.deepEqual(programRunner(examplePlatform("aarch64-multiplatform-musl"), x64), [
      "qemu-aarch64-static",
      "-cpu",
      "cortex-a53",
    ]);
    assert.deepEqual(programRunner(examplePlatform("riscv64"), x64), [
      "qemu-riscv64-static",
      "-cpu",
      "sifive-u54",
      "-L",
      "/usr/riscv64-linux-gnu",
    ]);
    assert.deepEqual(programRunner(examplePlatform("musl64"), x64), []);
  });
});

describe("the ELF architecture each platform expects", () => {
  it("allows an ARM CPU's architecture and everything below it, and its float ABI", () => {
    assert.deepEqual(elfArchExpectation(examplePlatform("raspberryPi")).arch, {
      baseline: "ARMv6KZ, VFPv2, hard-float (qemu -cpu arm1176)",
      armCpuArch: [0, 1, 2, 3, 4, 5, 6, 7, 9],
      armFpArch: [0, 1, 2],
      armVfpArgs: [1, 3],
    });
    const armv7 = elfArchExpectation(examplePlatform("armv7l-hf-multiplatform")).arch!;
    assert.deepEqual(armv7.armCpuArch, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(armv7.armFpArch, [0, 1, 2, 4]);
    const sheeva = elfArchExpectation(examplePlatform("sheevaplug")).arch!;
    assert.deepEqual(sheeva.armCpuArch, [0, 1, 2, 3, 4]);
    assert.deepEqual(sheeva.armVfpArgs, [0, 3]);
  });
  it("names RISC-V's extensions and MIPS' ISA levels; nothing where ELF records nothing", () => {
    const rv = elfArchExpectation(examplePlatform("riscv64-musl")).arch!;
    assert.equal(rv.riscvBase, "rv64");
    for (const e of ["i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "zmmul"])
      assert.ok(rv.riscvExtensions!.includes(e), e);
    assert.ok(!rv.riscvExtensions!.includes("v"));
    assert.deepEqual(
      elfArchExpectation(examplePlatform("mips-linux-gnu")).arch!.mipsIsa,
      [0, 1, 5, 7],
    );
    assert.deepEqual(
      elfArchExpectation(examplePlatform("mips64el-linux-gnuabi64")).arch!.mipsIsa,
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.deepEqual(elfArchExpectation(examplePlatform("aarch64-multiplatform")), {});
    assert.deepEqual(elfArchExpectation(examplePlatform("gnu64")), {});
  });
});
