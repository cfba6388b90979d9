#!/usr/bin/env node
// Benchmarks for the store and the builder (npm run bench). Figures go to
// stdout as a Markdown table; docs/builds.md records them with the machine.
// Needs `npm run build` first.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { makeTestStore, shellDerivation } from "../dist/build/testing.js";
import { narHashOf } from "../dist/store/nar.js";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const rows = [];
const record = (what, value, target) => {
  rows.push({ what, value, target });
  console.error(`${what}: ${value}`);
};

function time(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function xpkgs(t, args) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, ...t.env },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`xpkgs ${args.join(" ")} failed:\n${r.stderr}`);
  return r;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// 1. A build of something already built: the whole process, wall time.
{
  const t = makeTestStore();
  const d = t.add(shellDerivation("noop-built", "mkdir $out"));
  xpkgs(t, ["build", "--no-out-link", d.drvPath]);
  const runs = Array.from({ length: 9 }, () =>
    time(() => xpkgs(t, ["build", "--no-out-link", d.drvPath])),
  );
  record(
    "`xpkgs build DRV` of a built derivation (process wall, median of 9)",
    `${median(runs).toFixed(0)} ms`,
    "≤ 300 ms",
  );
}

// 2. The builder's overhead: a derivation whose builder does nothing.
{
  const samples = [];
  for (let i = 0; i < 7; i++) {
    const t = makeTestStore();
    const d = t.add(shellDerivation(`noop-${i}`, "mkdir $out"));
    const total = time(() => xpkgs(t, ["build", "--no-out-link", d.drvPath]));
    const idle = time(() => xpkgs(t, ["build", "--no-out-link", d.drvPath]));
    samples.push(total - idle);
  }
  record(
    "builder overhead of a do-nothing derivation (median of 7)",
    `${median(samples).toFixed(0)} ms`,
    "≤ 50 ms",
  );
}

// 3. -j2 against -j1 on N independent derivations that each take 0.5 s.
{
  const n = 8;
  const wall = (jobs) => {
    const t = makeTestStore();
    const drvs = Array.from(
      { length: n },
      (_, i) => t.add(shellDerivation(`sleeper-${jobs}-${i}`, "sleep 0.5; mkdir $out")).drvPath,
    );
    return time(() => xpkgs(t, ["build", "--no-out-link", "-j", String(jobs), ...drvs]));
  };
  const j1 = wall(1);
  const j2 = wall(2);
  record(`${n} independent 0.5 s builds, -j1`, `${(j1 / 1000).toFixed(2)} s`, "");
  record(
    `${n} independent 0.5 s builds, -j2`,
    `${(j2 / 1000).toFixed(2)} s (${(j2 / j1).toFixed(2)} × -j1)`,
    "≤ 0.6 × -j1",
  );
}

// 4. NAR hashing of a 100 MB tree.
{
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-bench-nar-"));
  mkdirSync(join(dir, "t"));
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < 100; i++) writeFileSync(join(dir, "t", `f${i}`), chunk);
  narHashOf(join(dir, "t")); // warm the page cache
  const runs = Array.from({ length: 5 }, () => time(() => narHashOf(join(dir, "t"))));
  const mbps = 100 / (median(runs) / 1000);
  record("NAR hash of a 100 MiB tree (median of 5)", `${mbps.toFixed(0)} MiB/s`, "≥ 300 MB/s");
  rmSync(dir, { recursive: true, force: true });
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, ${execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim()}`;
console.log(`Machine: ${machine}\n`);
console.log("| benchmark | measured | target |\n| --- | --- | --- |");
for (const r of rows) console.log(`| ${r.what} | ${r.value} | ${r.target} |`);
