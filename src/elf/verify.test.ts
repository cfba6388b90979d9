import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inspectTree, summaryLine } from "./inspect.js";
import { checkElfOutputs } from "./verify.js";

function output(): string {
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-verify-"));
  mkdirSync(join(dir, "out", "bin"), { recursive: true });
  writeFileSync(join(dir, "main.c"), "int main(void) { return 0; }\n");
  execFileSync("gcc", ["-o", join(dir, "out", "bin", "dyn"), join(dir, "main.c")]);
  writeFileSync(join(dir, "out", "bin", "script"), "#!/bin/sh\necho not ELF\n");
  return join(dir, "out");
}

describe("output checks", () => {
  it("accepts a dynamic x86-64 program with the right interpreter", () => {
    assert.deepEqual(
      checkElfOutputs(output(), {
        machine: 62,
        static: false,
        interpreter: "/lib64/ld-linux-x86-64.so.2",
      }),
      [],
    );
  });
  it("names a dynamic program where static was asked for", () => {
    const problems = checkElfOutputs(output(), { machine: 62, static: true });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /^bin\/dyn: dynamically linked \(interpreter \/lib64\/ld-linux-x86-64\.so\.2, needs libc\.so\.6\), but static linking was asked for$/,
    );
  });
  it("names the wrong machine", () => {
    assert.deepEqual(checkElfOutputs(output(), { machine: 183, static: false }), [
      "bin/dyn: built for x86-64, but the host platform is ARM aarch64",
    ]);
  });
  it("names the wrong interpreter", () => {
    const problems = checkElfOutputs(output(), {
      machine: 62,
      static: false,
      interpreter: "/xpkgs/store/x-musl/lib/ld-musl-x86_64.so.1",
    });
    assert.match(
      problems[0]!,
      /asks for the interpreter \/lib64\/ld-linux-x86-64\.so\.2, not \/xpkgs\/store/,
    );
  });
  it("refuses a shared library in a static set (lz4 once installed liblz4.so and passed)", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-verify-so-"));
    mkdirSync(join(dir, "out", "lib"), { recursive: true });
    writeFileSync(join(dir, "lib.c"), "int f(void) { return 1; }\n");
    execFileSync("gcc", [
      "-shared",
      "-fPIC",
      "-o",
      join(dir, "out", "lib", "libf.so"),
      join(dir, "lib.c"),
    ]);
    const problems = checkElfOutputs(join(dir, "out"), { machine: 62, static: true });
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      /^lib\/libf\.so: a shared library, but static linking was asked for; /,
    );
    assert.deepEqual(checkElfOutputs(join(dir, "out"), { machine: 62, static: false }), []);
  });
  it("calls a static program portable only when it names no store path", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-verify-portable-"));
    const store = "/xpkgs/store";
    const ref = `${store}/0123456789abcdfghijklmnpqrsvwxyz-ncurses-6.4/share/terminfo`;
    writeFileSync(join(dir, "a.c"), "int main(void) { return 0; }\n");
    writeFileSync(
      join(dir, "b.c"),
      `const char *d = "${ref}";\nint main(void) { return d[0] == 0; }\n`,
    );
    for (const n of ["a", "b"]) {
      mkdirSync(join(dir, n, "bin"), { recursive: true });
      execFileSync("gcc", ["-static", "-o", join(dir, n, "bin", n), join(dir, `${n}.c`)]);
    }
    const a = inspectTree(join(dir, "a"), store).reports;
    const b = inspectTree(join(dir, "b"), store).reports;
    assert.equal(a[0]!.portable, true);
    assert.match(summaryLine(a), /1 static executable, portable$/);
    assert.equal(b[0]!.portable, false);
    assert.match(
      b[0]!.verdict,
      /^static, but not portable: it names \/xpkgs\/store\/0123456789abcdfghijklmnpqrsvwxyz-ncurses-6\.4/,
    );
    assert.match(
      summaryLine(b),
      /1 static executable, 1 not portable \(bin\/b: static, but not portable/,
    );
  });
});
