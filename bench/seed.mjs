#!/usr/bin/env node
// The seed's attribute: evaluation time (printing its drvPath) and the no-op
// rebuild of a built output, as whole processes. Builds it first when the
// store does not have it (XPKGS_STORE_DIR, default a fresh temporary store).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped";
const env = {
  ...process.env,
  XPKGS_STORE_DIR:
    process.env.XPKGS_STORE_DIR ?? join(mkdtempSync(join(tmpdir(), "xpkgs-bench-seed-")), "store"),
};

function run(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`xpkgs ${args.join(" ")}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

run(["build", "--no-out-link", "-q", attr]);
const node = median(
  Array.from({ length: 5 }, () => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", "0"]);
    return Number(process.hrtime.bigint() - start) / 1e6;
  }),
);
const evaluation = median(Array.from({ length: 7 }, () => run(["show", "--json", attr])));
const noop = median(Array.from({ length: 7 }, () => run(["build", "--no-out-link", "-q", attr])));
console.log(`| \`node -e 0\` (Node start-up alone) | ${node.toFixed(0)} ms | |`);
console.log(
  `| evaluation: \`xpkgs show --json ${attr}\` | ${evaluation.toFixed(0)} ms | ≤ 200 ms |`,
);
console.log(`| no-op rebuild: \`xpkgs build ${attr}\` | ${noop.toFixed(0)} ms | ≤ 300 ms |`);
