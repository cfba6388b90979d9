// The proof: GNU hello built natively and cross, dynamic and static,
// each run (natively or under qemu-user, called explicitly) and its ELF
// checked: machine, static or dynamic, interpreter.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCliAsync } from "../cli/testing.js";
import { isStaticallyLinked, parseElf } from "../elf/parse.js";

interface Variant {
  attr: string;
  machine: number;
  static: boolean;
  interpreter?: RegExp;
  run: (bin: string) => string[];
}

const native = (bin: string) => [bin];
const variants: Variant[] = [
  {
    attr: "hello",
    machine: 62,
    static: false,
    interpreter: /^\/lib64\/ld-linux-x86-64\.so\.2$/,
    run: native,
  },
  { attr: "pkgsStatic.hello", machine: 62, static: true, run: native },
  {
    attr: "pkgsMusl.hello",
    machine: 62,
    static: false,
    interpreter:
      /\/store\/[0-9a-z]{32}-musl-x86_64-unknown-linux-musl-1\.2\.3\/lib\/ld-musl-x86_64\.so\.1$/,
    run: native,
  },
  {
    attr: "pkgsCross.aarch64-multiplatform.hello",
    machine: 183,
    static: false,
    interpreter: /^\/lib\/ld-linux-aarch64\.so\.1$/,
    run: (bin) => ["qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu", bin],
  },
  {
    attr: "pkgsCross.aarch64-multiplatform.pkgsStatic.hello",
    machine: 183,
    static: true,
    run: (b) => ["qemu-aarch64-static", b],
  },
  {
    attr: "pkgsCross.armv7l-hf-multiplatform.pkgsStatic.hello",
    machine: 40,
    static: true,
    run: (b) => ["qemu-arm-static", b],
  },
  {
    attr: "pkgsCross.riscv64.pkgsStatic.hello",
    machine: 243,
    static: true,
    run: (b) => ["qemu-riscv64-static", b],
  },
];

describe("hello on every variant", () => {
  it("builds all of them in one run, and each prints Hello, world!", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-hello-"));
    const env = e2eStoreEnv(root);
    const r = await runCliAsync(["build", "-j", "2", ...variants.map((v) => v.attr)], env, root);
    assert.equal(r.status, 0, r.stderr);
    const paths = r.stdout.trim().split("\n");
    assert.equal(paths.length, variants.length);
    variants.forEach((v, i) => {
      const link = join(root, i === 0 ? "result" : `result-${i + 1}`);
      assert.equal(readlinkSync(link), paths[i], v.attr);
      const bin = join(link, "bin", "hello");
      const elf = parseElf(readFileSync(bin));
      assert.equal(elf.machine, v.machine, `${v.attr}: e_machine`);
      assert.equal(isStaticallyLinked(elf), v.static, `${v.attr}: static`);
      if (v.static) {
        assert.equal(elf.interpreter, null);
        assert.deepEqual(elf.needed, []);
      } else {
        assert.match(elf.interpreter ?? "", v.interpreter!, `${v.attr}: interpreter`);
        assert.ok(elf.needed.length > 0, `${v.attr}: NEEDED`);
      }
      const [cmd, ...args] = v.run(bin);
      assert.equal(execFileSync(cmd!, args, { encoding: "utf8" }), "Hello, world!\n", v.attr);
    });
    // The static and the dynamic musl sets share one musl: it is built at most once (not at
    // all when an earlier test of this run built it in the shared store).
    const musls =
      r.stderr.match(/^building .*-musl-x86_64-unknown-linux-musl-1\.2\.3\.drv$/gm) ?? [];
    assert.ok(musls.length <= 1, `musl built ${musls.length} times`);
  });
});
