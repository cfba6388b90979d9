#!/usr/bin/env node
// `xpkgs readelf` against GNU readelf on every ELF file of this machine's
// corpus: /usr/bin, /usr/lib/x86_64-linux-gnu (recursive), every
// /usr/<triple>/lib of the cross sysroots, and any extra directories given.
// For each view (-h -l -S -s --dyn-syms -n -V -r -d -e), narrow and wide
// (-W), it counts the files whose text is identical, the files that differ
// (with the first differing line of a few), and the files GNU readelf itself
// refuses (an error on stderr or a non-zero exit), apart.
// Usage: npm run build && node scripts/readelf-diff.mjs [--json FILE] [--jobs N]
//        [--views -S,-d] [--only-wide|--only-narrow] [--examples N] [--only] [DIR…]
// (--only: the directories given, not the default corpus; --help: this text.)
import { execFile } from "node:child_process";
import { closeSync, lstatSync, openSync, readdirSync, readSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readElfFile } from "../dist/elf/read-file.js";
import { parseElf } from "../dist/elf/parse.js";
import { formatReadelf, readelfViewOptions } from "../dist/elf/readelf.js";

const ALL_VIEWS = ["-h", "-l", "-S", "-s", "--dyn-syms", "-n", "-V", "-r", "-d", "-e"];

const args = process.argv.slice(2);
let jsonOut = null;
let jobs = 2;
let views = ALL_VIEWS;
let layouts = ["narrow", "wide"];
let examplesPerView = 5;
let onlyGiven = false;
const extra = [];
const USAGE = `Usage: node scripts/readelf-diff.mjs [options] [DIR…]
Compares GNU readelf and xpkgs readelf (dist/, so build first) on every ELF file of
/usr/bin, /usr/lib/x86_64-linux-gnu and each /usr/<triple>/lib, plus each DIR.
  --json FILE          write the figures and examples to FILE
  --jobs N             files compared at once (default 2)
  --views -S,-d        only these views (default: ${ALL_VIEWS.join(" ")})
  --only-wide          only with -W
  --only-narrow        only without -W
  --examples N         differing files shown per view and layout (default 5)
  --only               only the DIRs given, not the default corpus
  --help               this text`;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--json") jsonOut = args[++i];
  else if (a === "--jobs") jobs = Number(args[++i]);
  else if (a === "--views") views = args[++i].split(",");
  else if (a === "--only-wide") layouts = ["wide"];
  else if (a === "--only-narrow") layouts = ["narrow"];
  else if (a === "--examples") examplesPerView = Number(args[++i]);
  else if (a === "--only") onlyGiven = true;
  else if (a === "--help" || a === "-h") {
    console.log(USAGE);
    process.exit(0);
  } else if (a.startsWith("-")) {
    console.error(`readelf-diff: unknown option ${a}\n${USAGE}`);
    process.exit(2);
  } else extra.push(a);
}

function isElfPath(p) {
  const b = Buffer.alloc(4);
  let fd;
  try {
    fd = openSync(p, "r");
    return readSync(fd, b, 0, 4, 0) === 4 && b.readUInt32BE(0) === 0x7f454c46;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Regular files only (a symbolic link is the file it names, counted once there). */
function walk(dir, out) {
  let names;
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && st.size >= 16 && isElfPath(p)) out.push(p);
  }
}

const roots = [
  ...(onlyGiven
    ? []
    : [
        "/usr/bin",
        "/usr/lib/x86_64-linux-gnu",
        ...readdirSync("/usr")
          .filter((d) => /-linux-gnu/.test(d))
          .sort()
          .map((d) => `/usr/${d}/lib`),
      ]),
  ...extra,
];
const files = [];
for (const r of roots) walk(r, files);

function gnu(view, wide, file) {
  const argv = [view, ...(wide ? ["-W"] : []), file];
  return new Promise((resolve) => {
    execFile(
      "readelf",
      argv,
      { encoding: "latin1", maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: "C" } },
      (err, stdout, stderr) => {
        resolve({ stdout, stderr, status: err ? (err.code ?? 1) : 0 });
      },
    );
  });
}

function ours(elf, view, wide) {
  return formatReadelf(elf, readelfViewOptions([view], wide));
}

function firstDifference(a, b) {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return { line: i + 1, gnu: x[i] ?? "<end>", ours: y[i] ?? "<end>" };
  }
  return { line: 0, gnu: "", ours: "" };
}

const figures = {};
for (const v of views) {
  for (const l of layouts) {
    figures[`${v} ${l}`] = { identical: 0, differ: 0, gnuError: 0, total: 0, examples: [] };
  }
}

const started = Date.now();
let done = 0;
async function one(file) {
  let elf = null;
  let parseError = null;
  try {
    elf = parseElf(readElfFile(file, true));
  } catch (e) {
    parseError = e instanceof Error ? e.message : String(e);
  }
  for (const v of views) {
    for (const l of layouts) {
      const f = figures[`${v} ${l}`];
      const g = await gnu(v, l === "wide", file);
      f.total++;
      if (g.status !== 0 || /Error:/.test(g.stderr)) {
        f.gnuError++;
        continue;
      }
      let text;
      try {
        text = elf === null ? `<parse error: ${parseError}>` : ours(elf, v, l === "wide");
      } catch (e) {
        text = `<error: ${e instanceof Error ? e.message : String(e)}>`;
      }
      if (text === g.stdout) {
        f.identical++;
      } else {
        f.differ++;
        if (f.examples.length < examplesPerView) {
          f.examples.push({ file, ...firstDifference(g.stdout, text) });
        }
      }
    }
  }
  done++;
  if (done % 100 === 0) {
    process.stderr.write(
      `${done} / ${files.length} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
    );
  }
}

let next = 0;
async function worker() {
  while (next < files.length) await one(files[next++]);
}
await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
const seconds = (Date.now() - started) / 1000;

const rows = Object.entries(figures);
console.log(`${files.length} ELF files under ${roots.join(", ")}; ${seconds.toFixed(0)} s\n`);
console.log("| view | layout | identical | differ | GNU error | identical / compared |");
console.log("| ---- | ------ | --------- | ------ | --------- | -------------------- |");
for (const [k, f] of rows) {
  const [v, l] = k.split(" ");
  const compared = f.identical + f.differ;
  const pct = compared === 0 ? "-" : `${((100 * f.identical) / compared).toFixed(1)} %`;
  console.log(`| ${v} | ${l} | ${f.identical} | ${f.differ} | ${f.gnuError} | ${pct} |`);
}
for (const [k, f] of rows) {
  if (f.examples.length === 0) continue;
  console.log(`\n${k}:`);
  for (const e of f.examples) {
    console.log(`  ${e.file} line ${e.line}\n    gnu:  ${e.gnu}\n    ours: ${e.ours}`);
  }
}
if (jsonOut !== null) {
  writeFileSync(
    jsonOut,
    `${JSON.stringify({ files: files.length, roots, seconds, views: figures }, null, 2)}\n`,
  );
}
