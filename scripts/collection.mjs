#!/usr/bin/env node
// The collection matrix: every package, native and aarch64, dynamic and
// static, built by xpkgs one cell at a time and judged (main program's ELF
// facts and its smoke test, run natively or under qemu-user). Prints a
// Markdown table for docs/collection.md; failing cells keep their cause.
// Usage: npm run build && node scripts/collection.mjs [package…]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectionColumns, collectionPackages, judgeCell } from "../dist/pkgs/collection.js";
import { PackageUniverse } from "../dist/pkgs/top-level.js";
import { buildMachinePlatform } from "../dist/systems/elaborate.js";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : collectionPackages();
const root = mkdtempSync(join(tmpdir(), "xpkgs-collection-"));
const storeDir = process.env.XPKGS_STORE_DIR ?? join(root, "store");
const env = { ...process.env, XPKGS_STORE_DIR: storeDir };
const universe = new PackageUniverse(buildMachinePlatform(), storeDir);

function firstError(stderr) {
  const m = /error: ([^\n]*)/.exec(stderr);
  const tail = [...stderr.matchAll(/^\s+> (.*)$/gm)]
    .map((x) => x[1])
    .filter((l) => /error|Error|undefined reference|cannot/.test(l));
  return `${m ? m[1] : "unknown"}${tail.length > 0 ? ` — ${tail[tail.length - 1]}` : ""}`;
}

const rows = [];
let failed = 0;
for (const name of names) {
  const cells = [];
  for (const column of collectionColumns) {
    const attr = `${column.prefix}${name}`;
    const started = Date.now();
    const r = spawnSync(process.execPath, [cli, "build", "-q", "--no-out-link", attr], {
      env,
      encoding: "utf8",
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    let verdict;
    if (r.status !== 0) verdict = { ok: false, text: `build failed: ${firstError(r.stderr)}` };
    else verdict = judgeCell(universe.resolve(attr));
    if (!verdict.ok) failed++;
    console.error(`${attr}: ${verdict.ok ? "ok" : "FAIL"} (${seconds} s) ${verdict.text}`);
    cells.push(verdict.text.replace(/\|/g, "\\|"));
  }
  rows.push(`| ${name} | ${cells.join(" | ")} |`);
}
const gcc = execFileSync("gcc", ["--version"], { encoding: "utf8" }).split("\n")[0];
console.log(`Host: ${buildMachinePlatform().config}, ${gcc}; store ${storeDir}\n`);
console.log(`| package | ${collectionColumns.map((c) => c.label).join(" | ")} |`);
console.log(`| --- | ${collectionColumns.map(() => "---").join(" | ")} |`);
for (const r of rows) console.log(r);
process.exitCode = failed > 0 ? 1 : 0;
