// The launcher that `npm link` puts on PATH (dist/bin/xpkgs, made by scripts/bundle.mjs):
// the ELF commands start from the V8 snapshot, the rest from the bundle, and both give the
// same output and exit status as the plain compiled CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { cliPath } from "./testing.js";

const launcher = fileURLToPath(new URL("../bin/xpkgs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "xpkgs-launcher-"));

function both(args: string[]): void {
  const plain = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8" });
  const fast = spawnSync(launcher, args, { encoding: "utf8" });
  assert.equal(fast.stdout, plain.stdout, `stdout of ${args.join(" ")}`);
  assert.equal(fast.stderr, plain.stderr, `stderr of ${args.join(" ")}`);
  assert.equal(fast.status, plain.status, `exit status of ${args.join(" ")}`);
}

describe("the launcher", () => {
  it("starts the ELF commands from the snapshot, and the others from the bundle", () => {
    const trace = (args: string[]) =>
      spawnSync("sh", ["-x", launcher, ...args], { encoding: "utf8" }).stderr;
    for (const c of ["readelf", "patchelf", "file", "ldd"]) {
      assert.match(trace([c, "--help"]), /--snapshot-blob \S*xpkgs\.blob -- /, c);
    }
    assert.match(trace(["show", "hello"]), /exec node \S*dist\/bundle\/main\.js show hello/);
  });
  it("gives the same output and exit status as the compiled CLI", () => {
    both(["readelf", "-h", "-l", "-d", "/usr/bin/true"]);
    both(["readelf", "-h", "/nonexistent"]);
    both(["file", "/usr/bin/true", "/etc/passwd"]);
    both(["ldd", "/usr/bin/true"]);
    both(["patchelf", "--print-interpreter", "--print-needed", "/usr/bin/true"]);
    both(["patchelf"]);
    both(["show", "hello"]);
    both(["--version"]);
    both(["platforms", "--json"]);
  });
  it("edits a file from the snapshot as the compiled CLI does", () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    copyFileSync("/usr/bin/true", a);
    copyFileSync("/usr/bin/true", b);
    const args = ["patchelf", "--set-rpath", `/opt/${"r".repeat(200)}`];
    assert.equal(spawnSync(launcher, [...args, a]).status, 0);
    assert.equal(spawnSync(process.execPath, [cliPath, ...args, b]).status, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });
});
