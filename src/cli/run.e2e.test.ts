// xpkgs run: build if needed, then run the main program under qemu, with
// arguments, stdin, stdout, stderr and the exit status passed through.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCli } from "./testing.js";

const env = e2eStoreEnv(mkdtempSync(join(tmpdir(), "xpkgs-run-")));

describe("xpkgs run", () => {
  it("runs the static aarch64 readelf under qemu: the header of /bin/ls, as the host's readelf prints it", () => {
    const r = runCli(
      [
        "run",
        "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped",
        "--bin",
        "readelf",
        "--",
        "-h",
        "/bin/ls",
      ],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, execFileSync("readelf", ["-h", "/bin/ls"], { encoding: "utf8" }));
  });
  it("passes stdin through, and the program's exit status and stderr", () => {
    const packed = execFileSync("xz", ["-c"], { input: "through qemu\n" });
    const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.xz";
    const ok = runCli(["run", "-q", attr, "--", "-d"], env, packed);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, "through qemu\n");
    const bad = runCli(["run", "-q", attr, "--", "--no-such-option"], env);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unrecognized option.*no-such-option/);
  });
  it("--shell puts a qemu wrapper for each program first on PATH, and removes them after", () => {
    const r = runCli(
      [
        "run",
        "-q",
        "--shell",
        "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped",
        "--",
        "-c",
        'w=$(command -v readelf); echo "$w"; cat "$w"; readelf -h /bin/ls; exit 7',
      ],
      { ...env, SHELL: "/bin/sh" },
    );
    assert.equal(r.status, 7, r.stderr);
    const [wrapper, ...rest] = r.stdout.split("\n");
    assert.match(wrapper!, /xpkgs-run-shell-[^/]+\/readelf$/);
    assert.match(
      rest.join("\n"),
      /exec 'qemu-aarch64-static' '-cpu' 'cortex-a53' '[^']+-binutils-static-aarch64-unknown-linux-musl-2\.40\/bin\/readelf' "\$@"/,
    );
    assert.ok(r.stdout.endsWith(execFileSync("readelf", ["-h", "/bin/ls"], { encoding: "utf8" })));
    assert.ok(!existsSync(dirname(wrapper!)), "the wrappers are removed");
  });
  it("names the programs there are when --bin names none", () => {
    const r = runCli(
      ["run", "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped", "--bin", "nope"],
      env,
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /has no bin\/nope\. Its programs: .*readelf/);
  });
});
