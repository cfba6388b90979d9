// xpkgs readelf against GNU readelf 2.40, byte for byte: a stable sample of
// this machine's ELF files (every machine, class and byte order of the
// corpus, then every k-th file by path) through every view, narrow and wide.
// scripts/readelf-diff.mjs runs the whole corpus.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../cli/testing.js";
import {
  crossDirs,
  elfFilesUnder,
  elfKind,
  gnuReadelf,
  inPool,
  stableSample,
} from "./corpus-testing.js";
import { parseElf } from "./parse.js";
import { readElfFile } from "./read-file.js";
import { formatReadelf, readelfViewOptions } from "./readelf.js";

const VIEWS = ["-h", "-l", "-S", "-s", "--dyn-syms", "-n", "-V", "-r", "-d", "-e"];
/** Big files make the test slow without adding cases. */
const MAX_BYTES = 3 << 20;

const corpus = ["/usr/bin", "/usr/lib/x86_64-linux-gnu", ...crossDirs].flatMap((d) =>
  elfFilesUnder(d, MAX_BYTES),
);
const sample = stableSample(corpus, 150);

function firstDifference(theirs: string, ours: string): string {
  const a = theirs.split("\n");
  const b = ours.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}\n    gnu:  ${a[i] ?? "<end>"}\n    ours: ${b[i] ?? "<end>"}`;
  }
  return "";
}

describe("readelf views against GNU readelf, byte for byte", () => {
  it("the sample covers every machine, class and byte order of the corpus", () => {
    const all = new Set(corpus.map(elfKind));
    const sampled = new Set(sample.map(elfKind));
    assert.deepEqual([...sampled].sort(), [...all].sort());
    assert.ok(sample.length >= 140, `${sample.length} files`);
    assert.ok(all.size >= 8, [...all].join(" "));
  });

  it(`-h -l -S -s --dyn-syms -n -V -r -d -e, narrow and -W, on ${sample.length} files`, async () => {
    const differ: string[] = [];
    let compared = 0;
    await inPool(sample, 2, async (f) => {
      const elf = parseElf(readElfFile(f, true));
      for (const view of VIEWS) {
        for (const wide of [false, true]) {
          const g = await gnuReadelf([view, ...(wide ? ["-W"] : []), f]);
          // A file GNU readelf itself refuses is no yardstick.
          if (g.status !== 0 || /Error:/.test(g.stderr)) continue;
          compared++;
          const ours = formatReadelf(elf, readelfViewOptions([view], wide));
          if (ours !== g.stdout) {
            differ.push(`${f} ${view}${wide ? " -W" : ""}: ${firstDifference(g.stdout, ours)}`);
          }
        }
      }
    });
    assert.deepEqual(differ, []);
    assert.ok(compared >= sample.length * VIEWS.length, `${compared} comparisons`);
  });

  it("addresses above 2^53 (as ia64's) are exact in -h and -l", async () => {
    const bytes = Buffer.from(readFileSync("/usr/bin/true"));
    const elf = parseElf(bytes);
    const load = elf.programHeaders.findIndex((p) => p.type === 1);
    bytes.writeBigUInt64LE(0x4000000000000040n, 24); // e_entry
    const at = elf.phoff + load * elf.phentsize;
    bytes.writeBigUInt64LE(0x4000000000000000n, at + 16); // p_vaddr
    bytes.writeBigUInt64LE(0x4000000000000008n, at + 24); // p_paddr
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-readelf-"));
    const f = join(dir, "high");
    writeFileSync(f, bytes);
    const high = parseElf(readFileSync(f));
    assert.equal(high.entryExact, 0x4000000000000040n);
    assert.equal(high.programHeaders[load]!.exact.vaddr, 0x4000000000000000n);
    for (const wide of [false, true]) {
      const g = await gnuReadelf(["-h", ...(wide ? ["-W"] : []), f]);
      assert.equal(formatReadelf(high, readelfViewOptions(["-h"], wide)), g.stdout);
    }
    const l = formatReadelf(high, readelfViewOptions(["-l"], true));
    assert.match(l, /0x4000000000000000 0x4000000000000008/);
    assert.match(l, /Entry point 0x4000000000000040/);
  });

  it("xpkgs readelf takes -r, -e and -W/--wide and prints GNU readelf's text", async () => {
    const f = "/usr/bin/true";
    for (const args of [["-r"], ["-e"], ["-S", "-W"], ["--wide", "-s"], ["-r", "-d", "-W"]]) {
      const r = runCli(["readelf", ...args, f]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, (await gnuReadelf([...args, f])).stdout, args.join(" "));
    }
  });
});
