// Keys and signatures in Nix's forms, checked against Nix's own `nix key` commands.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  fingerprint,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  signText,
  validSignatures,
} from "./signing.js";
import { parseNarInfo, renderNarInfo, type NarInfo } from "./narinfo.js";

const nixAvailable = spawnSync("nix", ["--version"]).status === 0;
const nix = (args: string[], input?: string) => {
  const r = spawnSync("nix", ["--extra-experimental-features", "nix-command", ...args], {
    input,
    encoding: "utf8",
    env: {
      ...process.env,
      NIX_CONF_DIR: "/nonexistent",
      NIX_STATE_DIR: "/tmp/xpkgs-nix-keys-state",
    },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};

describe("signing keys", () => {
  it("a generated pair signs and verifies; another key or a changed text does not verify", () => {
    const a = generateKeyPair("a-1");
    const b = generateKeyPair("b-1");
    const sk = parseSecretKey(a.secret);
    assert.equal(sk.publicText, a.public);
    const sig = signText(sk, "1;/x/store/abc-x;sha256:0;1;");
    assert.match(sig, /^a-1:[A-Za-z0-9+/]{86}==$/);
    assert.deepEqual(
      validSignatures("1;/x/store/abc-x;sha256:0;1;", [sig], [parsePublicKey(a.public)]),
      ["a-1"],
    );
    assert.deepEqual(
      validSignatures("1;/x/store/abc-x;sha256:0;2;", [sig], [parsePublicKey(a.public)]),
      [],
    );
    // Same name, other key: a forged signature does not pass.
    const forged = signText(parseSecretKey(b.secret.replace(/^b-1/, "a-1")), "t");
    assert.deepEqual(validSignatures("t", [forged], [parsePublicKey(a.public)]), []);
  });

  it("refuses malformed keys with a message that says what a key looks like", () => {
    assert.throws(() => parsePublicKey("nocolon"), /not in Nix's 'name:base64' form/);
    assert.throws(() => parsePublicKey("k:AAAA"), /does not hold 32 bytes/);
    assert.throws(
      () => parseSecretKey("k:" + Buffer.alloc(64, 1).toString("base64")),
      /public half does not belong/,
    );
    assert.throws(() => generateKeyPair("a:b"), /without ':'/);
  });

  it("the fingerprint is Nix's: references sorted, as full paths, comma-joined", () => {
    assert.equal(
      fingerprint("/s/b-x", "sha256:h", 8, ["/s/c-z", "/s/a-y"]),
      "1;/s/b-x;sha256:h;8;/s/a-y,/s/c-z",
    );
  });

  it(
    "agrees with nix key: Nix's secret gives Nix's public here, and ours there",
    { skip: !nixAvailable && "nix is not installed" },
    () => {
      const nixSecret = nix(["key", "generate-secret", "--key-name", "nix-made-1"]);
      const nixPublic = nix(["key", "convert-secret-to-public"], nixSecret);
      assert.equal(parseSecretKey(nixSecret).publicText, nixPublic);
      const ours = generateKeyPair("xpkgs-made-1");
      assert.equal(nix(["key", "convert-secret-to-public"], ours.secret), ours.public);
    },
  );
});

describe("narinfo", () => {
  const info: NarInfo = {
    storePath: "/x/store/0c3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-hello-1",
    url: "nar/1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3.nar.xz",
    compression: "xz",
    fileHash: "sha256:1w1fff338fvdw53sqgamddn1b2xgds473pv6y13gizdbqjv4i5p3",
    fileSize: 100,
    narHash: "sha256:0451h1j8phw48vyk66lgy5yr7jqrhzpnd90bh7z0rcr8psk2jmlr",
    narSize: 1000,
    references: [
      "/x/store/zz3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-b",
      "/x/store/0c3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-hello-1",
    ],
    deriver: "/x/store/1c3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-hello-1.drv",
    sigs: ["k-1:abc", "k-2:def"],
    ca: null,
  };

  it("renders Nix's lines and reads them back", () => {
    const text = renderNarInfo(info);
    assert.match(
      text,
      /^StorePath: .*\nURL: nar\/.*\nCompression: xz\nFileHash: .*\nFileSize: 100\nNarHash: .*\nNarSize: 1000\nReferences: 0c3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-hello-1 zz3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-b\nDeriver: 1c3w.*\.drv\nSig: k-1:abc\nSig: k-2:def\n$/,
    );
    const back = parseNarInfo(text, "/x/store", "t");
    assert.deepEqual(
      { ...back, references: back.references.sort() },
      { ...info, references: [...info.references].sort() },
    );
  });

  it("refuses what a substituter cannot trust to be well-formed", () => {
    const text = renderNarInfo(info);
    assert.throws(() => parseNarInfo(text, "/other/store", "t"), /no StorePath in \/other\/store/);
    assert.throws(
      () => parseNarInfo(text.replace(/NarSize: .*\n/, ""), "/x/store", "t"),
      /no valid NarSize/,
    );
    assert.throws(
      () => parseNarInfo(text.replace(/NarHash: .*\n/, "NarHash: md5:abc\n"), "/x/store", "t"),
      /not a sha256 hash/,
    );
    assert.throws(
      () => parseNarInfo(text.replace("Compression: xz", "Compression: bzip2"), "/x/store", "t"),
      /compression 'bzip2'/,
    );
    assert.throws(
      () => parseNarInfo(text.replace(/URL: .*/, "URL: ../../etc/passwd"), "/x/store", "t"),
      /no usable URL/,
    );
    assert.throws(
      () =>
        parseNarInfo(text.replace("zz3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-b", "../b"), "/x/store", "t"),
      /reference that is not a store path/,
    );
  });

  it("keeps the NAR inside the cache and unsigned fields in their shapes", () => {
    const text = renderNarInfo(info);
    for (const url of [
      "https://evil.example/x.nar",
      "nar/%2e%2e/x",
      "nar/x?y",
      "/etc/passwd",
      "nar//x",
      "file:x",
    ]) {
      assert.throws(
        () => parseNarInfo(text.replace(/URL: .*/, `URL: ${url}`), "/x/store", "t"),
        /no usable URL/,
        url,
      );
    }
    const odd = text
      .replace(/Deriver: .*/, "Deriver: 1c3w5lzh6gwlhx6dfqzw81d8mpwdkcnq-hello-1")
      .replace("Sig: k-1:abc", "Sig: k-1:abc def")
      .replace(/References: (\S+) (\S+)/, "References:  $1   $2 ")
      .concat("CA: fixed:r:sha256:../../x\n");
    const back = parseNarInfo(odd, "/x/store", "t");
    assert.equal(back.deriver, null, "a deriver that is not a .drv is dropped");
    assert.deepEqual(back.sigs, ["k-2:def"], "a signature with a space is dropped");
    assert.equal(back.references.length, 2, "references split on runs of blanks");
    assert.equal(back.ca, null);
    assert.deepEqual(
      parseNarInfo(text.replace(/References: .*/, "References:"), "/x/store", "t").references,
      [],
    );
  });
});
