#!/usr/bin/env node
// Makes xpkgs start fast (bench/startup.mjs measures it; docs/elf.md has the figures):
//
// - dist/bundle/: the compiled CLI (dist/cli/main.js) bundled, one entry and one chunk per
//   lazily loaded command, so that a command loads a few files instead of dozens of modules;
// - dist/snapshot/xpkgs.blob: a V8 start-up snapshot of the whole CLI in one script, with the
//   ELF commands loaded and run once, so that `patchelf`, `readelf`, `file` and `ldd` start
//   with their code compiled, as fast as a bare `node -e 0`;
// - dist/bin/xpkgs: the launcher `npm link` puts on PATH. It starts the ELF commands from the
//   snapshot (when it is newer than the node binary that made it), and everything else from
//   the bundle.
//
// The bundles sit two folders below the checkout, as dist/cli/ does, so paths made from
// import.meta.url (package.json, src/stdenv/setup.sh) resolve the same. Native and loader
// packages (better-sqlite3, tsx) stay outside; the snapshot's commands never load them.
import { buildSync } from "esbuild";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";

const dist = new URL("../dist/", import.meta.url).pathname;
const entry = `${dist}cli/main.js`;
const external = ["better-sqlite3", "tsx", "tsx/*", "esbuild", "@aws-sdk/*"];

rmSync(`${dist}bundle`, { recursive: true, force: true });
buildSync({
  entryPoints: [entry],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: `${dist}bundle`,
  external,
  // Bundled CommonJS packages (commander) call require(): give ESM one.
  banner: {
    js: 'import { createRequire as __xpkgsRequire } from "node:module"; const require = __xpkgsRequire(import.meta.url);',
  },
  logLevel: "error",
});
chmodSync(`${dist}bundle/main.js`, 0o755);

// The snapshot is made from one classic script. While it is made, require() knows only
// Node's built-in modules; a package is required through createRequire when first used.
rmSync(`${dist}snapshot`, { recursive: true, force: true });
mkdirSync(`${dist}snapshot`);
const script = `${dist}snapshot/xpkgs.cjs`;
const blob = `${dist}snapshot/xpkgs.blob`;
buildSync({
  entryPoints: [entry],
  bundle: true,
  format: "iife",
  platform: "node",
  target: "node20",
  outfile: script,
  external,
  define: { "import.meta.url": "__xpkgsUrl" },
  banner: {
    js: [
      'var __xpkgsUrl = require("node:url").pathToFileURL(__filename).href;',
      "var require = (function (builtin, file) {",
      "  var full;",
      "  return function (id) {",
      '    if (id.startsWith("node:") || builtin("node:module").isBuiltin(id)) return builtin(id);',
      '    full = full || builtin("node:module").createRequire(file);',
      "    return full(id);",
      "  };",
      "})(require, __filename);",
    ].join("\n"),
  },
  logLevel: "error",
});
const made = spawnSync(
  process.execPath,
  ["--no-warnings", "--snapshot-blob", blob, "--build-snapshot", script],
  { encoding: "utf8" },
);
if (made.status !== 0) {
  throw new Error(`bundle: the start-up snapshot could not be made:\n${made.stdout}${made.stderr}`);
}

const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
mkdirSync(`${dist}bin`, { recursive: true });
writeFileSync(
  `${dist}bin/xpkgs`,
  `#!/bin/sh
# xpkgs' launcher, made by scripts/bundle.mjs: the ELF commands start from a V8 snapshot
# made by this node binary (unless node is newer than the snapshot), the rest from the bundle.
case "$1" in
patchelf | readelf | file | ldd)
  if [ ${q(blob)} -nt ${q(process.execPath)} ]; then
    exec ${q(process.execPath)} --snapshot-blob ${q(blob)} -- "$@"
  fi
  ;;
esac
exec node ${q(`${dist}bundle/main.js`)} "$@"
`,
  { mode: 0o755 },
);
