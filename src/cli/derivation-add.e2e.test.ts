// `xpkgs derivation add` against a live Nix: Nix instantiates a set of
// derivations into a fresh store directory; we delete them, add each back
// through the CLI from its JSON with output paths blanked, and compare paths
// and bytes with what Nix wrote. Needs Debian's nix-bin (.ci/run installs it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { Store } from "../store/store.js";
import { runCli } from "./testing.js";

const nixFile = fileURLToPath(new URL("../../scripts/nix-vectors.nix", import.meta.url));

interface ShownDrv {
  outputs: Record<string, { path?: string; hashAlgo?: string; hash?: string }>;
  inputDrvs: Record<string, string[]>;
  env: Record<string, string>;
}

describe("xpkgs derivation add agrees with nix-instantiate", () => {
  it("writes the same .drv files at the same paths as Nix", () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-nix-"));
    const storeDir = join(root, "store");
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc", "nix.conf"), "build-users-group =\n");
    const xpkgsEnv = { XPKGS_STORE_DIR: storeDir, XPKGS_STATE_DIR: join(root, "xpkgs-var") };
    const nixEnv = {
      ...process.env,
      NIX_STORE_DIR: storeDir,
      NIX_STATE_DIR: join(root, "var"),
      NIX_LOG_DIR: join(root, "log"),
      NIX_CONF_DIR: join(root, "etc"),
    };
    const tops = execFileSync("nix-instantiate", [nixFile], {
      env: nixEnv,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .trim()
      .split("\n")
      .map((l) => l.replace(/!.*$/, ""));
    const shown = JSON.parse(
      execFileSync(
        "nix",
        ["--extra-experimental-features", "nix-command", "show-derivation", "-r", ...tops],
        { env: nixEnv, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
      ),
    ) as Record<string, ShownDrv>;
    const nixFiles = Object.fromEntries(
      readdirSync(storeDir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [join(storeDir, e.name), readFileSync(join(storeDir, e.name), "utf8")]),
    );
    const drvPaths = Object.keys(shown);
    assert.ok(drvPaths.length >= 20, `only ${drvPaths.length} derivations`);

    // Start again from a store that holds only the plain source files.
    rmSync(storeDir, { recursive: true, force: true });
    const store = new Store({ storeDir, stateDir: join(root, "xpkgs-var") });
    for (const [p, text] of Object.entries(nixFiles)) {
      if (!p.endsWith(".drv"))
        assert.equal(store.addText(p.slice(storeDir.length + 34), text, []), p);
    }
    store.close();

    const added = new Set<string>();
    const add = (drvPath: string): void => {
      if (added.has(drvPath)) return;
      const drv = shown[drvPath]!;
      for (const input of Object.keys(drv.inputDrvs)) add(input);
      const blank = structuredClone(drv);
      for (const [id, o] of Object.entries(blank.outputs)) {
        delete o.path;
        blank.env[id] = "";
      }
      const r = runCli(["derivation", "add"], xpkgsEnv, JSON.stringify(blank));
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), drvPath);
      assert.equal(readFileSync(drvPath, "utf8"), nixFiles[drvPath]);
      added.add(drvPath);
    };
    for (const p of drvPaths) add(p);
    assert.equal(added.size, drvPaths.length);
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses a derivation whose input is not in the store", () => {
    const storeDir = join(mkdtempSync(join(tmpdir(), "xpkgs-add-")), "store");
    const missing = `${storeDir}/0123456789abcdfghijklmnpqrsvwxyz-dep.drv`;
    const json = {
      name: "x",
      outputs: { out: {} },
      inputSrcs: [],
      inputDrvs: { [missing]: ["out"] },
      system: "x86_64-linux",
      builder: "/bin/sh",
      args: [],
      env: { out: "" },
    };
    const r = runCli(
      ["derivation", "add", "-"],
      { XPKGS_STORE_DIR: storeDir },
      JSON.stringify(json),
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /The input derivation .*-dep\.drv is not in the store/);
    const bad = runCli(["derivation", "add"], { XPKGS_STORE_DIR: storeDir }, "{not json");
    assert.match(bad.stderr, /standard input is not JSON/);
  });
});
