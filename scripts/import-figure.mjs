#!/usr/bin/env node
// The import figure (issue 15): 30 well-known command-line tools that the collection lacks, each
// imported with `xpkgs import debian:NAME --try pkgsCross.aarch64-multiplatform.pkgsStatic` and no
// hand edit. Records, per tool, whether it built and ran under qemu (on a Cortex-A53's model), and
// what stopped it. Writes docs/import-figure.json and docs/import-figure.md. Run outside CI:
//   node scripts/import-figure.mjs            (uses the store and caches of the environment)
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
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
const results = [];
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
    process.stderr.write(`${name}: ${row.ok ? "ran" : `failed: ${row.stopped?.slice(0, 160)}`}\n`);
  }
}
const ok = results.filter((r) => r.ok).length;
const date = new Date().toISOString().slice(0, 10);
writeFileSync(
  new URL("../docs/import-figure.json", import.meta.url),
  `${JSON.stringify({ date, prefix, ok, total: results.length, results }, null, 2)}\n`,
);
const md = [
  `# The import figure`,
  "",
  `${ok} of ${results.length} tools (${Math.round((100 * ok) / results.length)} %) built for \`${prefix}\` and ran under qemu`,
  `straight from \`xpkgs import debian:NAME --try ${prefix}\`, with no hand edit (${date}, made by`,
  "`node scripts/import-figure.mjs`; the tools are well-known command-line tools that the collection",
  "lacks).",
  "",
  "| kind | tool | result | what stopped it |",
  "| --- | --- | --- | --- |",
  ...results.map(
    (r) =>
      `| ${r.kind} | ${r.name} | ${r.ok ? "ran" : "failed"} | ${(r.stopped ?? (r.ran ?? "").replace(/\|/g, "\\|")).replace(/\|/g, "\\|").slice(0, 300)} |`,
  ),
  "",
];
writeFileSync(new URL("../docs/import-figure.md", import.meta.url), md.join("\n"));
console.log(`${ok}/${results.length}`);
