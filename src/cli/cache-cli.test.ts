// The cache commands' command lines: key generation as Nix does it, and the errors of copy.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseSecretKey } from "../cache/signing.js";
import { runCli } from "./testing.js";

describe("xpkgs key and copy's cache URLs", () => {
  it("key generate writes a 0600 secret and its public key, refuses to overwrite; key public prints it again", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-key-"));
    try {
      const secret = join(dir, "c.secret");
      const pub = join(dir, "c.public");
      const r = runCli([
        "key",
        "generate",
        "--name",
        "cache.example.org-1",
        "--secret",
        secret,
        "--public",
        pub,
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(statSync(secret).mode & 0o777, 0o600);
      const text = readFileSync(pub, "utf8");
      assert.match(text, /^cache\.example\.org-1:[A-Za-z0-9+/]{43}=$/);
      assert.equal(r.stdout.trim(), text);
      assert.equal(parseSecretKey(readFileSync(secret, "utf8")).publicText, text);
      assert.equal(runCli(["key", "public", secret]).stdout.trim(), text);
      assert.equal(runCli(["key", "public"], {}, readFileSync(secret)).stdout.trim(), text);
      const again = runCli([
        "key",
        "generate",
        "--name",
        "x-1",
        "--secret",
        secret,
        "--public",
        join(dir, "x"),
      ]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /exists already; xpkgs does not overwrite a key/);
      const bad = runCli(["key", "public", pub]);
      assert.match(bad.stderr, /does not hold 64 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("copy says which URL does what, and refuses what it cannot do in one paragraph", () => {
    const help = runCli(["copy", "--help"]).stdout.replace(/\s+/g, " ");
    assert.match(help, /ssh:\/\//);
    assert.match(help, /file:\/\/\/DIR, http\(s\):\/\/HOST\[:PORT\]\/PREFIX or s3:\/\/BUCKET/);
    const cases: [string[], RegExp][] = [
      [["copy", "hello"], /Say where to copy: --to ssh:\/\/.*exactly one of them/],
      [["copy", "--to", "file:///x", "--from", "file:///y", "hello"], /exactly one of them/],
      [
        ["copy", "--to", "root@10.0.0.2", "hello"],
        /has no scheme. A device is ssh:\/\/.*a binary cache is file:/,
      ],
      [["copy", "--to", "ssh://root@10.0.0.2", "a", "b"], /one thing to a device at a time/],
      [["copy", "--to", "ftp://x/y", "hello"], /scheme ftp: that xpkgs does not speak/],
      [
        ["copy", "--to", "file:///tmp/x", "--compression", "bzip2", "hello"],
        /Unknown compression 'bzip2'/,
      ],
      [
        ["copy", "--to", "file:///tmp/x", "--secret-key", "/nonexistent.secret", "hello"],
        /Cannot read the secret key file \/nonexistent\.secret/,
      ],
    ];
    for (const [args, why] of cases) {
      const r = runCli(args, { XPKGS_STORE_DIR: join(tmpdir(), "xpkgs-cli-never") });
      assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    const keys = runCli(
      ["build", "--substituters", "file:///x", "--trusted-public-keys", "nocolon", "hello"],
      {
        XPKGS_STORE_DIR: join(tmpdir(), "xpkgs-cli-never"),
      },
    );
    assert.match(keys.stderr, /number 1 of trusted-public-keys is not in Nix's 'name:base64' form/);
  });
});
