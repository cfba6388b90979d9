#!/usr/bin/env node
// How long bundle and copy take, against what a user would type by hand:
// `xpkgs bundle` of a native and an aarch64 dynamic program, and `xpkgs copy`
// (probe, upload, sha256 on the device, rename, smoke test) of a static
// program and of a bundle, against a bare `ssh host 'cat > f'` and a
// `tar | ssh tar x` of the same bytes. The device is the test suite's: Debian's
// sshd in a network namespace (needs root). Uses the default store; builds
// what is missing first. Usage: npm run build && node bench/deploy.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd } from "../dist/deploy/sshd-fixture.js";

const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
const runs = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function wall(cmd, args, input) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}${r.stdout}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}
const xpkgs = (args) => wall(process.execPath, [cli, ...args]);
const out = (attr) =>
  spawnSync(process.execPath, [cli, "build", "-q", "--no-out-link", attr], {
    encoding: "utf8",
  }).stdout.trim();

for (const a of ["file", "pkgsCross.aarch64-multiplatform.file", "pkgsStatic.binutils-unwrapped"]) {
  if (out(a) === "") throw new Error(`cannot build ${a}`);
}
const work = mkdtempSync(join(tmpdir(), "xpkgs-bench-deploy-"));
const rows = [];
const measure = (label, fn) => {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(fn(i));
  rows.push([label, median(times)]);
  console.log(
    `${label}: median ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(", ")})`,
  );
};

measure("xpkgs bundle file (native, 6 files)", (i) =>
  xpkgs(["bundle", "-q", "file", "--dir", join(work, `n${i}`)]),
);
measure("xpkgs bundle pkgsCross.aarch64-multiplatform.file", (i) =>
  xpkgs(["bundle", "-q", "pkgsCross.aarch64-multiplatform.file", "--dir", join(work, `a${i}`)]),
);

const device = await startSshd();
try {
  const ssh = [
    "-p",
    String(device.port),
    "-i",
    device.identity,
    ...device.sshOptions.flatMap((o) => ["-o", o]),
    "-o",
    "BatchMode=yes",
    `root@${device.address}`,
  ];
  const to = `ssh://root@${device.address}:${device.port}${device.home}`;
  const copy = (what) => [
    "copy",
    "-q",
    what,
    "--to",
    to,
    "-i",
    device.identity,
    ...device.sshOptions.flatMap((o) => ["-o", o]),
  ];
  const readelf = join(out("pkgsStatic.binutils-unwrapped"), "bin/readelf");
  measure("xpkgs copy static readelf (1 MB)", () =>
    xpkgs([...copy("pkgsStatic.binutils-unwrapped"), "--bin", "readelf"]),
  );
  measure("by hand: ssh host 'cat > readelf' < readelf", () =>
    wall("sh", [
      "-c",
      `ssh ${ssh.map((a) => `'${a}'`).join(" ")} 'cat > ${device.home}/r' < ${readelf}`,
    ]),
  );
  measure("xpkgs copy file bundle (7 files)", () => xpkgs(copy(join(work, "n0"))));
  measure("by hand: tar c | ssh tar x of the same folder", () =>
    wall("sh", [
      "-c",
      `tar -C ${work} -c n0 | ssh ${ssh.map((a) => `'${a}'`).join(" ")} 'tar -C ${device.home} -x'`,
    ]),
  );
} finally {
  device.stop();
  rmSync(work, { recursive: true, force: true });
}
console.log("\n| step | median of 5 |\n| --- | --- |");
for (const [label, ms] of rows) console.log(`| ${label} | ${ms.toFixed(0)} ms |`);
