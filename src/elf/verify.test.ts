import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
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
});
