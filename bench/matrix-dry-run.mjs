#!/usr/bin/env node
// `xpkgs matrix --dry-run` over the whole default matrix (every package × native and every
// platform with a cross compiler and qemu × dynamic and static: thousands of derivations),
// as a user runs it (the launcher dist/bin/xpkgs), beside a bare `node -e 0` measured in the
// same rounds. Target: ≤ 3 s. Nothing is built; like every command, it clears stale
// temporary paths of the store the environment names.
// Usage: npm run build && node bench/matrix-dry-run.mjs [ROUNDS (default 5)]
import { spawnSync } from "node:child_process";

const rounds = Number(process.argv[2] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`ROUNDS is a whole number of at least 1, not '${process.argv[2]}'`);
  process.exit(2);
}
const launcher = new URL("../dist/bin/xpkgs", import.meta.url).pathname;
const time = (cmd, args) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: r.stdout };
};
const node = [];
const dry = [];
let summary = "";
for (let r = 0; r <= rounds; r++) {
  const n = time(process.execPath, ["-e", "0"]);
  const d = time(launcher, ["matrix", "--dry-run"]);
  if (r === 0) continue; // the first round warms the page cache
  node.push(n.ms);
  dry.push(d.ms);
  summary = d.out.trim().split("\n").at(-1);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = median(dry);
console.log(`xpkgs matrix --dry-run, whole matrix, median of ${rounds} rounds`);
console.log(`  ${summary}`);
console.log(`| node -e 0 | ${median(node).toFixed(0)} ms |`);
console.log(
  `| xpkgs matrix --dry-run | ${(m / 1000).toFixed(2)} s (${(m / median(node)).toFixed(1)} × node -e 0; target ≤ 3 s: ${m <= 3000 ? "met" : "missed"}) |`,
);
