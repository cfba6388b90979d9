// xpkgs bundle on this machine's own programs: the bundle holds what its
// manifest says, its launcher runs the program, and the program runs in an
// empty root where only the bundle exists (bubblewrap). Bad input is refused
// with nothing left behind.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../cli/testing.js";
import { parseElf } from "../elf/parse.js";
import { patchElf } from "../elf/patchelf.js";
import { type BundleManifest, manifestName } from "./bundle.js";

const dir = mkdtempSync(join(tmpdir(), "xpkgs-bundle-"));
const manifestOf = (b: string) =>
  JSON.parse(readFileSync(join(b, manifestName), "utf8")) as BundleManifest;

describe("xpkgs bundle of a dynamic program", () => {
  const b = join(dir, "ls-bundle");
  it("copies the program, its loader and its libraries, and lists them with sizes and sha256", () => {
    const r = runCli(["bundle", "/usr/bin/ls", "--dir", b]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^bundled ls \(x86_64, dynamic, loader lib\/ld-linux-x86-64\.so\.2\): \d+ files and xpkgs-bundle\.json/,
    );
    const m = manifestOf(b);
    assert.equal(m.static, false);
    assert.deepEqual(m.programs, { ls: { run: "bin/ls", elf: "libexec/ls" } });
    const paths = m.files.map((f) => f.path);
    for (const p of ["bin/ls", "libexec/ls", "lib/ld-linux-x86-64.so.2", "lib/libc.so.6"]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(" ")}`);
    }
    for (const f of m.files) {
      const bytes = readFileSync(join(b, f.path));
      assert.equal(bytes.length, f.size, f.path);
      assert.equal(createHash("sha256").update(bytes).digest("hex"), f.sha256, f.path);
      assert.equal((statSync(join(b, f.path)).mode & 0o777).toString(8), f.mode, f.path);
    }
    // Every library ls needs is there, and the program looks for them beside itself.
    const libs = readdirSync(join(b, "lib"));
    for (const n of parseElf(readFileSync("/usr/bin/ls")).needed) assert.ok(libs.includes(n), n);
    assert.equal(parseElf(readFileSync(join(b, "libexec/ls"))).runpath, "$ORIGIN/../lib");
    assert.equal(m.report.find((x) => x.path === "libexec/ls")?.arch, "x86_64");
  });
  it("its launcher runs the program, also through a symlink and from PATH", () => {
    const out = execFileSync(join(b, "bin/ls"), ["-d", "/"], { encoding: "utf8" });
    assert.equal(out, "/\n");
    const link = join(dir, "ls-link");
    execFileSync("ln", ["-s", join(b, "bin/ls"), link]);
    assert.match(execFileSync(link, ["--version"], { encoding: "utf8" }), /^ls \(GNU coreutils\)/);
    const viaPath = spawnSync("ls", ["--version"], {
      encoding: "utf8",
      env: { PATH: `${join(b, "bin")}:/usr/bin:/bin` },
    });
    assert.match(viaPath.stdout, /^ls \(GNU coreutils\)/);
  });
  it("runs in an empty root holding only the bundle: nothing comes from this machine", () => {
    const launcher = readFileSync(join(b, "bin/ls"), "utf8");
    // The launcher's own command line, with the bundle at /b.
    assert.match(
      launcher,
      /exec "\$here\/lib\/ld-linux-x86-64\.so\.2" --library-path "\$here\/lib"/,
    );
    const r = spawnSync(
      "bwrap",
      [
        "--ro-bind",
        b,
        "/b",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--",
        "/b/lib/ld-linux-x86-64.so.2",
        "--library-path",
        "/b/lib",
        "--inhibit-cache",
        "/b/libexec/ls",
        "/b/lib",
      ],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n").sort(), readdirSync(join(b, "lib")).sort());
    // And without the bundle's libraries it cannot: the test can fail.
    const bare = spawnSync("bwrap", ["--ro-bind", join(b, "libexec"), "/b", "--", "/b/ls"], {
      encoding: "utf8",
    });
    assert.notEqual(bare.status, 0);
  });
  it("-o writes a .tar.gz whose members are the bundle under one folder", () => {
    const out = join(dir, "ls.tar.gz");
    const r = runCli(["bundle", "/usr/bin/ls", "-o", out]);
    assert.equal(r.status, 0, r.stderr);
    const members = execFileSync("tar", ["-tzf", out], { encoding: "utf8" }).split("\n");
    assert.ok(members.includes("ls/bin/ls"), members.join(" "));
    assert.ok(members.includes(`ls/${manifestName}`));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes("partial") || f.startsWith(".xpkgs-bundle-")),
      [],
    );
  });
});

describe("xpkgs bundle of a static program", () => {
  it("bundles to the program itself, unchanged, and its manifest", () => {
    const src = join(dir, "st.c");
    writeFileSync(src, '#include <stdio.h>\nint main(void){puts("static here");return 0;}\n');
    const exe = join(dir, "st");
    execFileSync("gcc", ["-static", "-o", exe, src]);
    const b = join(dir, "st-bundle");
    const r = runCli(["bundle", exe, "--dir", b]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(b).sort(), ["bin", manifestName]);
    assert.deepEqual(readdirSync(join(b, "bin")), ["st"]);
    assert.ok(readFileSync(join(b, "bin/st")).equals(readFileSync(exe)));
    assert.equal(manifestOf(b).static, true);
    assert.equal(execFileSync(join(b, "bin/st"), { encoding: "utf8" }), "static here\n");
  });
});

describe("xpkgs bundle refuses bad input, leaving nothing", () => {
  it("a library that cannot be found: names it and what needs it", () => {
    const exe = join(dir, "needy");
    writeFileSync(
      exe,
      patchElf(readFileSync("/usr/bin/true"), { addNeeded: ["libnowhere.so.7"] }),
      {
        mode: 0o755,
      },
    );
    const b = join(dir, "needy-bundle");
    const r = runCli(["bundle", exe, "--dir", b]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /needs libnowhere\.so\.7 \(named by .*needy\)/);
    assert.match(r.stderr, /--sysroot/);
    assert.equal(existsSync(b), false);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes("partial")),
      [],
    );
  });
  it("a folder that exists already, a file that is not ELF, -o together with --dir", () => {
    const taken = mkdtempSync(join(dir, "taken-"));
    assert.match(runCli(["bundle", "/usr/bin/ls", "--dir", taken]).stderr, /exists already/);
    const script = join(dir, "script.sh");
    writeFileSync(script, "#!/bin/sh\necho hi\n", { mode: 0o755 });
    assert.match(runCli(["bundle", script, "--dir", join(dir, "s")]).stderr, /is not an ELF file/);
    assert.match(
      runCli(["bundle", "/usr/bin/ls", "-o", "x.tar.gz", "--dir", "y"]).stderr,
      /either -o FILE\.tar\.gz or --dir DIR/,
    );
  });
});
