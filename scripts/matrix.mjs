#!/usr/bin/env node
// The target matrix: GNU hello for every named platform that has a Debian
// cross compiler, dynamic and static, built by xpkgs and run (natively or
// under qemu-user). Prints a Markdown table; failing cells keep their cause.
// Usage: npm run build && node scripts/matrix.mjs [platform…]
// Needs the cross compilers: `xpkgs doctor --install <platforms>`.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseElf, isStaticallyLinked, machineNames } from "../dist/elf/parse.js";
import { examplePlatform } from "../dist/systems/named.js";
import { buildMachinePlatform, elaboratePlatform } from "../dist/systems/elaborate.js";
import { programRunner } from "../dist/toolchains/runner.js";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const defaults = [
  "gnu64",
  "gnu32",
  "musl64",
  "musl32",
  "aarch64-multiplatform",
  "aarch64-multiplatform-musl",
  "armv7l-hf-multiplatform",
  "sheevaplug",
  "raspberryPi",
  "muslpi",
  "riscv64",
  "riscv64-musl",
  "powernv",
  "musl-power",
  "s390x",
  "mips-linux-gnu",
  "mipsel-linux-gnu",
  "mips64el-linux-gnuabi64",
];
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : defaults;
const root = mkdtempSync(join(tmpdir(), "xpkgs-matrix-"));
const env = { ...process.env, XPKGS_STORE_DIR: process.env.XPKGS_STORE_DIR ?? join(root, "store") };
const build = buildMachinePlatform();

function xpkgs(args) {
  return spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8", cwd: root });
}

function firstError(stderr) {
  const m = /error: ([^\n]*)/.exec(stderr);
  const tail = [...stderr.matchAll(/^\s+> (.*)$/gm)]
    .map((x) => x[1])
    .filter((l) => /error|Error|undefined reference|cannot/.test(l));
  return `${m ? m[1] : "unknown"}${tail.length > 0 ? ` — ${tail[tail.length - 1]}` : ""}`.replace(
    /\|/g,
    "\\|",
  );
}

function cell(attr, platform) {
  const r = xpkgs(["build", "--no-out-link", "-q", attr]);
  if (r.status !== 0) return { text: `failed: ${firstError(r.stderr)}`, ok: false };
  const out = r.stdout.trim().split("\n")[0];
  const bin = join(out, "bin", "hello");
  const elf = parseElf(readFileSync(bin));
  const kind = isStaticallyLinked(elf) ? "static" : `dynamic, ${elf.interpreter}`;
  const runner = programRunner(platform, build);
  if (runner === null) return { text: `built, cannot run here (${kind})`, ok: false };
  const cmd = [...runner, bin];
  const run = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8", timeout: 60_000 });
  const ran = run.stdout === "Hello, world!\n";
  return {
    text: `${ran ? "built, ran" : `built; run failed: ${(run.stderr || run.error?.message || "").trim().split("\n")[0]}`} (${machineNames[elf.machine] ?? elf.machine}, ${kind})`,
    ok: ran,
  };
}

const rows = [];
for (const name of names) {
  const dynamic = examplePlatform(name);
  const staticP = elaboratePlatform({ config: dynamic.config, gcc: dynamic.gcc, isStatic: true });
  const started = Date.now();
  const d = cell(`pkgsCross.${name}.hello`, dynamic);
  const s = cell(`pkgsCross.${name}.pkgsStatic.hello`, staticP);
  console.error(
    `${name}: ${d.ok ? "ok" : "FAIL"} / ${s.ok ? "ok" : "FAIL"} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  rows.push(`| ${name} | ${dynamic.config} | ${d.text} | ${s.text} |`);
}
const gcc = execFileSync("gcc", ["--version"], { encoding: "utf8" }).split("\n")[0];
console.log(`Host: ${build.config}, ${gcc}; store ${env.XPKGS_STORE_DIR}\n`);
console.log("| target | triple | dynamic | static (pkgsStatic: musl) |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(r);
