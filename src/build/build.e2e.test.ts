// Builds in the sandbox, and the faults the store must survive.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { cliPath, runCliAsync } from "../cli/testing.js";
import { makeTestStore, shellDerivation } from "./testing.js";

const build = (t: { env: Record<string, string> }, args: string[], cwd?: string) =>
  runCliAsync(["build", ...args], t.env, cwd);

function storeEntries(t: { store: { storeDir: string } }): string[] {
  return readdirSync(t.store.storeDir).filter((e) => !e.endsWith(".drv"));
}

async function waitFor(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("building in the sandbox", () => {
  it("builds a dependency chain, records references, links result, and does no work the second time", async () => {
    const t = makeTestStore();
    const lib = t.add(shellDerivation("lib", `mkdir -p $out/lib; echo 'int x;' > $out/lib/x.h`));
    const app = t.add(
      shellDerivation(
        "app",
        `mkdir -p $out/bin $dev; printf '#!/bin/sh\\necho uses %s\\n' "$lib" > $out/bin/app; chmod +x $out/bin/app; echo $out > $dev/nix-support`,
        {
          inputs: { lib },
          outputs: ["out", "dev"],
        },
      ),
    );
    const r = await build(t, [app.drvPath], t.root);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n").sort(), [app.outputs.dev, app.outputs.out].sort());
    assert.equal(readlinkSync(join(t.root, "result")), app.out);
    assert.equal(readlinkSync(join(t.root, "result-dev")), app.outputs.dev);
    assert.deepEqual(t.store.info(app.out)!.references, [lib.out]);
    assert.deepEqual(t.store.info(app.outputs.dev!)!.references, [app.out]);
    assert.equal(t.store.info(app.out)!.deriver, app.drvPath);
    // Canonical: read-only, mtime 1.
    const st = lstatSync(join(app.out, "bin", "app"));
    assert.equal(st.mode & 0o777, 0o555);
    assert.equal(st.mtimeMs, 1000);
    const again = await build(t, [app.drvPath, "--no-out-link"]);
    assert.equal(again.status, 0);
    assert.doesNotMatch(again.stderr, /building/);
  });

  it("reports a failed builder with the log tail and the log path, and registers nothing", async () => {
    const t = makeTestStore();
    const bad = t.add(
      shellDerivation("bad", `for i in $(seq 1 40); do echo "line $i"; done; mkdir $out; exit 3`),
    );
    const r = await build(t, [bad.drvPath]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /the builder exited with code 3/);
    assert.match(r.stderr, /Last 25 log lines:\n {2}> line 16\n/);
    assert.match(r.stderr, /> line 40\n/);
    const logPath = /Full log: (\S+)/.exec(r.stderr)![1]!;
    assert.match(readFileSync(logPath, "utf8"), /^line 1\n/);
    assert.ok(!t.store.isValid(bad.out));
    assert.deepEqual(storeEntries(t), []);
    const log = await runCliAsync(["log", bad.drvPath], t.env);
    assert.match(log.stdout, /line 40/);
  });

  it("fails a builder that produces no output", async () => {
    const t = makeTestStore();
    const d = t.add(shellDerivation("nothing", "true"));
    const r = await build(t, [d.drvPath]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /did not produce its output 'out'/);
    assert.deepEqual(storeEntries(t), []);
  });

  it("refuses writes outside the outputs", async () => {
    const t = makeTestStore();
    const usr = t.add(shellDerivation("writes-usr", "mkdir $out; echo x > /usr/evil"));
    const r1 = await build(t, [usr.drvPath]);
    assert.equal(r1.status, 1);
    assert.match(r1.stderr, /Read-only file system/);
    assert.ok(!existsSync("/usr/evil"));
    const store = t.add(
      shellDerivation(
        "writes-store",
        `mkdir $out; mkdir $NIX_STORE/0000000000000000000000000000000a-evil`,
      ),
    );
    const r2 = await build(t, [store.drvPath]);
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /wrote outside its outputs, into the store: .*-evil/);
    assert.deepEqual(storeEntries(t), []);
    const net = t.add(shellDerivation("no-net", "mkdir $out; cat /etc/resolv.conf"));
    assert.equal((await build(t, [net.drvPath])).status, 1);
  });

  it("builds what it can with --keep-going, and lists what would be built with --dry-run", async () => {
    const t = makeTestStore();
    const bad = t.add(shellDerivation("bad", "exit 1"));
    const after = t.add(shellDerivation("after", "mkdir $out", { inputs: { bad } }));
    const good = t.add(shellDerivation("good", "mkdir $out"));
    const dry = await build(t, ["--dry-run", bad.drvPath, after.drvPath, good.drvPath]);
    assert.equal(dry.status, 0);
    assert.match(dry.stderr, /these 3 derivations will be built/);
    assert.ok(!t.store.isValid(good.out));
    const r = await build(t, ["-k", "--no-out-link", bad.drvPath, after.drvPath, good.drvPath]);
    assert.equal(r.status, 1);
    assert.ok(t.store.isValid(good.out));
    assert.ok(!t.store.isValid(after.out));
    assert.match(r.stderr, /1 were not built because they depend on one/);
  });

  it("survives kill -9 mid-build: no half-written path, and the rebuild succeeds", async () => {
    const t = makeTestStore();
    const d = t.add(
      shellDerivation(
        "slow",
        `mkdir $out; echo partial > $out/half; echo started; sleep 3; echo done > $out/whole`,
      ),
    );
    const child = spawn(process.execPath, [cliPath, "build", "--no-out-link", d.drvPath], {
      env: { ...process.env, ...t.env },
      stdio: "ignore",
    });
    const logFile = join(t.env.XPKGS_STATE_DIR!, "log", `${d.drvPath.split("/").pop()}.log`);
    await waitFor(
      () => existsSync(logFile) && readFileSync(logFile, "utf8").includes("started"),
      "the build to start",
    );
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    await sleep(300); // bwrap follows its parent (--die-with-parent)
    assert.ok(!t.store.isValid(d.out));
    assert.ok(!existsSync(d.out));
    // The debris is a temporary of a dead process, and the lock is stale: the next run takes both over.
    assert.ok(readdirSync(t.store.storeDir).some((e) => e.startsWith(".tmp-")));
    const r = await build(t, ["--no-out-link", d.drvPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(d.out, "whole"), "utf8"), "done\n");
    assert.deepEqual(
      readdirSync(t.store.storeDir).filter((e) => e.startsWith(".tmp-")),
      [],
    );
  });

  it("builds a derivation once when two processes ask for it", async () => {
    const t = makeTestStore();
    const d = t.add(shellDerivation("shared", "sleep 2; mkdir $out; echo ok > $out/f"));
    const [a, b] = await Promise.all([
      build(t, ["--no-out-link", d.drvPath]),
      build(t, ["--no-out-link", d.drvPath]),
    ]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    const built = [a, b].filter((r) => /built shared/.test(r.stderr)).length;
    const waited = [a, b].filter((r) => /waiting for another xpkgs process/.test(r.stderr)).length;
    assert.equal(built, 1);
    assert.equal(waited, 1);
    assert.equal(a.stdout, b.stdout);
  });

  it("keeps a running build's inputs through a gc", async () => {
    const t = makeTestStore();
    const dep = t.add(shellDerivation("dep", "mkdir $out; echo dep > $out/f"));
    assert.equal((await build(t, ["--no-out-link", dep.drvPath])).status, 0);
    const user = t.add(
      shellDerivation("user", "sleep 2; mkdir $out; cat $dep/f > $out/f", { inputs: { dep } }),
    );
    const running = build(t, ["--no-out-link", user.drvPath]);
    const lockDir = join(t.env.XPKGS_STATE_DIR!, "temproots");
    await waitFor(
      () => existsSync(lockDir) && readdirSync(lockDir).length > 0,
      "the build's temp roots",
    );
    const gc = await runCliAsync(["gc"], t.env);
    assert.equal(gc.status, 0, gc.stderr);
    assert.ok(existsSync(dep.out), "gc deleted an input of a running build");
    const r = await running;
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(user.out, "f"), "utf8"), "dep\n");
  });

  it("collects exactly what no root reaches", async () => {
    const t = makeTestStore();
    const dep = t.add(shellDerivation("dep", "mkdir $out; echo dep > $out/f"));
    const kept = t.add(
      shellDerivation("kept", "mkdir $out; cat $dep/f > $out/g; echo $dep > $out/ref", {
        inputs: { dep },
      }),
    );
    const lost = t.add(shellDerivation("lost", "mkdir $out; echo lost > $out/f"));
    assert.equal((await build(t, [kept.drvPath], t.root)).status, 0);
    assert.equal((await build(t, ["-o", "other", lost.drvPath], t.root)).status, 0);
    rmSync(join(t.root, "other"));
    const dry = await runCliAsync(["gc", "--dry-run"], t.env);
    assert.ok(dry.stdout.includes(lost.out));
    assert.ok(!dry.stdout.includes(kept.out) && !dry.stdout.includes(`${dep.out}\n`));
    assert.ok(existsSync(lost.out));
    const gc = await runCliAsync(["gc"], t.env);
    assert.match(gc.stderr, /deleted \d+ store paths, [\d.]+ (B|KiB)/);
    assert.ok(!existsSync(lost.out) && !t.store.isValid(lost.out));
    assert.ok(existsSync(kept.out) && existsSync(dep.out));
    const info = await runCliAsync(["path-info", "-r", join(t.root, "result")], t.env);
    assert.ok(info.stdout.includes(dep.out) && info.stdout.includes(kept.out));
  });

  it("catches a corrupted store path with store verify, and --check reports reproducibility", async () => {
    const t = makeTestStore();
    const d = t.add(shellDerivation("data", "mkdir $out; echo good > $out/f"));
    assert.equal((await build(t, ["--no-out-link", d.drvPath])).status, 0);
    const check = await build(t, ["--check", d.drvPath]);
    assert.match(check.stdout, /^reproducible: /);
    const clean = await runCliAsync(["store", "verify"], t.env);
    assert.equal(clean.status, 0, clean.stderr);
    chmodSync(join(d.out, "f"), 0o644);
    writeFileSync(join(d.out, "f"), "evil\n");
    const bad = await runCliAsync(["store", "verify"], t.env);
    assert.equal(bad.status, 1);
    assert.ok(bad.stdout.includes(`corrupt: ${d.out}: NAR hash`));
    const random = t.add(
      shellDerivation("random", "mkdir $out; echo same > $out/a; head -c 16 /dev/urandom > $out/f"),
    );
    assert.equal((await build(t, ["--no-out-link", random.drvPath])).status, 0);
    const check2 = await build(t, ["--check", random.drvPath]);
    assert.ok(check2.stdout.startsWith(`NOT reproducible: ${random.out}`), check2.stdout);
    assert.match(check2.stdout, /differing files: f$/m);
  });
});

describe("declared output checks", () => {
  it("fail a build whose program is not static when static was declared, and register nothing", async () => {
    const t = makeTestStore();
    const drv = shellDerivation(
      "claims-static",
      `mkdir -p $out/bin; printf 'int main(void){return 0;}' > m.c; gcc -o $out/bin/m m.c`,
    );
    drv.env.xpkgsCheckElf = JSON.stringify({ machine: 62, static: true });
    const d = t.add(drv);
    const r = await build(t, ["--no-out-link", d.drvPath]);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /its output does not match its platform:\n {2}bin\/m: dynamically linked .* but static linking was asked for/,
    );
    assert.ok(!t.store.isValid(d.out));
  });
});
