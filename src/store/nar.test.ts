import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dumpPath, narHashOf } from "./nar.js";

function fixture(): string {
  const root = join(mkdtempSync(join(tmpdir(), "xpkgs-nar-")), "tree");
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "share", "empty"), { recursive: true });
  writeFileSync(join(root, "bin", "hello"), "#!/bin/sh\necho hello\n");
  chmodSync(join(root, "bin", "hello"), 0o755);
  writeFileSync(join(root, "share", "seven"), "1234567");
  writeFileSync(join(root, "share", "eight"), "12345678");
  writeFileSync(join(root, "share", "zero"), "");
  writeFileSync(join(root, "B-upper"), "sorted before lower-case");
  writeFileSync(join(root, "ünïcode"), "names are bytes");
  symlinkSync("bin/hello", join(root, "link"));
  symlinkSync("/nonexistent/target", join(root, "dangling"));
  return root;
}

describe("NAR", () => {
  it("hashes a tree as nix-hash does", () => {
    const root = fixture();
    const nix = execFileSync("nix-hash", ["--type", "sha256", "--base32", root], {
      encoding: "utf8",
    }).trim();
    assert.equal(narHashOf(root).narHash.nix32, nix);
  });
  it("serialises byte for byte as nix-store --dump", () => {
    const root = fixture();
    const chunks: Uint8Array[] = [];
    dumpPath(root, (c) => chunks.push(Buffer.from(c)));
    const ours = Buffer.concat(chunks);
    const nix = execFileSync("nix-store", ["--dump", root], {
      env: {
        ...process.env,
        NIX_STORE_DIR: "/tmp/xpkgs-nar-nix/store",
        NIX_STATE_DIR: "/tmp/xpkgs-nar-nix/var",
      },
      maxBuffer: 1 << 26,
    });
    assert.equal(ours.length, nix.length);
    assert.ok(ours.equals(nix));
    assert.equal(narHashOf(root).narSize, nix.length);
  });
  it("hashes a single file and a symlink", () => {
    const root = fixture();
    for (const p of [
      join(root, "share", "seven"),
      join(root, "link"),
      join(root, "share", "zero"),
    ]) {
      const nix = execFileSync("nix-hash", ["--type", "sha256", "--base32", p], {
        encoding: "utf8",
      }).trim();
      assert.equal(narHashOf(p).narHash.nix32, nix, p);
    }
  });
});
