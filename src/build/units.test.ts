import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { outLinkName } from "../cli/build.js";
import { scanForReferences } from "../store/references.js";
import { aptArchiveUris, expandUrl, mirrorList } from "./mirrors.js";
import { ProgressReporter } from "./progress.js";

describe("mirrors", () => {
  it("reads archive URIs from both apt source formats, leaving out security archives", () => {
    const apt = mkdtempSync(join(tmpdir(), "xpkgs-apt-"));
    mkdirSync(join(apt, "sources.list.d"));
    writeFileSync(
      join(apt, "sources.list.d", "debian.sources"),
      "Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm\n\n" +
        "Types: deb\nURIs: http://archive.example/debian-security\nSuites: bookworm-security\n\n" +
        "Types: deb-src\nURIs: http://src.example/debian\n",
    );
    writeFileSync(
      join(apt, "sources.list"),
      "# comment\ndeb [arch=amd64] http://other.example/debian/ bookworm main\n",
    );
    assert.deepEqual(aptArchiveUris(apt).sort(), [
      "http://archive.example/debian",
      "http://other.example/debian",
    ]);
  });
  it("lets XPKGS_MIRRORS_DEBIAN override, and expands mirror:// URLs in order", () => {
    const env = { XPKGS_MIRRORS_DEBIAN: "http://a.example/debian/ http://b.example/debian" };
    assert.deepEqual(mirrorList("debian", env), [
      "http://a.example/debian",
      "http://b.example/debian",
    ]);
    assert.deepEqual(expandUrl("mirror://debian/pool/main/h/hello/x.tar.gz", env), [
      "http://a.example/debian/pool/main/h/hello/x.tar.gz",
      "http://b.example/debian/pool/main/h/hello/x.tar.gz",
    ]);
    assert.deepEqual(expandUrl("https://x.example/y", env), ["https://x.example/y"]);
    assert.throws(() => expandUrl("mirror://debain/x", env), /Did you mean 'debian'/);
  });
});

describe("out-link names", () => {
  it("follow nix-build", () => {
    assert.equal(outLinkName("result", 0, "out"), "result");
    assert.equal(outLinkName("result", 0, "dev"), "result-dev");
    assert.equal(outLinkName("result", 1, "out"), "result-2");
    assert.equal(outLinkName("r", 2, "lib"), "r-3-lib");
  });
});

describe("reference scanning", () => {
  it("finds hash parts in files, symlinks and across read boundaries", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-refs-"));
    const a = "/s/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a";
    const b = "/s/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b";
    const c = "/s/cccccccccccccccccccccccccccccccc-c";
    const d = "/s/dddddddddddddddddddddddddddddddd-d";
    mkdirSync(join(dir, "out"));
    // `a` straddles the 1 MiB read boundary.
    const big = Buffer.alloc((1 << 20) + 100, 0x2e);
    big.write(a, (1 << 20) - 20, "latin1");
    writeFileSync(join(dir, "out", "big"), big);
    symlinkSync(`${b}/bin/x`, join(dir, "out", "link"));
    writeFileSync(join(dir, "out", "near-miss"), "cccccccccccccccccccccccccccccc-c"); // 30 chars only
    assert.deepEqual([...scanForReferences(join(dir, "out"), [a, b, c, d])].sort(), [a, b]);
  });
});

describe("progress", () => {
  function fakeStream(isTTY: boolean) {
    const written: string[] = [];
    const stream = { isTTY, columns: 80, write: (s: string) => (written.push(s), true) };
    return { stream: stream as unknown as NodeJS.WriteStream, written };
  }
  it("prints one plain line per event when not on a terminal", () => {
    const { stream, written } = fakeStream(false);
    const p = new ProgressReporter(stream, "normal");
    p.plan([], ["/s/x.drv"]);
    p.started("/s/x.drv", "x", "build");
    p.finished("/s/x.drv", "x", null);
    p.close();
    const text = written.join("");
    assert.match(
      text,
      /these 1 derivations will be built:\n {2}\/s\/x\.drv\nbuilding \/s\/x\.drv\nbuilt x in [\d.]+s\n/,
    );
    assert.doesNotMatch(text, /\r/);
  });
  it("keeps a status line with the running builds on a terminal", () => {
    const { stream, written } = fakeStream(true);
    const p = new ProgressReporter(stream, "normal");
    p.plan([], ["/s/x.drv", "/s/y.drv"]);
    p.started("/s/x.drv", "x", "build");
    p.close();
    const text = written.join("");
    assert.match(text, /\[0\/2 done, 1 running, 1 waiting, [\d.]+s\] x \([\d.]+s\)/);
    assert.ok(text.includes("\r\x1b[2K"));
  });
  it("says nothing when quiet", () => {
    const { stream, written } = fakeStream(false);
    const p = new ProgressReporter(stream, "quiet");
    p.plan([], ["/s/x.drv"]);
    p.started("/s/x.drv", "x", "build");
    p.close();
    assert.deepEqual(written, []);
  });
});
