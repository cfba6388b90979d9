import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { binfmtRegistration, binfmtRule } from "./binfmt.js";
import { examplePlatform } from "./named.js";

/** The bytes of a `\xNN…` field of a binfmt_misc line. */
const bytesOf = (field: string) =>
  [...field.matchAll(/\\x([0-9a-f]{2})/g)].map((m) => parseInt(m[1]!, 16));

/** Whether a rule's magic and mask accept a file that starts with `head`. */
const accepts = (magic: number[], mask: number[], head: Uint8Array) =>
  magic.every((b, i) => ((head[i] ?? -1) & mask[i]!) === (b & mask[i]!));

describe("binfmtRule", () => {
  it("agrees with Debian's qemu-user rules on every byte both of them match", () => {
    let compared = 0;
    for (const name of [
      "aarch64-multiplatform",
      "riscv64",
      "s390x",
      "ppc64",
      "mips-linux-gnu",
      "mipsel-linux-gnu",
      "mips64el-linux-gnuabin32",
      "armv7l-hf-multiplatform",
    ]) {
      const p = examplePlatform(name);
      const rule = binfmtRule(p);
      assert.notEqual(rule, null, name);
      const conf = `/usr/lib/binfmt.d/qemu-${p.qemuArch}.conf`;
      if (!existsSync(conf)) continue;
      const [, , , , magicField, maskField] = readFileSync(conf, "utf8").trim().split(":");
      const debMagic = bytesOf(magicField!);
      const debMask = bytesOf(maskField!);
      for (let i = 0; i < rule!.magic.length; i++) {
        const both = rule!.mask[i]! & (debMask[i] ?? 0);
        assert.equal(
          rule!.magic[i]! & both,
          debMagic[i]! & both,
          `${name}: byte ${i} differs from ${conf}`,
        );
      }
      compared++;
    }
    assert.ok(
      compared > 0,
      "no Debian qemu-user rule to compare with: apt-get install qemu-user-static",
    );
  });

  it("accepts the platform's executables and shared objects, and not the build machine's", () => {
    const rule = binfmtRule(examplePlatform("aarch64-multiplatform"))!;
    const header = (type: number, machine: number) =>
      Uint8Array.from([
        0x7f,
        0x45,
        0x4c,
        0x46,
        2,
        1,
        1,
        3,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        type,
        0,
        machine,
        0,
      ]);
    assert.ok(accepts(rule.magic, rule.mask, header(2, 0xb7)), "an aarch64 executable");
    assert.ok(
      accepts(rule.magic, rule.mask, header(3, 0xb7)),
      "an aarch64 position-independent executable",
    );
    assert.ok(!accepts(rule.magic, rule.mask, header(1, 0xb7)), "an aarch64 object file");
    assert.ok(!accepts(rule.magic, rule.mask, header(2, 0x3e)), "an x86-64 executable");
    const sh = readFileSync("/bin/sh").subarray(0, 20);
    assert.ok(!accepts(rule.magic, rule.mask, sh), "the build machine's /bin/sh");
    const mips = binfmtRule(examplePlatform("mips-linux-gnu"))!;
    assert.deepEqual(mips.magic.slice(16, 20), [0, 2, 0, 8], "big-endian e_type and e_machine");
    const n32 = binfmtRule(examplePlatform("mips64el-linux-gnuabin32"))!;
    const o32 = binfmtRule(examplePlatform("mipsel-linux-gnu"))!;
    const mipsel = (flags: number) =>
      Uint8Array.from([
        ...[0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 8, 0],
        ...Array<number>(16).fill(0x11),
        flags,
        0,
        0,
        0x70,
      ]);
    assert.ok(
      accepts(n32.magic, n32.mask, mipsel(0x27)) && !accepts(o32.magic, o32.mask, mipsel(0x27)),
      "an n32 program",
    );
    assert.ok(
      accepts(o32.magic, o32.mask, mipsel(0x07)) && !accepts(n32.magic, n32.mask, mipsel(0x07)),
      "an o32 program",
    );
  });

  it("is written as the kernel's register line, and is null where qemu-user has no emulator", () => {
    const rule = binfmtRule(examplePlatform("riscv64"))!;
    const line = binfmtRegistration(rule);
    const [, name, type, offset, magic, mask, interpreter, flags] = line.split(":");
    assert.equal(name, "xpkgs-riscv64");
    assert.equal(type, "M");
    assert.equal(offset, "");
    assert.deepEqual(bytesOf(magic!), rule.magic);
    assert.deepEqual(bytesOf(mask!), rule.mask);
    assert.equal(interpreter, "/usr/bin/qemu-riscv64-static");
    assert.equal(flags, "F");
    assert.equal(binfmtRule(examplePlatform("arc")), null);
  });
});
