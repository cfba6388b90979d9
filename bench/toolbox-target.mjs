#!/usr/bin/env node
// The whole toolbox for one new target, cold but with the sources cached: every package of
// the collection for pkgsCross.TARGET.pkgsStatic (default riscv64), built by `xpkgs matrix`
// with -j JOBS (default 2) on a fresh store, each cell smoke-tested as the matrix does.
// It prints the wall time and the scheduler's parallel efficiency: the sum of the
// derivations' build times (the "built NAME in T" lines) ÷ (JOBS × wall time); target ≥ 0.85.
// The download cache should hold the sources (a run of the same cells on another store fills
// it): fetches are not counted as build time, and their own sum is printed beside.
// Usage: npm run build && node bench/toolbox-target.mjs [TARGET] [--jobs N]
//          [--store DIR (an existing store dir instead of a fresh one)] [--json FILE (merge the
//          cells into FILE, e.g. docs/matrix.json)] [--packages a,b]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const jobs = Number(flag("--jobs") ?? 2);
const givenStore = flag("--store");
const givenJson = flag("--json");
const packages = flag("--packages");
const target = args[0] ?? "riscv64";
const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;

const root = mkdtempSync(join(tmpdir(), "xpkgs-bench-toolbox-"));
const storeDir = givenStore ?? join(root, "store");
const json = givenJson ?? join(root, "matrix.json");
const matrixArgs = [cli, "matrix", "--targets", target, "--static", "-j", String(jobs)];
if (packages !== undefined) matrixArgs.push("--packages", packages);
matrixArgs.push("--json", json);

const start = Date.now();
const startedAt = new Date(start).toISOString();
const child = spawn(process.execPath, matrixArgs, {
  env: { ...process.env, XPKGS_STORE_DIR: storeDir },
  stdio: ["ignore", "pipe", "pipe"],
});
let buildSeconds = 0;
let builds = 0;
let fetchSeconds = 0;
let tail = "";
const seconds = (text) => {
  // The reporter's durations: "52.1s".
  const m = /^([\d.]+)s$/.exec(text);
  if (m === null) throw new Error(`a duration the bench cannot read: '${text}'`);
  return Number(m[1]);
};
child.stderr.setEncoding("utf8");
child.stderr.on("data", (chunk) => {
  const text = tail + chunk;
  const lines = text.split("\n");
  tail = lines.pop() ?? "";
  for (const line of lines) {
    process.stderr.write(`${line}\n`);
    // "built NAME in T", or "built NAME on HOST in T" for a remote builder.
    const built = /^built (\S+)(?: on \S+)? in (\S+)$/.exec(line);
    if (built !== null) {
      builds++;
      buildSeconds += seconds(built[2]);
    }
    const fetched = /^fetched (\S+) in (\S+)$/.exec(line);
    if (fetched !== null) fetchSeconds += seconds(fetched[2]);
  }
});
let out = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (c) => (out += c));
const code = await new Promise((res) => child.on("close", res));
const wall = (Date.now() - start) / 1000;
process.stdout.write(out);
const cleanUp = () => {
  if (givenStore === undefined) rmSync(root, { recursive: true, force: true });
};
if (code !== 0) {
  console.error(`xpkgs matrix exited ${code}`);
  cleanUp();
  process.exit(1);
}
// This run's cells only: --json may name a file that holds earlier runs' too.
const cells = JSON.parse(readFileSync(json, "utf8")).cells.filter(
  (c) => c.target === target && c.linkage === "static" && c.checkedAt >= startedAt,
);
const ran = cells.filter((c) => c.status === "ran").length;
const efficiency = buildSeconds / (jobs * wall);
console.log(
  `\ntoolbox for pkgsCross.${target}.pkgsStatic, -j${jobs}, ` +
    (givenStore === undefined ? "fresh store" : `store ${storeDir}`) +
    ", sources cached",
);
console.log(`| cells | ${cells.length}, ${ran} built and ran |`);
console.log(`| derivations built | ${builds} |`);
console.log(`| wall time | ${(wall / 60).toFixed(1)} min |`);
console.log(`| sum of build times | ${(buildSeconds / 60).toFixed(1)} min |`);
console.log(
  `| parallel efficiency | ${efficiency.toFixed(2)} (sum ÷ (${jobs} × wall); target ≥ 0.85) |`,
);
console.log(`| fetches (not counted above) | ${fetchSeconds.toFixed(1)} s |`);
cleanUp();
