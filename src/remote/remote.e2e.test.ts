/**
 * Remote builders end to end: two real Nix builders (Debian's sshd and
 * nix-bin, each in a network namespace of its own with a store of its own),
 * driven over SSH by xpkgs's serve-protocol client. Every wait is bounded;
 * the namespaces and processes are gone afterwards.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DerivationCache, type Reporter, realise } from "../build/scheduler.js";
import { shellDerivation } from "../build/testing.js";
import { runCliAsync, e2eStoreEnv } from "../cli/testing.js";
import { DerivationGraph } from "../derivation/graph.js";
import { writeDerivations } from "../derivation/instantiate.js";
import { fetchurl } from "../pkgs/fetchurl.js";
import { narHashOf } from "../store/nar.js";
import { Store } from "../store/store.js";
import { connectMachine } from "./connect.js";
import { parseMachines } from "./machines.js";
import { BuilderPool } from "./pool.js";
import { buildRemotely } from "./remote-build.js";
import { type SshBuilders, startSshBuilders, untrustedUser } from "./testing/ssh-builders.js";
import { hostToolchainFeatures } from "./toolchain-features.js";

const root = mkdtempSync(join(tmpdir(), "xpkgs-remote-"));
const env = e2eStoreEnv(root);
const storeDir = env.XPKGS_STORE_DIR!;
const features = hostToolchainFeatures();
const run = `${process.pid}${Date.now() % 100000}`;

/** Shell derivations written into the shared store, unique to this run. */
function addDerivations(store: Store, drvs: ReturnType<typeof shellDerivation>[]) {
  const graph = new DerivationGraph(store.storeDir);
  return drvs.map((d) => {
    const f = graph.add(d);
    writeDerivations(store, graph.closure(f.drvPath), graph);
    return { drvPath: f.drvPath, out: f.drv.outputs.out!.path };
  });
}

function quietReporter(started: (p: string, where?: string) => void = () => {}): Reporter {
  return {
    plan() {},
    started: (p, _n, _k, where) => started(p, where),
    waiting() {},
    finished() {},
    logLine() {},
    close() {},
  };
}

describe("remote builders: real Nix machines over SSH", { timeout: 30 * 60_000 }, () => {
  let b: SshBuilders;
  let store: Store;
  const drvs = new DerivationCache();
  const machine = (line: string) => parseMachines(line)[0]!;
  const remoteBuilders = (lines: string[], useSubstitutes = false) => ({
    pool: new BuilderPool(lines.map(machine)),
    connect: (m: ReturnType<typeof machine>, cb: (l: string) => void) =>
      connectMachine(m, { onStderrLine: cb }),
    useSubstitutes,
    localFeatures: new Set(features),
    localSystem: "x86_64-linux",
  });

  before(async () => {
    b = await startSshBuilders(storeDir, 2, features);
    store = new Store({ storeDir, stateDir: join(storeDir, "../var") });
  });
  after(() => {
    b?.stop();
    store?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("xpkgs builders check reports both machines usable, and a featureless line as such", async () => {
    const spec = [b.builders[0]!.line(), b.builders[1]!.line([])].join(";");
    const r = await runCliAsync(["builders", "check", "--builders", spec], env);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /ssh:\/\/root@[0-9.]+: usable\n\s+reachable: yes \(serve protocol 2\.\d+\)/,
    );
    assert.match(r.stdout, /nix: nix-store \(Nix\) 2\.8/);
    assert.match(r.stdout, /trusted: yes \(user root\)/);
    assert.match(r.stdout, /toolchains: lacks/);
  });

  it("builds static aarch64 hello and zlib there with the NAR hash of the local build; hello runs under qemu", async () => {
    const attrs = ["hello", "zlib"].map((p) => `pkgsCross.aarch64-multiplatform.pkgsStatic.${p}`);
    const local = await runCliAsync(["build", "--no-out-link", "-q", ...attrs], env);
    assert.equal(local.status, 0, local.stderr);
    for (const attr of attrs) {
      const shown = await runCliAsync(["show-derivation", attr], env);
      const drvPath = Object.keys(JSON.parse(shown.stdout) as object)[0]!;
      const drv = drvs.load(drvPath);
      const keep = mkdtempSync(join(storeDir, ".tmp-remote-check-"));
      try {
        const client = await connectMachine(machine(b.builders[0]!.line()));
        try {
          await buildRemotely(store, client, drvPath, drv, drvs.load, {
            machine: b.builders[0]!.name,
            useSubstitutes: false,
            keepOutputsIn: keep,
          });
        } finally {
          await client.close();
        }
        const here = store.info(drv.outputs.out!.path)!.narHash;
        const there = `sha256:${narHashOf(join(keep, "out")).narHash.nix32}`;
        assert.equal(there, here, `${attr}: the remote build's NAR hash`);
        if (attr.endsWith("hello")) {
          const r = spawnSync(
            "qemu-aarch64-static",
            ["-cpu", "cortex-a53", join(keep, "out/bin/hello")],
            {
              encoding: "utf8",
              timeout: 30_000,
            },
          );
          assert.equal(r.stdout, "Hello, world!\n");
        }
      } finally {
        rmSync(keep, { recursive: true, force: true });
      }
    }
  });

  it("spreads four independent derivations over both builders and the local slot", async () => {
    const four = addDerivations(
      store,
      [1, 2, 3, 4].map((i) => shellDerivation(`spread-${run}-${i}`, `sleep 3; echo ${i} > $out`)),
    );
    const where = new Map<string, string>();
    const result = await realise(
      store,
      four.map((d) => d.drvPath),
      {
        jobs: 1,
        cores: 1,
        keepGoing: false,
        dryRun: false,
        reporter: quietReporter((p, w) => where.set(p, w ?? "here")),
        builders: remoteBuilders(b.builders.map((x) => x.line())),
      },
    );
    assert.deepEqual(result.failed, []);
    for (const d of four) assert.ok(store.isValid(d.out));
    const places = new Set(where.values());
    assert.ok(
      places.has(b.builders[0]!.name) && places.has(b.builders[1]!.name) && places.has("here"),
      `ran on ${[...where.values()].join(", ")}`,
    );
  });

  it("xpkgs build --builders … --max-jobs 0: built there, the log says where and xpkgs log has it", async () => {
    const [d] = addDerivations(store, [
      shellDerivation(`cli-${run}`, "echo remote-log-line; echo ok > $out"),
    ]);
    const dry = await runCliAsync(
      ["build", "--dry-run", "--builders", b.builders[1]!.line(), "--max-jobs", "0", d!.drvPath],
      env,
    );
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stderr,
      new RegExp(`cli-${run}\\.drv would build on: ${b.builders[1]!.name.replace(/\./g, "\\.")}\n`),
    );
    const r = await runCliAsync(
      [
        "build",
        "--no-out-link",
        "--builders",
        b.builders[1]!.line(),
        "--max-jobs",
        "0",
        d!.drvPath,
      ],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), d!.out);
    assert.match(r.stderr, new RegExp(`on ${b.builders[1]!.name.replace(/\./g, "\\.")}`));
    const log = await runCliAsync(["log", d!.drvPath], env);
    assert.match(log.stdout, /building .* on ssh:\/\/root@/);
    assert.match(log.stdout, /remote-log-line/);
  });

  it("a fetch stays here with --max-jobs 0; the build that needs it goes to a builder", async () => {
    const file = join(root, `source-${run}.txt`);
    writeFileSync(file, `source ${run}\n`);
    const sri = `sha256-${createHash("sha256").update(readFileSync(file)).digest("base64")}`;
    const [src] = addDerivations(store, [fetchurl({ url: `file://${file}`, hash: sri })]);
    const [user] = addDerivations(store, [
      shellDerivation(`uses-fetch-${run}`, "cat $src > $out", { inputs: { src: src! } }),
    ]);
    const where = new Map<string, string>();
    const result = await realise(store, [user!.drvPath], {
      jobs: 0,
      cores: 1,
      keepGoing: false,
      dryRun: false,
      reporter: quietReporter((p, w) => where.set(p, w ?? "here")),
      builders: remoteBuilders([b.builders[0]!.line()]),
    });
    assert.deepEqual(result.failed, []);
    assert.equal(where.get(src!.drvPath), "here");
    assert.equal(where.get(user!.drvPath), b.builders[0]!.name);
    assert.equal(readFileSync(user!.out, "utf8"), `source ${run}\n`);
  });

  it("never chooses a builder without the toolchain feature; with only such builders it says what is missing", async () => {
    const needs = features.join(" ");
    const [d1, d2, d3] = addDerivations(
      store,
      [1, 2, 3].map((i) => {
        const d = shellDerivation(`feature-${run}-${i}`, `echo ${i} > $out`);
        d.env.requiredSystemFeatures = needs;
        return d;
      }),
    );
    const lone = await runCliAsync(
      [
        "build",
        "--no-out-link",
        "--builders",
        b.builders[0]!.line([]),
        "--max-jobs",
        "0",
        d1!.drvPath,
      ],
      env,
    );
    assert.notEqual(lone.status, 0);
    assert.match(
      lone.stderr,
      /nothing can build it: it needs a x86_64-linux machine with the features xpkgs-toolchain-/,
    );
    const where = new Map<string, string>();
    const result = await realise(store, [d2!.drvPath, d3!.drvPath], {
      jobs: 0,
      cores: 1,
      keepGoing: false,
      dryRun: false,
      reporter: quietReporter((p, w) => where.set(p, w ?? "here")),
      builders: remoteBuilders([b.builders[0]!.line([]), b.builders[1]!.line()]),
    });
    assert.deepEqual(result.failed, []);
    assert.deepEqual([...new Set(where.values())], [b.builders[1]!.name]);
  });

  it("an untrusted SSH user gets Nix's refusal as a clear message", async () => {
    const [d] = addDerivations(store, [shellDerivation(`untrusted-${run}`, "echo no > $out")]);
    const r = await runCliAsync(
      [
        "build",
        "--no-out-link",
        "--builders",
        b.builders[0]!.line(features, untrustedUser),
        "--max-jobs",
        "0",
        d!.drvPath,
      ],
      env,
    );
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /xpkgs-untrusted@[0-9.]+: .* failed: it said:\n\s+> error: .*(signature|trusted|privileged).*\nThe SSH user is not trusted there: log in as root, or add the user to trusted-users/,
    );
    assert.equal(store.isValid(d!.out), false);
  });

  it("with a binary cache, the builder takes the inputs from it: no input NAR crosses SSH", async () => {
    const [dep] = addDerivations(store, [shellDerivation(`cached-dep-${run}`, "echo dep > $out")]);
    const built = await runCliAsync(["build", "--no-out-link", "-q", dep!.drvPath], env);
    assert.equal(built.status, 0, built.stderr);
    const cache = join(root, "cache");
    const key = await runCliAsync(
      [
        "key",
        "generate",
        "--name",
        "remote-test-1",
        "--secret",
        join(root, "remote-test-1.secret"),
        "--public",
        join(root, "remote-test-1.public"),
      ],
      env,
    );
    assert.equal(key.status, 0, key.stderr);
    const pushed = await runCliAsync(
      [
        "copy",
        "--to",
        `file://${cache}`,
        "--secret-key",
        join(root, "remote-test-1.secret"),
        dep!.out,
      ],
      env,
    );
    assert.equal(pushed.status, 0, pushed.stderr);
    b.builders[0]!.setConf([
      // A substituter's store dir is Nix's default unless its URL names ours.
      `substituters = file://${cache}?store=${storeDir}`,
      `trusted-public-keys = ${readFileSync(join(root, "remote-test-1.public"), "utf8").trim()}`,
    ]);
    const [top] = addDerivations(store, [
      shellDerivation(`cached-top-${run}`, "cat $dep > $out", { inputs: { dep: dep! } }),
    ]);
    let sent = -1;
    const client = await connectMachine(machine(b.builders[0]!.line()));
    try {
      await buildRemotely(store, client, top!.drvPath, drvs.load(top!.drvPath), drvs.load, {
        machine: b.builders[0]!.name,
        useSubstitutes: true,
        onInputsSent: (n) => (sent = n),
      });
    } finally {
      await client.close();
      b.builders[0]!.setConf([]);
    }
    assert.equal(sent, 0, "no input was sent over SSH");
    assert.equal(readFileSync(top!.out, "utf8"), "dep\n");
    // The output goes to the cache once: its input is there already, and a second push has nothing to do.
    const push = (): Promise<{ status: number; stderr: string }> =>
      runCliAsync(
        [
          "build",
          "--no-out-link",
          "--push-to",
          `file://${cache}`,
          "--secret-key",
          join(root, "remote-test-1.secret"),
          top!.drvPath,
        ],
        env,
      );
    const first = await push();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /pushed 1 path to file:/);
    assert.ok(existsSync(join(cache, `${top!.out.split("/").pop()!.slice(0, 32)}.narinfo`)));
    const again = await push();
    assert.match(again.stderr, /pushed 0 paths to file:/);
  });

  it("a builder that dies in the middle of a build: the job finishes elsewhere, nothing partial is registered", async () => {
    const [d] = addDerivations(store, [
      shellDerivation(`dies-${run}`, "sleep 8; echo survived > $out"),
    ]);
    const victim = b.builders[1]!;
    const where: string[] = [];
    const result = await realise(store, [d!.drvPath], {
      jobs: 0,
      cores: 1,
      keepGoing: false,
      dryRun: false,
      reporter: quietReporter((_p, w) => {
        where.push(w ?? "here");
        if (w === victim.name) setTimeout(() => victim.kill(), 2000);
      }),
      builders: remoteBuilders([victim.line(), b.builders[0]!.line()]),
    });
    assert.deepEqual(result.failed, []);
    assert.deepEqual(where, [victim.name, b.builders[0]!.name]);
    assert.equal(result.builtOn.get(d!.drvPath), b.builders[0]!.name);
    assert.equal(readFileSync(d!.out, "utf8"), "survived\n");
    // tempPathIn's names: .tmp-<pid>-<random>-remote-<name>.
    assert.deepEqual(
      readdirSync(storeDir).filter((e) => /^\.tmp-\d+-[0-9a-f]+-remote-/.test(e)),
      [],
    );
  });
});
