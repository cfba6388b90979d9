// xpkgs patchelf against patchelf: the same edits on copies of the same
// files must read back the same through GNU readelf, and the files we patch
// must still run (natively, and an aarch64 one under qemu).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../cli/testing.js";

const dir = mkdtempSync(join(tmpdir(), "xpkgs-pe-"));
const hostLoader = "/lib64/ld-linux-x86-64.so.2";
// Loaders at a shorter and at a much longer path than the original.
mkdirSync(join(dir, "s"));
symlinkSync(hostLoader, join(dir, "s", "l"));
const longDir = join(dir, "a-directory-name-long-enough-to-outgrow-the-interp-section".repeat(2));
mkdirSync(longDir);
symlinkSync(hostLoader, join(longDir, "ld.so"));

function facts(path: string): string[] {
  return execFileSync("readelf", ["-d", "-l", "-W", path], { encoding: "utf8" })
    .split("\n")
    .filter((l) => /\((NEEDED|SONAME|RPATH|RUNPATH)\)|interpreter:/.test(l))
    .map((l) =>
      l
        .replace(/^\s*0x0*/, "")
        .replace(/\s+/g, " ")
        .trim(),
    );
}

function both(
  name: string,
  source: string,
  ours: string[],
  theirs: string[],
): { mine: string; ref: string } {
  const mine = join(dir, `${name}.ours`);
  const ref = join(dir, `${name}.patchelf`);
  copyFileSync(source, mine);
  copyFileSync(source, ref);
  const r = runCli(["patchelf", ...ours, mine]);
  assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  execFileSync("patchelf", [...theirs, ref]);
  assert.deepEqual(facts(mine), facts(ref), name);
  return { mine, ref };
}

const edits: [string, string[]][] = [
  ["shorter-interpreter", ["--set-interpreter", join(dir, "s", "l")]],
  ["longer-interpreter", ["--set-interpreter", join(longDir, "ld.so")]],
  ["set-rpath", ["--set-rpath", `/opt/${"lib".repeat(60)}:$ORIGIN/../lib`]],
  ["add-needed", ["--add-needed", "libm.so.6"]],
  ["replace-needed", ["--replace-needed", "libc.so.6", "libc.so.6"]],
];

describe("patchelf edits on a host program", () => {
  for (const [name, flags] of edits) {
    it(`${name}: reads back as patchelf's edit does, and runs`, () => {
      const { mine } = both(name, "/usr/bin/true", flags, flags);
      assert.match(
        execFileSync(mine, ["--version"], { encoding: "utf8" }),
        /^true \(GNU coreutils\)/,
      );
    });
  }
  it("add-rpath then remove-rpath", () => {
    const { mine } = both(
      "add-rpath",
      "/usr/bin/true",
      ["--add-rpath", "/x/y"],
      ["--add-rpath", "/x/y"],
    );
    both("remove-rpath", mine, ["--remove-rpath"], ["--remove-rpath"]);
  });
  it("set-soname on a library, longer than before", () => {
    const lib = readdirSync("/usr/lib/x86_64-linux-gnu").find((f) => /^libz\.so\.1\.\d/.test(f));
    assert.ok(lib !== undefined);
    both(
      "soname",
      `/usr/lib/x86_64-linux-gnu/${lib}`,
      ["--set-soname", "libz-renamed-quite-a-lot.so.1"],
      ["--set-soname", "libz-renamed-quite-a-lot.so.1"],
    );
  });
});

describe("a shorter RPATH takes the old one's place", () => {
  it("and the file names the old folders nowhere, keeps its symbols and size, and runs", () => {
    const src = join(dir, "rp.c");
    writeFileSync(
      src,
      '#include <math.h>\n#include <stdio.h>\nint main(int c, char **v){(void)v;printf("%.1f\\n", sqrt(c * 2.25));return 0;}\n',
    );
    const exe = join(dir, "rp");
    const old = `/old/${"long-folder-name-".repeat(6)}one:/old/another-folder/lib`;
    execFileSync("gcc", ["-o", exe, src, "-lm", `-Wl,-rpath,${old}`, "-Wl,--enable-new-dtags"]);
    const before = readFileSync(exe);
    const dynsyms = (p: string) =>
      execFileSync("readelf", ["--dyn-syms", "-W", p], { encoding: "utf8" });
    const { mine, ref } = both(
      "shorter-rpath",
      exe,
      ["--set-rpath", "$ORIGIN/../lib"],
      ["--set-rpath", "$ORIGIN/../lib"],
    );
    const after = readFileSync(mine);
    assert.equal(after.length, before.length, "no new segment for a shorter string");
    assert.equal(after.includes(Buffer.from("/old/")), false, "the old RPATH's bytes are cleared");
    assert.equal(dynsyms(mine), dynsyms(ref));
    assert.match(execFileSync(mine, { encoding: "utf8" }), /^1\.5$/m);
  });
});

describe("patchelf on a foreign program", () => {
  it("an aarch64 program with a longer interpreter and RUNPATH still runs under qemu", () => {
    const src = join(dir, "hi.c");
    writeFileSync(src, '#include <stdio.h>\nint main(void){puts("hi from aarch64");return 0;}\n');
    const exe = join(dir, "hi");
    execFileSync("aarch64-linux-gnu-gcc", ["-o", exe, src]);
    const root = "/usr/aarch64-linux-gnu";
    const loader = "/lib/ld-linux-aarch64.so.1";
    // qemu -L looks the interpreter up under the sysroot: give it a long name there too.
    const longName = `/lib/${"an-aarch64-loader-with-a-long-name-".repeat(3)}ld.so.1`;
    const sysroot = join(dir, "sysroot");
    mkdirSync(join(sysroot, "lib"), { recursive: true });
    for (const f of readdirSync(join(root, "lib")))
      symlinkSync(join(root, "lib", f), join(sysroot, "lib", f));
    symlinkSync(join(root, loader), join(sysroot, longName));
    const { mine } = both(
      "aarch64",
      exe,
      ["--set-interpreter", longName, "--set-rpath", "/nowhere/" + "d".repeat(80)],
      ["--set-interpreter", longName, "--set-rpath", "/nowhere/" + "d".repeat(80)],
    );
    const out = execFileSync("qemu-aarch64-static", ["-L", sysroot, mine], { encoding: "utf8" });
    assert.equal(out, "hi from aarch64\n");
  });
});

describe("patchelf failures leave the file untouched", () => {
  it("a static file has no interpreter to set: one paragraph, same bytes, same mode, no temporary", () => {
    const f = join(dir, "static");
    copyFileSync("/sbin/ldconfig", f);
    chmodSync(f, 0o751);
    const before = readFileSync(f);
    const r = runCli(["patchelf", "--set-interpreter", "/lib/ld.so", f]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: .*static: cannot set the interpreter: the file has none/);
    assert.deepEqual(readFileSync(f), before);
    assert.equal(statSync(f).mode & 0o777, 0o751);
    assert.deepEqual(
      readdirSync(dir).filter((e) => e.includes(".tmp")),
      [],
    );
  });
  it("keeps the mode on success, and --output leaves the input alone", () => {
    const f = join(dir, "mode");
    copyFileSync("/usr/bin/true", f);
    chmodSync(f, 0o750);
    const before = readFileSync(f);
    const r = runCli(["patchelf", "--set-rpath", "/a", "--output", join(dir, "mode.out"), f]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readFileSync(f), before);
    assert.equal(statSync(join(dir, "mode.out")).mode & 0o777, 0o750);
    assert.equal(runCli(["patchelf", "--print-rpath", join(dir, "mode.out")]).stdout, "/a\n");
  });
});
