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
// This machine's mirror serves only part of Debian's pool. A tool whose tarball it does not
// serve (HTTP 404) cannot measure the importer, so it is replaced by the first candidate of the
// same kind, in this order (fixed before any was built), that the mirror serves; the table says
// which. On a full mirror (XPKGS_MIRRORS_DEBIAN) the first list is measured as it is.
const candidates = {
  network: [
    "traceroute",
    "netcat",
    "ngrep",
    "bmon",
    "ifstat",
    "arp-scan",
    "httping",
    "tcptraceroute",
    "iptraf-ng",
    "vnstat",
  ],
  disk: ["lzop", "cpio", "unzip", "zip", "lzip"],
  text: ["mawk", "diffutils", "sed"],
  system: ["time", "lsscsi", "cpulimit", "memtester", "pciutils"],
};
const cli = new URL("../dist/bin/xpkgs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "xpkgs-import-figure-"));
const prefix = "pkgsCross.aarch64-multiplatform.pkgsStatic";
const mdOnly = process.argv.includes("--md-only");
const saved = mdOnly
  ? JSON.parse(readFileSync(new URL("../docs/import-figure.json", import.meta.url), "utf8"))
  : null;
const results = saved?.results ?? [];
const notServed = saved?.notServed ?? [];
function attempt(kind, name) {
  const start = Date.now();
  const r = spawnSync(
    cli,
    ["import", `debian:${name}`, "-o", join(dir, `${name}.ts`), "--try", prefix],
    { encoding: "utf8", cwd: dir, timeout: 20 * 60_000, maxBuffer: 1 << 28 },
  );
  const err = (r.stderr ?? "").trim().split("\n");
  const ran = err.find((l) => / (--version|--help): /.test(l));
  const error = err.filter((l) => l.startsWith("error: ")).pop() ?? null;
  return {
    kind,
    name,
    ok: r.status === 0,
    seconds: Math.round((Date.now() - start) / 1000),
    ran: ran ?? null,
    stopped:
      r.status === 0 ? null : (error ?? `exit ${r.status ?? r.signal}`).replace(/^error: /, ""),
  };
}
const unserved = (row) => !row.ok && /does not serve it \(HTTP 404\)/.test(row.stopped ?? "");
async function measure() {
  for (const [kind, names] of Object.entries(tools)) {
    const spare = [...candidates[kind]];
    for (const name of names) {
      let row = attempt(kind, name);
      while (unserved(row)) {
        const next = spare.shift();
        notServed.push({ kind, name: row.name, stopped: row.stopped, replacedBy: next ?? null });
        process.stderr.write(
          `${row.name}: not served by the mirror; ${next ?? "no candidate left"}\n`,
        );
        if (next === undefined) break;
        row = { ...attempt(kind, next), replaces: name };
      }
      if (unserved(row)) continue;
      results.push(row);
      process.stderr.write(
        `${row.name}: ${row.ok ? "ran" : `failed: ${row.stopped?.slice(0, 160)}`}\n`,
      );
    }
  }
}
if (!mdOnly) await measure();
const ok = results.filter((r) => r.ok).length;
const date = mdOnly
  ? JSON.parse(readFileSync(new URL("../docs/import-figure.json", import.meta.url), "utf8")).date
  : new Date().toISOString().slice(0, 10);
if (!mdOnly)
  writeFileSync(
    new URL("../docs/import-figure.json", import.meta.url),
    `${JSON.stringify({ date, prefix, ok, total: results.length, results, notServed }, null, 2)}\n`,
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
  `The first list had ${notServed.length} tools whose tarballs the mirror this machine reaches does ` +
    "not serve (it holds only part of Debian's pool): each was replaced by the next candidate of its " +
    "kind, in an order fixed in the script before anything was built, that the mirror serves. " +
    "They are listed below the table.",
  "",
  "| kind | tool | result | what stopped it |",
  "| --- | --- | --- | --- |",
  ...results.map(
    (r) =>
      `| ${r.kind} | ${r.name}${r.replaces ? ` (for ${r.replaces})` : ""} | ${r.ok ? "ran" : "failed"} | ${cell(r.stopped ?? r.ran)} |`,
  ),
  "",
  "Not served by this mirror, and replaced:",
  "",
  "| kind | tool | replaced by | the mirror's answer |",
  "| --- | --- | --- | --- |",
  ...notServed.map(
    (r) => `| ${r.kind} | ${r.name} | ${r.replacedBy ?? "nothing left"} | ${cell(r.stopped)} |`,
  ),
  "",
];
writeFileSync(new URL("../docs/import-figure.md", import.meta.url), md.join("\n"));
console.log(`${ok}/${results.length}`);
