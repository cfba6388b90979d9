// xpkgs matrix on a fresh store: hello native and aarch64, dynamic and static,
// built, run (under qemu on a Cortex-A53 for aarch64), static cells again in an
// empty root; then the HTML page rendered by headless Chromium.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findProgram } from "../host/find-program.js";
import { runCli } from "../cli/testing.js";
import type { MatrixFile } from "./record.js";

const root = mkdtempSync(join(tmpdir(), "xpkgs-matrix-"));
// A fresh store, as a user's first run: not the suite's shared one.
const env = { XPKGS_STORE_DIR: join(root, "store"), XPKGS_CACHE_DIR: join(root, "cache") };
const json = join(root, "matrix.json");
const html = join(root, "matrix.html");
const md = join(root, "matrix.md");
const chromium = findProgram("chromium");

describe("xpkgs matrix", () => {
  it("builds, runs and records hello native and aarch64, dynamic and static", () => {
    const r = runCli(
      [
        "matrix",
        "-q",
        "--packages",
        "hello",
        "--targets",
        "native,aarch64-multiplatform",
        "--static",
        "--dynamic",
        "--json",
        json,
        "--html",
        html,
        "--md",
        md,
      ],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^4 cells judged: 4 built and ran\./);
    const m = JSON.parse(readFileSync(json, "utf8")) as MatrixFile;
    assert.equal(m.cells.length, 4);
    for (const c of m.cells) {
      assert.equal(c.status, "ran", `${c.attr}: ${c.reason ?? ""}`);
      assert.equal(c.elf!.static, c.linkage === "static");
      assert.ok(c.size! > 10_000);
      if (c.linkage === "static") assert.equal(c.emptyRoot?.ok, true, c.emptyRoot?.reason);
      else assert.equal(c.emptyRoot, undefined);
    }
    const a64 = m.cells.find((c) => c.target !== "native" && c.linkage === "static")!;
    assert.equal(a64.elf!.machine, "ARM aarch64");
    assert.deepEqual(a64.smoke!.command.slice(0, 3), ["qemu-aarch64-static", "-cpu", "cortex-a53"]);
    assert.ok(a64.emptyRoot!.command.includes("/.qemu-user"));
    assert.match(readFileSync(md, "utf8"), /\| hello \| ✔ \/ ✔ \| ✔ \/ ✔ \|/);
    // A second run finds every output valid: it checks, builds nothing, and keeps the build times.
    const again = runCli(
      ["matrix", "--packages", "hello", "--targets", "native", "--static", "--json", json],
      env,
    );
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /building/);
    const m2 = JSON.parse(readFileSync(json, "utf8")) as MatrixFile;
    assert.equal(m2.cells.length, 4);
    const before = m.cells.find((c) => c.attr === "pkgsStatic.hello")!;
    assert.equal(
      m2.cells.find((c) => c.attr === "pkgsStatic.hello")!.buildSeconds,
      before.buildSeconds,
    );
  });
  it("refuses an unknown target with the nearest name", () => {
    const r = runCli(["matrix", "-n", "--targets", "aarch64-multiplatfrom"], env);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /'aarch64-multiplatfrom' is not a target of the matrix\. Did you mean 'aarch64-multiplatform'/,
    );
  });
  it(
    "renders in headless Chromium: one cell per package, target and linkage, no console error",
    { skip: chromium === null ? "chromium is not installed (apt-get install chromium)" : false },
    () => {
      const profile = mkdtempSync(join(tmpdir(), "xpkgs-chromium-"));
      const r = spawnSync(
        chromium!,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--enable-logging=stderr",
          "--v=0",
          `--user-data-dir=${profile}`,
          "--dump-dom",
          `file://${html}`,
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      assert.equal(r.status, 0, r.stderr);
      const cells = [
        ...r.stdout.matchAll(
          /<td class="cell s-ran[^"]*" data-index="\d+" data-package="hello" data-target="([^"]+)" data-linkage="([a-z]+)"/g,
        ),
      ].map((m) => `${m[1]} ${m[2]}`);
      assert.deepEqual(cells.sort(), [
        "aarch64-multiplatform dynamic",
        "aarch64-multiplatform static",
        "native dynamic",
        "native static",
      ]);
      // The page's script ran to its end (it marks the body), and said nothing on the console:
      assert.match(r.stdout, /<body data-ready="4">/);
      // console messages reach stderr as "CONSOLE(…)" lines; script errors as "Uncaught".
      assert.doesNotMatch(r.stderr, /Uncaught|CONSOLE\(\d+\)/);
    },
  );
});
