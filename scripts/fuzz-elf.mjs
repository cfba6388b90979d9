#!/usr/bin/env node
// The long fuzz of the ELF toolkit: N mutants (default 1,000,000) of real
// files of five machines through every reader and formatter, then one to
// three patchelf edits in a row (every kind of edit; each that succeeds must
// read back as asked). Prints the figures for docs/elf.md; exit 1 on any failure.
// Usage: npm run build && node scripts/fuzz-elf.mjs [N] [seed]
import { existsSync, readFileSync } from "node:fs";
import { fuzz } from "../dist/elf/fuzz.js";

const n = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const files = [
  "/usr/bin/true",
  ...[
    "arm-linux-gnueabihf",
    "mips-linux-gnu",
    "s390x-linux-gnu",
    "powerpc64le-linux-gnu",
    "aarch64-linux-gnu",
  ].map((t) => `/usr/${t}/lib/libdl.so.2`),
].filter((f) => existsSync(f));
const seeds = files.map((f) => readFileSync(f));
const chunk = 50_000;
let done = 0;
let rejected = 0;
let slowest = 0;
const started = Date.now();
while (done < n) {
  const k = Math.min(chunk, n - done);
  const s = fuzz(seeds, k, seed + done);
  rejected += s.rejected;
  slowest = Math.max(slowest, s.slowestMs);
  if (s.failures.length > 0) {
    for (const f of s.failures) console.error(`mutant ${done + f.iteration}: ${f.error}`);
    process.exit(1);
  }
  done += k;
  console.error(`${done} / ${n} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
const secs = (Date.now() - started) / 1000;
console.log(
  `${n} mutants of ${files.length} files (${files.join(", ")}), seed ${seed}: 0 failures; ` +
    `${rejected} (${((100 * rejected) / n).toFixed(1)} %) rejected by the parser with an ElfFormatError, ` +
    `the rest read, formatted and edited; slowest input ${slowest.toFixed(0)} ms; ` +
    `${secs.toFixed(0)} s in all (${(n / secs).toFixed(0)} inputs/s).`,
);
