#!/usr/bin/env node
// Runs every compiled test under dist/ with Node's test runner.
// Files named *.e2e.test.js are the slow end-to-end tests: --skip-slow leaves them out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
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
// The end-to-end package tests share one fresh store per run, so musl and
// zlib build once for all of them (their locks make the sharing safe).
const shared = mkdtempSync(join(tmpdir(), "xpkgs-e2e-"));
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env: {
    ...process.env,
    XPKGS_E2E_STORE: join(shared, "store"),
    XPKGS_E2E_CACHE: join(shared, "cache"),
  },
});
process.exit(r.status ?? 1);
