// Device addresses and architecture matching for xpkgs copy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { XpkgsError } from "../errors.js";
import { runsOn, suggestAttr } from "./copy.js";
import { formatTarget, parseSshUrl, shq } from "./ssh.js";

describe("ssh:// addresses", () => {
  it("reads user, host, port and folder, each optional but the host", () => {
    assert.deepEqual(parseSshUrl("ssh://root@192.168.1.20:2222/opt/bin/"), {
      user: "root",
      host: "192.168.1.20",
      port: 2222,
      dir: "/opt/bin",
    });
    assert.deepEqual(parseSshUrl("ssh://edge"), {
      user: null,
      host: "edge",
      port: null,
      dir: null,
    });
    assert.deepEqual(parseSshUrl("ssh://[fe80::1]:22/tmp"), {
      user: null,
      host: "fe80::1",
      port: 22,
      dir: "/tmp",
    });
    assert.equal(formatTarget(parseSshUrl("ssh://u@[fe80::1]:22/tmp")), "ssh://u@[fe80::1]:22/tmp");
  });
  it("refuses what is not one, saying how to write it", () => {
    for (const bad of [
      "root@host:/opt",
      "http://host/",
      "ssh://",
      "ssh://host:0",
      "ssh://host:99999",
    ]) {
      assert.throws(
        () => parseSshUrl(bad),
        (e: unknown) => {
          assert.ok(e instanceof XpkgsError, bad);
          assert.match(e.message, /ssh:\/\/\[user@\]host\[:port\]|port/, bad);
          return true;
        },
      );
    }
  });
  it("quotes words for a POSIX shell", () => {
    assert.equal(shq("it's here"), `'it'\\''s here'`);
  });
});

describe("does the device run the program?", () => {
  it("matches uname -m's words to the program's architecture", () => {
    assert.equal(runsOn("aarch64", "aarch64"), true);
    assert.equal(runsOn("arm64", "aarch64"), true);
    assert.equal(runsOn("armv7l", "arm"), true);
    assert.equal(runsOn("x86_64", "i686"), true);
    assert.equal(runsOn("mips", "mipsel"), true);
    assert.equal(runsOn("x86_64", "aarch64"), false);
    assert.equal(runsOn("aarch64", "x86_64"), false);
    assert.equal(runsOn("riscv64", "arm"), false);
  });
  it("suggests the same package, static, for the device's platform", () => {
    const attr = "pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped";
    assert.equal(suggestAttr(attr, "x86_64", "x86_64"), "pkgsStatic.binutils-unwrapped");
    assert.equal(
      suggestAttr("hello", "aarch64", "x86_64"),
      "pkgsCross.aarch64-multiplatform.pkgsStatic.hello",
    );
    assert.equal(
      suggestAttr("pkgsMusl.xz", "armv7l", "x86_64"),
      "pkgsCross.armv7l-hf-multiplatform.pkgsStatic.xz",
    );
    assert.equal(
      suggestAttr("./result/bin/ls", "sparc64", "x86_64"),
      "pkgsCross.<platform>.pkgsStatic.<package>",
    );
  });
});
