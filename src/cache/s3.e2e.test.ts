// The seed's static aarch64 binutils through a real S3 server (OpenStack Swift's s3api on
// loopback): pushed to a bucket, the push killed half-way with the server, pushed again, and
// substituted into a fresh store from s3://, whose readelf then runs under qemu on its CPU.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { StoreDb } from "../store/db.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { cliPath, e2eStoreEnv, runCliAsync, type CliResult } from "../cli/testing.js";
import { generateKeyPair } from "./signing.js";
import { freshClient, nixAvailable } from "./testing/clients.js";
import { type S3Fixture, s3ClientFor, startSwiftS3, swiftAvailable } from "./testing/swift-s3.js";

const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped";
const skip = swiftAvailable() ?? nixAvailable();

describe("an S3 binary cache (Swift's s3api)", { skip: skip ?? false }, () => {
  let s3: S3Fixture;
  let root: string;
  let env: Record<string, string>;
  let url: string;
  let client: S3Client;
  const key = generateKeyPair("s3-test-1");
  let secret: string;
  let out: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "xpkgs-s3-"));
    s3 = await startSwiftS3();
    env = {
      ...e2eStoreEnv(root),
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    client = s3ClientFor(s3);
    await client.send(new CreateBucketCommand({ Bucket: "xpkgs-cache" }));
    url = `s3://xpkgs-cache?endpoint=${encodeURIComponent(s3.endpoint)}&region=${s3.region}`;
    secret = join(root, "s3.secret");
    writeFileSync(secret, key.secret);
    const built = await runCliAsync(["build", "--no-out-link", attr], env);
    assert.equal(built.status, 0, built.stderr);
    out = built.stdout.trim();
  });
  after(async () => {
    client?.destroy();
    await s3?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function keys(): Promise<string[]> {
    const r = await client.send(new ListObjectsV2Command({ Bucket: "xpkgs-cache" }));
    return (r.Contents ?? []).map((o) => o.Key!);
  }

  it("a push killed with the server leaves no narinfo without its NAR, and the next push completes", async () => {
    const push = spawn(
      process.execPath,
      [cliPath, "copy", "--to", url, "--secret-key", secret, "--compression", "zstd", out],
      {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    const done = new Promise<CliResult>((resolve) => {
      let stdout = "";
      push.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      push.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
    });
    // Kill the server once the push knows what it will upload, while it compresses.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the push never planned: ${stderr}`)),
        60_000,
      );
      push.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (/to push/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    s3.killProxy();
    const killed = await done;
    assert.notEqual(killed.status, 0, "the push fails when the server dies");
    assert.match(killed.stderr, /error: .*(cannot be reached|failed)/);
    await s3.restartProxy();
    const half = await keys();
    assert.ok(
      !half.some((k) => k.endsWith(".narinfo")),
      `no narinfo after the killed push: ${half.join(" ")}`,
    );
    const again = await runCliAsync(
      ["copy", "--to", url, "--secret-key", secret, "--compression", "zstd", out],
      env,
    );
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /pushed 1 path/);
    const all = await keys();
    assert.ok(all.includes("nix-cache-info"));
    assert.ok(all.some((k) => /^[0-9a-z]{32}\.narinfo$/.test(k)));
    assert.ok(all.some((k) => /^nar\/[0-9a-z]{52}\.nar\.zst$/.test(k)));
  });

  it("a fresh store substitutes it from s3:// and runs its readelf on the target's CPU", async () => {
    const c = freshClient(root, env.XPKGS_STORE_DIR!);
    const r = await c.run(
      [
        "run",
        "--substituters",
        url,
        "--trusted-public-keys",
        key.public,
        attr,
        "--bin",
        "readelf",
        "--",
        "-h",
        "/bin/true",
      ],
      {
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        XPKGS_CACHE_DIR: env.XPKGS_CACHE_DIR!,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /substituted binutils/);
    assert.doesNotMatch(r.stderr, /building /);
    assert.match(r.stdout, /ELF Header:[\s\S]*Machine:\s+Advanced Micro Devices X86-64/);
  });

  it("a substitution killed with SIGKILL leaves no half path, and the next command completes it", async () => {
    const c = freshClient(root, env.XPKGS_STORE_DIR!);
    const creds = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    const child = spawn(
      "unshare",
      [
        "-m",
        "sh",
        "-c",
        'mount --bind "$1" "$2" && shift 2 && exec "$@"',
        "sh",
        c.storeFiles,
        env.XPKGS_STORE_DIR!,
        process.execPath,
        cliPath,
        "copy",
        "--from",
        url,
        "--trusted-public-keys",
        key.public,
        out,
      ],
      { env: { ...process.env, ...c.env, ...creds }, stdio: ["ignore", "ignore", "pipe"] },
    );
    await new Promise<void>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(() => reject(new Error(`the copy never started: ${err}`)), 60_000);
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (/copying /.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("close", r));
    const base = out.split("/").pop()!;
    const left = readdirSync(c.storeFiles);
    // Killed mid-way: only .tmp- debris of the dead process, never the path itself unregistered.
    const db = new StoreDb(join(c.stateDir, "db", "db.sqlite"));
    const registered = db.isValid(out);
    db.close();
    assert.ok(
      left.every((e) => e.startsWith(".tmp-") || (e === base && registered)),
      left.join(" "),
    );
    const again = await c.run(
      ["copy", "--from", url, "--trusted-public-keys", key.public, out],
      creds,
    );
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(readdirSync(c.storeFiles), [base], "the debris is gone and the path is whole");
    const verify = await c.run(["store", "verify"]);
    assert.equal(verify.status, 0, verify.stderr + verify.stdout);
  });
});
