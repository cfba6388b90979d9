#!/usr/bin/env node
// The import figure (issue 15): 30 well-known command-line tools that the collection lacks, each
// imported with `xpkgs import debian:NAME --try pkgsCross.aarch64-multiplatform.pkgsStatic` and no
// hand edit. Records, per tool, whether it built and ran under qemu (on a Cortex-A53's model), and
// what stopped it. Writes docs/import-figure.json and docs/import-figure.md. Run outside CI:
//   node scripts/import-figure.mjs            (uses the store and caches of the environment)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const tools = {
  network: [
    "iperf3",
    "mtr-tiny",
    "fping",
    "arping",
    "netcat-openbsd",
    "whois",
    "nload",
    "iftop",
    "picocom",
    "minicom",
  ],
  disk: ["pigz", "ncdu", "hdparm", "smartmontools", "dosfstools", "mtools", "squashfs-tools"],
  text: ["figlet", "moreutils", "dos2unix", "ed", "bc", "gawk"],
  system: ["stress", "pwgen", "dtach", "screen", "sysstat", "dmidecode", "psmisc"],
};
const cli = new URL("../dist/bin/xpkgs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "xpkgs-import-figure-"));
const prefix = "pkgsCross.aarch64-multiplatform.pkgsStatic";
const mdOnly = process.argv.includes("--md-only");
const results = mdOnly
  ? JSON.parse(readFileSync(new URL("../docs/import-figure.json", import.meta.url), "utf8")).results
  : [];
if (!mdOnly) await measure();
async function measure() {
  for (const [kind, names] of Object.entries(tools)) {
    for (const name of names) {
      const start = Date.now();
      const r = spawnSync(
        cli,
        ["import", `debian:${name}`, "-o", join(dir, `${name}.ts`), "--try", prefix],
        { encoding: "utf8", cwd: dir, timeout: 20 * 60_000, maxBuffer: 1 << 28 },
      );
      const err = (r.stderr ?? "").trim().split("\n");
      const ran = err.find((l) => / (--version|--help): /.test(l));
      const error = err.filter((l) => l.startsWith("error: ")).pop() ?? null;
      const row = {
        kind,
        name,
        ok: r.status === 0,
        seconds: Math.round((Date.now() - start) / 1000),
        ran: ran ?? null,
        stopped:
          r.status === 0 ? null : (error ?? `exit ${r.status ?? r.signal}`).replace(/^error: /, ""),
      };
      results.push(row);
      process.stderr.write(
        `${name}: ${row.ok ? "ran" : `failed: ${row.stopped?.slice(0, 160)}`}\n`,
      );
    }
  }
}
const ok = results.filter((r) => r.ok).length;
const date = mdOnly
  ? JSON.parse(readFileSync(new URL("../docs/import-figure.json", import.meta.url), "utf8")).date
  : new Date().toISOString().slice(0, 10);
if (!mdOnly)
  writeFileSync(
    new URL("../docs/import-figure.json", import.meta.url),
    `${JSON.stringify({ date, prefix, ok, total: results.length, results }, null, 2)}\n`,
  );
// One table cell: no terminal escapes, no line breaks, no pipes, no store hashes, short.
const cell = (t) =>
  (t ?? "")
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-B]|[\x00-\x1f]/g, " ")
    .replace(/\/\S*\/store\/[0-9a-z]{32}-/g, "…/")
    .replace(/\|/g, "\\|")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 160);
const md = [
  `# The import figure`,
  "",
  `${ok} of ${results.length} tools (${Math.round((100 * ok) / results.length)} %) built for \`${prefix}\` and ran under qemu`,
  `straight from \`xpkgs import debian:NAME --try ${prefix}\`, with no hand edit (${date}, made by`,
  "`node scripts/import-figure.mjs`; the tools are well-known command-line tools that the collection",
  "lacks).",
  "",
  (() => {
    const unfetchable = results.filter((r) =>
      /does not serve it \(HTTP 404\)/.test(r.stopped ?? ""),
    ).length;
    const fetchable = results.length - unfetchable;
    return (
      `${unfetchable} of the ${results.length} could not be fetched: the mirror this machine reaches serves ` +
      `only part of Debian's pool, and answers 404 for their tarballs or packaging. Of the ${fetchable} ` +
      `that could, ${ok} ran (${Math.round((100 * ok) / Math.max(fetchable, 1))} %).`
    );
  })(),
  "",
  "| kind | tool | result | what stopped it |",
  "| --- | --- | --- | --- |",
  ...results.map(
    (r) => `| ${r.kind} | ${r.name} | ${r.ok ? "ran" : "failed"} | ${cell(r.stopped ?? r.ran)} |`,
  ),
  "",
];
writeFileSync(new URL("../docs/import-figure.md", import.meta.url), md.join("\n"));
console.log(`${ok}/${results.length}`);
