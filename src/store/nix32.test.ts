import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compressHash, parseHash, sha256 } from "./hash.js";
import { nix32Decode, nix32Encode } from "./nix32.js";
import { checkStoreName, compareBytes, makeFixedOutputPath, parseStorePath } from "./store-path.js";

describe("nix32", () => {
  it("encodes sha256('') as Nix does", () => {
    // nix-hash --type sha256 --to-base32 e3b0c442…b855
    assert.equal(
      nix32Encode(sha256("").bytes),
      "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73",
    );
  });
  it("decodes what it encodes, for every length", () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
      assert.deepEqual(nix32Decode(nix32Encode(bytes), n), bytes);
    }
  });
  it("rejects letters outside the alphabet and wrong lengths", () => {
    assert.equal(nix32Decode("e".repeat(52), 32), null);
    assert.equal(nix32Decode("0".repeat(51), 32), null);
  });
});

describe("hashes", () => {
  const hex = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";
  it("parses hex, nix32, base64 and SRI to the same digest", () => {
    const h = parseHash(`sha256:${hex}`);
    assert.equal(parseHash(h.nix32, "sha256").hex, hex);
    assert.equal(parseHash(`sha256:${h.base64}`).hex, hex);
    assert.equal(parseHash(h.sri).hex, hex);
  });
  it("says what is wrong with a bad hash", () => {
    assert.throws(() => parseHash("sha256:abc"), /64 hex digits, 52 nix32 characters/);
    assert.throws(() => parseHash(hex), /name its algorithm/);
  });
  it("folds by XOR", () => {
    assert.deepEqual(compressHash(new Uint8Array([1, 2, 3, 4]), 2), new Uint8Array([1 ^ 3, 2 ^ 4]));
  });
});

describe("store path names", () => {
  it("accepts Nix's name characters and rejects others", () => {
    checkStoreName("hello-2.10+x_y?=z");
    assert.throws(() => checkStoreName(".hidden"), /starts with '.'/);
    assert.throws(() => checkStoreName("a b"), /contains ' '/);
    assert.throws(() => checkStoreName("x".repeat(212)), /limit is 211/);
  });
  it("parses a store path and refuses a file inside one", () => {
    const p = makeFixedOutputPath("a", "flat", sha256("x"), "/xpkgs/store");
    assert.equal(parseStorePath(p, "/xpkgs/store").name, "a");
    assert.throws(() => parseStorePath(`${p}/bin`, "/xpkgs/store"), /inside a store path/);
    assert.throws(() => parseStorePath(p, "/nix/store"), /does not start with/);
  });
});

describe("compareBytes", () => {
  it("orders strings as their UTF-8 bytes, surrogate pairs included", () => {
    // Code units and bytes disagree where a character above U+FFFF meets one in U+E000–FFFF.
    const alphabet = [
      "a",
      "b",
      "Z",
      "-",
      "é",
      "\u{e000}",
      "\u{ffff}",
      "\u{10000}",
      "\u{1f600}",
      "\u{10ffff}",
    ];
    let seed = 7;
    const pick = (): string => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return alphabet[seed % alphabet.length]!;
    };
    const word = (): string => Array.from({ length: 1 + (seed % 4) }, pick).join("");
    for (let i = 0; i < 2000; i++) {
      const a = word();
      const b = i % 5 === 0 ? a + pick() : word();
      const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.equal(compareBytes(a, b), bytes, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
    assert.equal(compareBytes("\u{1f600}", "\u{1f601}"), -1);
    assert.equal(compareBytes("\u{10000}", "\u{ffff}"), 1);
  });
});
