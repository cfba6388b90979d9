import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readCacheSettings } from "../cache/config.js";
import { machineCanBuild, parseMachines } from "./machines.js";
import { BuilderPool } from "./pool.js";

const hostKey = Buffer.from("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample test-host").toString(
  "base64",
);

describe("machines in Nix's format", () => {
  it("reads every column, with '-' and missing columns as defaults", () => {
    const [a, b, c] = parseMachines(
      `ssh://root@10.0.0.2 x86_64-linux,aarch64-linux /root/.ssh/id 4 2.5 big-parallel,kvm benchmark ${hostKey}; ` +
        "builder2 - - - - - -\n# a comment\n\nssh://u@[fd00::1]:2222?remote-store=local%3Fstore%3D%2Fxpkgs%2Fstore",
    );
    assert.deepEqual(
      { ...a, uri: undefined },
      {
        uri: undefined,
        user: "root",
        host: "10.0.0.2",
        port: null,
        remoteStore: null,
        remoteProgram: "nix-store",
        systems: ["x86_64-linux", "aarch64-linux"],
        sshKey: "/root/.ssh/id",
        maxJobs: 4,
        speedFactor: 2.5,
        supportedFeatures: ["big-parallel", "kvm"],
        mandatoryFeatures: ["benchmark"],
        hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample test-host",
      },
    );
    assert.equal(b!.host, "builder2");
    assert.equal(b!.user, null);
    assert.deepEqual(b!.systems, ["x86_64-linux"]);
    assert.equal(b!.maxJobs, 1);
    assert.equal(b!.speedFactor, 1);
    assert.equal(c!.host, "fd00::1");
    assert.equal(c!.port, 2222);
    assert.equal(c!.remoteStore, "local?store=/xpkgs/store");
  });

  it("reads @FILE", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-machines-"));
    writeFileSync(join(dir, "machines"), "ssh://a x86_64-linux\nssh://b x86_64-linux - 2\n");
    const ms = parseMachines(`@${join(dir, "machines")}`);
    assert.deepEqual(
      ms.map((m) => [m.host, m.maxJobs]),
      [
        ["a", 1],
        ["b", 2],
      ],
    );
  });

  it("comes from builders = in the settings file, with builders-use-substitutes", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-machines-"));
    writeFileSync(join(dir, "machines"), "ssh://root@b1 x86_64-linux - 4 2\n");
    writeFileSync(
      join(dir, "xpkgs.conf"),
      `builders = @${join(dir, "machines")}\nbuilders-use-substitutes = true\n`,
    );
    const s = readCacheSettings({ XPKGS_CONF: join(dir, "xpkgs.conf") });
    assert.equal(s.buildersUseSubstitutes, true);
    assert.deepEqual(
      parseMachines(s.builders).map((m) => [m.host, m.maxJobs, m.speedFactor]),
      [["b1", 4, 2]],
    );
    writeFileSync(join(dir, "bad.conf"), "builders-use-substitutes = maybe\n");
    assert.throws(
      () => readCacheSettings({ XPKGS_CONF: join(dir, "bad.conf") }),
      /builders-use-substitutes must be true or false/,
    );
  });

  it("refuses bad input with the fix in the message", () => {
    assert.throws(() => parseMachines("ssh-ng://a"), /ssh-ng:\/\/.*Write it as ssh:\/\//);
    assert.throws(() => parseMachines("http://a"), /not an ssh:\/\/ machine/);
    assert.throws(
      () => parseMachines("ssh://a x86_64-linux - many"),
      /max jobs of ssh:\/\/a is 'many'/,
    );
    assert.throws(() => parseMachines("ssh://a x86_64-linux - 1 0"), /speed factor .* positive/);
    assert.throws(
      () => parseMachines("ssh://a - - - - - - bm90IGEga2V5"),
      /does not decode to an SSH public key/,
    );
    assert.throws(() => parseMachines("ssh://a a b c d e f g h"), /9 columns/);
    assert.throws(
      () => parseMachines("ssh://a?compress=true"),
      /'compress', which xpkgs does not know/,
    );
    assert.throws(() => parseMachines("@/nonexistent/machines"), /cannot read the machines file/);
  });

  it("matches systems and features as Nix does", () => {
    const [m] = parseMachines("ssh://a x86_64-linux - 1 1 big-parallel,kvm benchmark");
    assert.equal(machineCanBuild(m!, "x86_64-linux", ["benchmark"]), true);
    assert.equal(machineCanBuild(m!, "x86_64-linux", ["benchmark", "kvm"]), true);
    assert.equal(
      machineCanBuild(m!, "x86_64-linux", []),
      false,
      "a mandatory feature not required",
    );
    assert.equal(machineCanBuild(m!, "x86_64-linux", ["benchmark", "cuda"]), false);
    assert.equal(machineCanBuild(m!, "aarch64-linux", ["benchmark"]), false);
  });
});

describe("the builder pool", () => {
  it("picks the least load for its speed, skips busy and down machines, and backs off", () => {
    let now = 1000;
    const pool = new BuilderPool(
      parseMachines(
        "ssh://slow x86_64-linux - 2 1; ssh://fast x86_64-linux - 2 4; ssh://other aarch64-linux",
      ),
      () => now,
      30_000,
    );
    const [slow, fast] = pool.states;
    assert.equal(pool.pick("x86_64-linux", [])!.name, "ssh://slow", "equal load: the first listed");
    pool.acquire(slow!);
    assert.equal(pool.pick("x86_64-linux", [])!.name, "ssh://fast");
    pool.acquire(fast!);
    assert.equal(pool.pick("x86_64-linux", [])!.name, "ssh://fast", "1/4 beats 1/1");
    pool.acquire(fast!);
    assert.equal(pool.pick("x86_64-linux", [])!.name, "ssh://slow");
    pool.acquire(slow!);
    assert.equal(pool.pick("x86_64-linux", []), null, "all busy");
    assert.equal(pool.anyAlive("x86_64-linux", []), true);
    pool.release(slow!, "fault");
    pool.release(slow!, true);
    assert.equal(pool.pick("x86_64-linux", []), null, "slow is down for 30 s");
    assert.equal(pool.nextRecovery(), 31_000);
    now = 31_000;
    assert.equal(pool.pick("x86_64-linux", [])!.name, "ssh://slow");
    pool.acquire(slow!);
    pool.release(slow!, "fault");
    assert.equal(pool.nextRecovery(), 31_000 + 30_000, "a success in between reset the back-off");
    now = 61_000;
    pool.acquire(slow!);
    pool.release(slow!, "fault");
    assert.equal(pool.nextRecovery(), 61_000 + 60_000, "twice as long the second time in a row");
    assert.equal(pool.pick("riscv64-linux", []), null);
    assert.equal(pool.anyAlive("riscv64-linux", []), false);
  });
});
