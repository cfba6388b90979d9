#!/usr/bin/env node
// The ELF toolkit's speed: `xpkgs readelf -h -l -d` on a large binary against
// GNU readelf (process wall, Node start-up included), and parse throughput
// over a corpus (every ELF under /usr/bin, /usr/lib and /usr/<triple>/lib).
// Usage: npm run build && node bench/elf.mjs [LARGE-FILE]
import { spawnSync } from "node:child_process";
import { lstatSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { isElf, parseElf } from "../dist/elf/parse.js";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function wall(cmd, args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const corpus = [];
const walk = (p, depth) => {
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    if (depth > 6) return;
    for (const e of readdirSync(p)) walk(join(p, e), depth + 1);
  } else if (st.isFile() && st.size >= 64) corpus.push({ p, size: st.size });
};
for (const d of [
  "/usr/bin",
  "/usr/lib",
  ...readdirSync("/usr")
    .filter((d) => d.includes("-linux-"))
    .map((d) => `/usr/${d}/lib`),
]) {
  walk(d, 0);
}
const elves = corpus.filter(({ p }) => {
  try {
    return isElf(readFileSync(p).subarray(0, 4));
  } catch {
    return false;
  }
});
const large = process.argv[2] ?? elves.reduce((a, b) => (b.size > a.size ? b : a)).p;
const size = statSync(large).size;
const ours = median(
  Array.from({ length: 7 }, () =>
    wall(process.execPath, [cli, "readelf", "-h", "-l", "-d", large]),
  ),
);
const gnu = median(Array.from({ length: 7 }, () => wall("readelf", ["-h", "-l", "-d", large])));
const node = median(Array.from({ length: 7 }, () => wall(process.execPath, ["-e", "0"])));

let bytes = 0;
let failed = 0;
const start = process.hrtime.bigint();
for (const { p } of elves) {
  const b = readFileSync(p);
  bytes += b.length;
  try {
    parseElf(b);
  } catch {
    failed++;
  }
}
const secs = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `| \`readelf -h -l -d\` on ${large} (${(size / 2 ** 20).toFixed(1)} MiB), median of 7 | xpkgs ${ours.toFixed(0)} ms | GNU ${gnu.toFixed(0)} ms | ${(ours / gnu).toFixed(1)} × (target ≤ 3 ×) |`,
);
console.log(`| \`node -e 0\` (Node start-up alone) | ${node.toFixed(0)} ms | | |`);
console.log(
  `| parse (headers, sections, dynamic) of ${elves.length} ELF files, ${(bytes / 2 ** 20).toFixed(0)} MiB, reading included | ${(elves.length / secs).toFixed(0)} files/s | ${failed} rejected | |`,
);
