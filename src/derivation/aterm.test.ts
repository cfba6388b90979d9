import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DrvParseError, parseDerivation, unparseDerivation } from "./aterm.js";

const good =
  'Derive([("out","/s/aaaa-x","","")],[],[],"x86_64-linux","/bin/sh",["-c","a\\"b\\\\c\\nd"],[("out","/s/aaaa-x")])';

describe("ATerm", () => {
  it("reads escapes and writes them back byte for byte", () => {
    const d = parseDerivation(good, "x");
    assert.deepEqual(d.args, ["-c", 'a"b\\c\nd']);
    assert.equal(unparseDerivation(d), good);
  });
  it("names the byte offset of a syntax error", () => {
    const bad = good.replace('"x86_64-linux"', "x86_64-linux");
    assert.throws(
      () => parseDerivation(bad, "x", "bad.drv"),
      (e: unknown) =>
        e instanceof DrvParseError &&
        e.byteOffset === bad.indexOf("x86_64") &&
        /bad\.drv is not a valid derivation: expected '"'/.test(e.message),
    );
  });
  it("counts bytes, not characters, in the offset", () => {
    const bad = 'Derive([("out","/s/ü","","")],[],[],"s","b",[],[])junk';
    assert.throws(
      () => parseDerivation(bad, "x"),
      (e: unknown) => e instanceof DrvParseError && e.byteOffset === Buffer.byteLength(bad) - 4,
    );
  });
  it("rejects truncated input and duplicates", () => {
    assert.throws(() => parseDerivation(good.slice(0, 40), "x"), /end of file|unterminated/);
    const dup = good.replace('[("out","/s/aaaa-x")]', '[("out","1"),("out","2")]');
    assert.throws(() => parseDerivation(dup, "x"), /duplicate environment variable 'out'/);
  });
});
