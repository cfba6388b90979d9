#!/usr/bin/env node
// Start-up of xpkgs commands, as ratios to a bare `node -e 0` measured in the
// same run: each round runs every command once, in turn, so that load on the
// machine hits all of them alike; the figure is each command's median.
// Each xpkgs command runs as a user runs it: the launcher dist/bin/xpkgs (the snapshot for
// the ELF commands, the bundle for the rest; scripts/bundle.mjs). GNU readelf and patchelf
// are measured beside them, and the bundle and the unbundled dist/cli/main.js too, to show
// what each step buys.
// `xpkgs build ATTR` is measured when ATTR (default: hello) is already built
// in the store the environment names (a no-op build), and skipped otherwise.
// Usage: npm run build && node bench/startup.mjs [ROUNDS] [ATTR]
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const rounds = Number(process.argv[2] ?? 21);
const attr = process.argv[3] ?? "hello";
const node = process.execPath;
const launcher = new URL("../dist/bin/xpkgs", import.meta.url).pathname;
const bundle = new URL("../dist/bundle/main.js", import.meta.url).pathname;
const plain = new URL("../dist/cli/main.js", import.meta.url).pathname;
const file = "/usr/bin/ls";

const run = (cmd, args) => spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 });
const built = run(node, [bundle, "build", "--dry-run", attr]);
const buildIsNoop =
  built.status === 0 && !/will be (built|fetched)/.test(built.stdout + built.stderr);

const cases = [
  ["node -e 0", node, ["-e", "0"], null],
  ["xpkgs readelf -h FILE", launcher, ["readelf", "-h", file], 1.3],
  ["xpkgs patchelf --print-rpath FILE", launcher, ["patchelf", "--print-rpath", file], 1.3],
  ["xpkgs file FILE", launcher, ["file", file], 1.3],
  [`xpkgs show ${attr}`, launcher, ["show", attr], 2.0],
  ...(buildIsNoop ? [[`xpkgs build ${attr} (built)`, launcher, ["build", attr], 2.0]] : []),
  ["bundle only: xpkgs readelf -h FILE", node, [bundle, "readelf", "-h", file], null],
  ["unbundled: xpkgs readelf -h FILE", node, [plain, "readelf", "-h", file], null],
  ["unbundled: xpkgs show", node, [plain, "show", attr], null],
  ["GNU readelf -h FILE", "readelf", ["-h", file], null],
  ...(existsSync("/usr/bin/patchelf")
    ? [["patchelf --print-rpath FILE", "patchelf", ["--print-rpath", file], null]]
    : []),
];
const times = cases.map(() => []);
for (let r = 0; r < rounds; r++) {
  cases.forEach(([name, cmd, args], i) => {
    const t = process.hrtime.bigint();
    const res = run(cmd, args);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (res.status !== 0) throw new Error(`${name}: exit ${res.status}: ${res.stderr}`);
    if (r > 0) times[i].push(ms); // the first round warms the page cache
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ref = median(times[0]);
console.log(`start-up, median of ${rounds - 1} rounds (ms, and × node -e 0)`);
cases.forEach(([name, , , target], i) => {
  const m = median(times[i]);
  const ratio = m / ref;
  const verdict =
    target === null
      ? ""
      : ratio <= target
        ? `  (target ≤ ${target}×: met)`
        : `  (target ≤ ${target}×: NOT met)`;
  console.log(`${name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}×${verdict}`);
});
if (!buildIsNoop)
  console.log(`(xpkgs build ${attr}: not measured, ${attr} is not built in this store)`);
