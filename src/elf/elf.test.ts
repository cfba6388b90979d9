// The ELF toolkit against the real tools: GNU readelf and file(1) on a corpus
// of this machine's ELF files (x86-64, and the cross C libraries: ARM, AArch64,
// RISC-V, MIPS and S/390 big-endian, PowerPC 32-bit big-endian and 64-bit),
// then corrupt input, a short fuzz, ldd and the portability report.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../cli/testing.js";
import { crossDirs, elfFilesIn } from "./corpus-testing.js";
import { describePath } from "./describe.js";
import { fuzz } from "./fuzz.js";
import { inspectTree } from "./inspect.js";
import { ldd } from "./ldd.js";
import { ElfFormatError, parseElf } from "./parse.js";
import { formatDynamic, formatHeader, formatProgramHeaders } from "./readelf.js";

const corpus = [
  ...elfFilesIn("/usr/bin", 40),
  ...elfFilesIn("/usr/lib/x86_64-linux-gnu", 30),
  ...crossDirs.flatMap((d) => elfFilesIn(d, 12)),
];

function gnu(args: string[]): string {
  try {
    return execFileSync("readelf", args, { encoding: "utf8", maxBuffer: 1 << 28 });
  } catch (e) {
    return (e as { stdout: string }).stdout;
  }
}

/** The NEEDED, SONAME, RPATH and RUNPATH lines of `readelf -d`: the facts, on every machine. */
function dynamicFacts(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /\((NEEDED|SONAME|RPATH|RUNPATH)\)/.test(l))
    .map((l) => l.replace(/^\s*0x0*/, "").replace(/\s+/g, " "));
}

describe("the corpus", () => {
  it("covers both byte orders, both classes and at least six machines", () => {
    const elves = corpus.map((f) => parseElf(readFileSync(f)));
    assert.ok(corpus.length >= 100, `${corpus.length} files`);
    assert.ok(elves.some((e) => e.endianness === "big"));
    assert.ok(elves.some((e) => e.class === 32));
    assert.ok(new Set(elves.map((e) => e.machine)).size >= 6);
  });
});

describe("readelf views against GNU readelf", () => {
  it("-h and -l are the same text; the dynamic entries name the same libraries", () => {
    const differ: string[] = [];
    for (const f of corpus) {
      const elf = parseElf(readFileSync(f));
      if (formatHeader(elf) !== gnu(["-h", f])) differ.push(`${f}: -h`);
      if (formatProgramHeaders(elf) !== gnu(["-l", f])) differ.push(`${f}: -l`);
      assert.deepEqual(dynamicFacts(formatDynamic(elf)), dynamicFacts(gnu(["-d", f])), `${f}: -d`);
    }
    assert.deepEqual(differ, []);
  });

  it("xpkgs readelf prints -h as GNU readelf does, and --json the same facts", () => {
    const f = "/usr/bin/ls";
    const r = runCli(["readelf", "-h", f]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, gnu(["-h", f]));
    const j = runCli(["readelf", "--json", "-h", "-l", "-d", f]);
    const data = JSON.parse(j.stdout) as {
      header: { machine: number; entry: number };
      interpreter: string;
      needed: string[];
    };
    const elf = parseElf(readFileSync(f));
    assert.equal(data.header.machine, 62);
    assert.equal(data.header.entry, elf.entry);
    assert.equal(data.interpreter, "/lib64/ld-linux-x86-64.so.2");
    assert.ok(data.needed.includes("libc.so.6"));
  });
});

describe("file words against file(1)", () => {
  it("describe every ELF file of the corpus in the same words", () => {
    const differ: string[] = [];
    for (const f of corpus) {
      const theirs = execFileSync("file", ["-b", f], { encoding: "utf8" }).trim();
      const ours = describePath(f);
      if (ours !== theirs) differ.push(`${f}\n  ours:   ${ours}\n  theirs: ${theirs}`);
    }
    assert.deepEqual(differ, []);
  });
});

describe("corrupt input", () => {
  const good = readFileSync("/usr/bin/true");
  it("a truncated file is an ElfFormatError that says where", () => {
    assert.throws(
      () => parseElf(good.subarray(0, 100)),
      (e: unknown) => e instanceof ElfFormatError && /program header table/.test(e.message),
    );
  });
  it("a section table past the end of the file is an ElfFormatError", () => {
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(BigInt(good.length + 10), 0x28); // e_shoff
    assert.throws(() => parseElf(bad), ElfFormatError);
  });
  it("an interpreter with no bytes (as in separate debug files) is *empty*, as file(1) says", () => {
    const bad = Buffer.from(good);
    const elf = parseElf(bad);
    const i = elf.programHeaders.findIndex((p) => p.type === 3);
    bad.writeBigUInt64LE(0n, elf.phoff + i * elf.phentsize + 32); // p_filesz
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-elf-"));
    writeFileSync(join(dir, "debug"), bad, { mode: 0o644 });
    assert.equal(parseElf(bad).interpreter, "");
    assert.equal(
      describePath(join(dir, "debug")),
      execFileSync("file", ["-b", join(dir, "debug")], { encoding: "utf8" }).trim(),
    );
  });
  it("the commands print one paragraph and exit 1, without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-elf-"));
    writeFileSync(join(dir, "cut"), good.subarray(0, 100));
    const r = runCli(["readelf", "-h", join(dir, "cut")]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^error: .*cut: not a valid ELF file: the program header table .* lies outside the file/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const f = runCli(["file", join(dir, "cut")]);
    assert.equal(f.status, 0);
    assert.match(f.stdout, /cut: ELF, corrupt: /);
    const n = runCli(["readelf", "-h", "/etc/passwd"]);
    assert.equal(n.status, 1);
    assert.match(n.stderr, /is not an ELF file/);
  });
});

describe("fuzzing", () => {
  it("20,000 mutants of five machines' files: only ElfFormatErrors, none slow", () => {
    const seeds = [
      "/usr/bin/true",
      ...["arm-linux-gnueabihf", "mips-linux-gnu", "s390x-linux-gnu", "powerpc64le-linux-gnu"]
        .map((t) => `/usr/${t}/lib/libdl.so.2`)
        .filter((p) => existsSync(p)),
    ].map((p) => readFileSync(p));
    assert.ok(seeds.length >= 4);
    const stats = fuzz(seeds, 20_000, 20261125);
    assert.deepEqual(
      stats.failures.map((f) => `#${f.iteration}: ${f.error}`),
      [],
    );
    // The mutants must reach past the header checks, or the fuzz proves little.
    assert.ok(stats.rejected < stats.iterations * 0.95, `${stats.rejected} rejected`);
  });
});

describe("ldd", () => {
  it("finds the same libraries as the loader for a host program", () => {
    const ours = ldd("/usr/bin/ls")
      .libraries.map((l) => `${l.name} ${l.path}`)
      .filter((l) => !l.startsWith("ld-linux"));
    const theirs = execFileSync("ldd", ["/usr/bin/ls"], { encoding: "utf8" })
      .split("\n")
      .map((l) => /^\s*(\S+) => (\S+)/.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(ours.sort(), theirs.sort());
  });
  it("resolves a foreign library under a sysroot without running it", () => {
    const root = "/usr/aarch64-linux-gnu";
    const r = ldd(`${root}/lib/libm.so.6`, root);
    assert.equal(r.libraries.find((l) => l.name === "libc.so.6")?.path, `${root}/lib/libc.so.6`);
  });
});

describe("the portability report", () => {
  it("gives the glibc a dynamic program needs, and calls a static one portable", () => {
    const ls = inspectTree("/usr/bin/ls", "/xpkgs/store").reports[0]!;
    assert.equal(ls.static, false);
    assert.match(ls.glibc ?? "", /^2\.\d+$/);
    assert.match(ls.verdict, /^needs glibc ≥ 2\.\d+ and libselinux\.so\.1$/);
    const ldconfig = inspectTree("/sbin/ldconfig", "/xpkgs/store").reports[0]!;
    assert.equal(ldconfig.static, true);
    assert.equal(ldconfig.verdict, "portable: runs on any Linux/x86_64");
  });
});
