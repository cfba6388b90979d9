#!/usr/bin/env node
// Runs every compiled test under dist/ with Node's test runner.
// Files named *.e2e.test.js are the slow end-to-end tests: --skip-slow leaves them out.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const skipSlow = process.argv.includes("--skip-slow");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const files = walk("dist")
  .filter((f) => f.endsWith(".test.js"))
  .filter((f) => !(skipSlow && f.endsWith(".e2e.test.js")))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error("no test files found under dist/; run `npm run build` first");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
