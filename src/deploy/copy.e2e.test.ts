// xpkgs copy against a real OpenSSH server in a network namespace of its
// own (and a second one chrooted into a static busybox): the native static
// hello and bundles arrive whole (sha256 checked on the far side), pass their
// smoke tests there, and every bad case (no answer, refused key, unknown host
// key, damaged file, wrong architecture, read-only folder, full disk) is
// refused with a clear message and nothing under the final name.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { e2eStoreEnv, runCli } from "../cli/testing.js";
import { type BundleManifest, manifestName } from "./bundle.js";
import { bundleItem, fileItem, probeDevice, upload } from "./copy.js";
import { SshSession } from "./ssh.js";
import { type SshdFixture, startSshd } from "./sshd-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "xpkgs-copy-e2e-"));
const env = e2eStoreEnv(dir);
let device: SshdFixture;

const sshArgs = () => ["-i", device.identity, ...device.sshOptions.flatMap((o) => ["-o", o])];
const to = (folder: string, host = device.address) => `ssh://root@${host}:${device.port}${folder}`;
const copy = (what: string, folder: string, extra: string[] = []) =>
  runCli(["copy", "-q", what, "--to", to(folder), ...sshArgs(), ...extra], env);

/** A command run on the device over ssh, as the test's own check. */
function onDevice(command: string): string {
  const r = spawnSync(
    "ssh",
    [
      "-p",
      String(device.port),
      "-o",
      "BatchMode=yes",
      ...sshArgs(),
      `root@${device.address}`,
      command,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** A session to the device for the library-level tests. */
const openSession = () =>
  new SshSession(
    { user: "root", host: device.address, port: device.port, dir: null },
    { identity: device.identity, options: device.sshOptions, timeout: 10 },
  );

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("xpkgs copy over SSH to a device in a network namespace", () => {
  before(async () => {
    // A static busybox is the whole system of the second, bare device.
    const busybox = runCli(["build", "-q", "--no-out-link", "pkgsStatic.busybox"], env);
    assert.equal(busybox.status, 0, busybox.stderr);
    device = await startSshd({ busybox: join(busybox.stdout.trim(), "bin/busybox") });
  });
  after(() => device?.stop());

  it("copies the native static hello, checks it on the far side, and its smoke test passes there", () => {
    const r = copy("pkgsStatic.hello", `${device.home}/bin`);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^device: x86_64 \(uname -m\)/m);
    assert.match(r.stdout, /sha256 of every file checked on the device/);
    assert.match(
      r.stdout,
      /^smoke test passed: .*\/bin\/hello --version → "hello \(GNU Hello\) 2\.10"$/m,
    );
    const built = runCli(["build", "-q", "--no-out-link", "pkgsStatic.hello"], env).stdout.trim();
    const local = join(built, "bin/hello");
    const far = onDevice(`sha256sum ${device.home}/bin/hello; stat -c %a ${device.home}/bin/hello`);
    assert.equal(far.split(/\s+/)[0], sha256(local));
    assert.equal(far.trim().split("\n")[1], (statSync(local).mode & 0o777).toString(8));
    assert.deepEqual(readdirSync(join(device.home, "bin")), ["hello"], "no temporary left");
  });

  it("copies a bundle of a dynamic program: every file arrives, and it runs there", () => {
    const b = join(dir, "file-bundle");
    const made = runCli(["bundle", "-q", "file", "--dir", b], env);
    assert.equal(made.status, 0, made.stderr);
    const r = copy(b, device.home);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /^smoke test passed: .*file-bundle\/bin\/file --version → "file-5\.44"$/m,
    );
    const m = JSON.parse(readFileSync(join(b, manifestName), "utf8")) as BundleManifest;
    // The recipe's smoke test travels in the manifest, and copy ran it.
    assert.deepEqual(m.programs.file?.smokeTest, {
      args: ["--version"],
      expect: "^file-5\\.44\\n",
    });
    const paths = m.files.map((f) => f.path);
    const sums = onDevice(`cd ${device.home}/file-bundle && sha256sum ${paths.join(" ")}`)
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[0]);
    assert.deepEqual(
      sums,
      m.files.map((f) => f.sha256),
    );
    // It went as one tar stream (the device has tar); the modes are the manifest's.
    const modes = onDevice(`cd ${device.home}/file-bundle && stat -c %a ${paths.join(" ")}`);
    assert.deepEqual(
      modes.trim().split("\n"),
      m.files.map((f) => f.mode),
    );
    assert.match(onDevice(`${device.home}/file-bundle/bin/file --version`), /^file-5\.44$/m);
  });

  it("copies a bundle made with bundle -o: the .tar.gz is unpacked here and sent as its folder", () => {
    const tarball = join(dir, "hello-x86_64.tar.gz");
    const made = runCli(["bundle", "-q", "hello", "-o", tarball], env);
    assert.equal(made.status, 0, made.stderr);
    const r = copy(tarball, device.home);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /^smoke test passed: .*\/hello-x86_64\/bin\/hello --version → "hello \(GNU Hello\) 2\.10"$/m,
    );
    assert.equal(onDevice(`${device.home}/hello-x86_64/bin/hello`), "Hello, world!\n");
  });

  it("a bare device, sshd chrooted into a static busybox (no C library, no bash): both kinds run", () => {
    const bare = device.busybox!;
    const toBare = `ssh://root@${device.address}:${bare.port}/home`;
    const send = (what: string) => runCli(["copy", "-q", what, "--to", toBare, ...sshArgs()], env);
    const hello = send("pkgsStatic.hello");
    assert.equal(hello.status, 0, hello.stderr + hello.stdout);
    assert.match(hello.stdout, /^device: x86_64 \(uname -m\); loaders: none in \/lib, \/lib64/m);
    assert.match(
      hello.stdout,
      /^smoke test passed: \/home\/hello --version → "hello \(GNU Hello\) 2\.10"$/m,
    );
    // A dynamic glibc program, bundled on the fly, runs where there is no glibc at all.
    const file = send("file");
    assert.equal(file.status, 0, file.stderr + file.stdout);
    assert.match(file.stdout, /sha256 of every file checked on the device/);
    assert.match(
      file.stdout,
      /^smoke test passed: \/home\/file-bundle\/bin\/file --version → "file-5\.44"$/m,
    );
    assert.deepEqual(readdirSync(join(bare.root, "home")).sort(), ["file-bundle", "hello"]);
  });

  it("--dry-run shows the plan and does not contact the device", () => {
    const r = runCli(
      [
        "copy",
        "pkgsStatic.hello",
        "--to",
        to(`${device.home}/dry`, device.deadAddress),
        "--dry-run",
      ],
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^copy hello \(x86_64, static\) to ssh:\/\//m);
    assert.match(r.stdout, /smoke test on the device: .*\/dry\/hello --version/);
    assert.match(r.stdout, /not contacted/);
    assert.equal(existsSync(join(device.home, "dry")), false);
  });

  it("an address where nothing answers: the ssh error, after the --timeout", () => {
    const started = Date.now();
    const r = runCli(
      [
        "copy",
        "-q",
        "pkgsStatic.hello",
        "--to",
        to(device.home, device.deadAddress),
        "--timeout",
        "3",
        ...sshArgs(),
      ],
      env,
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /cannot reach the device at ssh:\/\/root@10\.231\.\d+\.3:2222: ssh: connect to host .*(timed out|No route to host)/,
    );
    assert.ok(seconds < 30, `gave up after ${seconds} s`);
  });

  it("a key the device does not accept, a host key ssh does not know: why, and what to do", () => {
    const wrongKey = [
      "-i",
      join(device.identity, "..", "host_key"),
      ...device.sshOptions.flatMap((o) => ["-o", o]),
    ];
    const refused = runCli(
      ["copy", "-q", "pkgsStatic.hello", "--to", to(device.home), ...wrongKey],
      env,
    );
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /Permission denied.*refused the login: name the key it accepts with -i KEY/,
    );
    const unknown = runCli(
      [
        "copy",
        "-q",
        "pkgsStatic.hello",
        "--to",
        to(device.home),
        "-i",
        device.identity,
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=yes",
      ],
      env,
    );
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /Host key verification failed.*StrictHostKeyChecking=accept-new/);
  });

  it("a smoke test that fails on the device: reported, exit status 1", () => {
    const src = join(dir, "grumpy.c");
    writeFileSync(src, '#include <stdio.h>\nint main(void){fputs("no\\n", stderr);return 3;}\n');
    const exe = join(dir, "grumpy");
    execFileSync("gcc", ["-static", "-o", exe, src]);
    const r = copy(exe, device.home);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stdout,
      /^smoke test FAILED: .*grumpy --version: exit 3: no; .*grumpy --help: exit 3: no$/m,
    );
    assert.ok(existsSync(join(device.home, "grumpy")), "the copy itself stays");
  });

  it("a file damaged on the way: found by its sha256 there, nothing installed", () => {
    const src = join(dir, "tiny.c");
    writeFileSync(src, "int main(void){return 0;}\n");
    const exe = join(dir, "tiny");
    execFileSync("gcc", ["-static", "-o", exe, src]);
    const item = fileItem("tiny", exe, "x86_64");
    const session = openSession();
    try {
      session.connect();
      const facts = probeDevice(session, device.home);
      assert.equal(facts.sha256sum, true);
      // Called after each file is written: spoil the staged copy on the device.
      const spoil = () => {
        const staged = readdirSync(device.home).find((n) => n.startsWith(".tiny.xpkgs-partial-"));
        assert.ok(staged !== undefined);
        appendFileSync(join(device.home, staged), "x");
      };
      assert.throws(
        () => upload(session, item, device.home, facts, spoil),
        /tiny arrived damaged on the device .*Nothing was installed/,
      );
    } finally {
      session.close();
    }
    assert.deepEqual(
      readdirSync(device.home).filter((n) => n.includes("tiny")),
      [],
      "no partial file, nothing under the final name",
    );
  });

  it("a device without tar gets a bundle one file at a time, modes and all", () => {
    const b = join(dir, "file-bundle");
    const session = openSession();
    const sent: string[] = [];
    try {
      session.connect();
      const facts = probeDevice(session, `${device.home}/no-tar`);
      assert.equal(facts.tar, true, "the test device has tar; the test takes it away");
      const item = bundleItem("file-bundle", b, "x86_64", false, "file");
      const r = upload(session, item, `${device.home}/no-tar`, { ...facts, tar: false }, (l) =>
        sent.push(l),
      );
      assert.equal(r.verified, true);
      assert.equal(sent.length, item.files.length, sent.join("\n"));
      for (const f of item.files) {
        const there = join(device.home, "no-tar", "file-bundle", f.path);
        assert.equal(sha256(there), f.sha256, f.path);
        assert.equal(statSync(there).mode & 0o777, f.mode, f.path);
      }
    } finally {
      session.close();
    }
    assert.match(onDevice(`${device.home}/no-tar/file-bundle/bin/file --version`), /^file-5\.44$/m);
  });

  it("a program for another architecture: refused, nothing copied", () => {
    const r = copy("pkgsCross.aarch64-multiplatform.pkgsStatic.hello", `${device.home}/wrong`);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /the device is x86_64 \(uname -m\), but hello is a program for aarch64.*Build it for the device: pkgsStatic\.hello .*--force/,
    );
    assert.equal(existsSync(join(device.home, "wrong")), false);
  });

  it("a folder that is not writable: refused, nothing copied", () => {
    const r = copy("pkgsStatic.hello", device.readOnly);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /device-ro on the device is not writable/);
    assert.deepEqual(readdirSync(device.readOnly), []);
  });

  it("a full disk: a clear message, no partial file and nothing under the final name", () => {
    const r = copy(join(dir, "file-bundle"), device.small);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /the device ran out of space in .*device-small while writing .*No space left on device/,
    );
    assert.deepEqual(readdirSync(device.small), []);
  });
});
