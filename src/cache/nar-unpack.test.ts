// The NAR reader against good archives (it must give back what dumpPath wrote) and every
// hostile shape a cache could send.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dumpPath } from "../store/nar.js";
import { narStream } from "../store/nar-stream.js";
import { BadNarError, unpackNar } from "./nar-unpack.js";

/** A NAR written token by token, so that tests can write wrong ones. */
function nar(...tokens: (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [];
  for (const t of tokens) {
    if (typeof t === "number") {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt(t));
      parts.push(b);
      continue;
    }
    const bytes = typeof t === "string" ? Buffer.from(t) : t;
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(bytes.length));
    parts.push(len, bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8));
  }
  return Buffer.concat(parts);
}

const file = (name: string, contents: string) => [
  "entry",
  "(",
  "name",
  name,
  "node",
  "(",
  "type",
  "regular",
  "contents",
  contents,
  ")",
  ")",
];
const dir = (...entries: string[][]) => [
  "nix-archive-1",
  "(",
  "type",
  "directory",
  ...entries.flat(),
  ")",
];

async function* chunks(b: Buffer, size = b.length > 100_000 ? 65_536 : 7): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "xpkgs-nar-"));
}

async function unpack(b: Buffer, maxSize = b.length) {
  const root = scratch();
  const dest = join(root, "out");
  try {
    return { ...(await unpackNar(chunks(b), dest, { maxSize, what: "the test NAR" })), dest, root };
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

async function rejects(b: Buffer, pattern: RegExp, maxSize = b.length): Promise<void> {
  await assert.rejects(unpack(b, maxSize), (e: Error) => {
    assert.ok(e instanceof BadNarError, `${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe("unpacking a NAR", () => {
  it("gives back the tree dumpPath archived: files, executables, symlinks, nested and empty directories", async () => {
    const src = scratch();
    const t = join(src, "tree");
    mkdirSync(join(t, "bin"), { recursive: true });
    mkdirSync(join(t, "empty"));
    writeFileSync(join(t, "bin", "tool"), "#!/bin/sh\necho hi\n");
    chmodSync(join(t, "bin", "tool"), 0o755);
    writeFileSync(join(t, "big"), Buffer.alloc(3_000_001, 7));
    writeFileSync(join(t, "Zeta"), "");
    symlinkSync("bin/tool", join(t, "link"));
    const parts: Buffer[] = [];
    dumpPath(t, (c) => parts.push(Buffer.from(c)));
    const original = Buffer.concat(parts);
    const streamed = [];
    for await (const c of narStream(t)) streamed.push(c);
    assert.ok(
      Buffer.concat(streamed).equals(original),
      "narStream and dumpPath agree byte for byte",
    );
    const r = await unpack(original);
    try {
      assert.equal(r.size, original.length);
      assert.ok(r.sha256.equals(createHash("sha256").update(original).digest()));
      const again: Buffer[] = [];
      dumpPath(r.dest, (c) => again.push(Buffer.from(c)));
      assert.ok(Buffer.concat(again).equals(original), "unpacked tree archives to the same NAR");
      assert.equal(readlinkSync(join(r.dest, "link")), "bin/tool");
      assert.ok((lstatSync(join(r.dest, "bin", "tool")).mode & 0o100) !== 0);
      assert.equal(readFileSync(join(r.dest, "big")).length, 3_000_001);
    } finally {
      rmSync(r.root, { recursive: true, force: true });
      rmSync(src, { recursive: true, force: true });
    }
  });

  it("refuses names that are not one file name", async () => {
    await rejects(nar(...dir(file("..", "x"))), /entry named '\.\.'/);
    await rejects(nar(...dir(file(".", "x"))), /entry named '\.'/);
    await rejects(nar(...dir(file("a/b", "x"))), /entry named 'a\/b'/);
    await rejects(nar(...dir(file("", "x"))), /entry named ''/);
    await rejects(nar(...dir(file("a\0b", "x"))), /not a single file name/);
  });

  it("refuses entries out of order or twice", async () => {
    await rejects(
      nar(...dir(file("b", "1"), file("a", "2"))),
      /out of order or twice \('b' then 'a'\)/,
    );
    await rejects(nar(...dir(file("a", "1"), file("a", "2"))), /out of order or twice/);
  });

  it("refuses a symlink followed by an entry that would land through it", async () => {
    // The only way to reach through a symlink is its own name again: a duplicate.
    const link = [
      "entry",
      "(",
      "name",
      "d",
      "node",
      "(",
      "type",
      "symlink",
      "target",
      "/etc",
      ")",
      ")",
    ];
    const sub = [
      "entry",
      "(",
      "name",
      "d",
      "node",
      "(",
      "type",
      "directory",
      ...file("passwd", "x"),
      ")",
      ")",
    ];
    await rejects(nar(...dir(link, sub)), /out of order or twice/);
  });

  it("refuses a NAR larger than declared, truncated, with trailing data, bad padding or bad tokens", async () => {
    const good = nar(...dir(file("a", "hello")));
    await rejects(good, /larger than the 100 bytes/, 100);
    await rejects(good.subarray(0, good.length - 9), /truncated/);
    await rejects(Buffer.concat([good, Buffer.alloc(8)]), /data after the end/);
    const badPad = Buffer.from(good);
    // "hello" is 5 bytes: the 3 padding bytes after it must be zero.
    const at = badPad.indexOf("hello") + 5;
    badPad[at] = 1;
    await rejects(badPad, /non-zero padding/);
    await rejects(nar("nix-archive-2"), /expected 'nix-archive-1'/);
    await rejects(nar("nix-archive-1", "(", "type", "fifo", ")"), /unknown type 'fifo'/);
    // A file whose declared length runs past the end of the input.
    await rejects(nar("nix-archive-1", "(", "type", "regular", "contents", 1000), /truncated/);
    await rejects(
      nar("nix-archive-1", "(", "type", "regular", "contents", 2 ** 60),
      /impossible length|truncated/,
    );
  });

  it("leaves nothing outside the destination when it fails", async () => {
    const root = scratch();
    const dest = join(root, "out");
    await assert.rejects(
      unpackNar(chunks(nar(...dir(file("ok", "1"), file("../escape", "x")))), dest, {
        maxSize: 1e6,
        what: "t",
      }),
    );
    assert.equal(existsSync(join(root, "escape")), false);
    rmSync(root, { recursive: true, force: true });
  });

  it("keeps a symlink target's bytes as they are, and refuses paths longer than the system allows", async () => {
    const raw = Buffer.from([0x61, 0xff, 0x62]); // not UTF-8
    const r = await unpack(nar("nix-archive-1", "(", "type", "symlink", "target", raw, ")"));
    try {
      assert.ok(readlinkSync(r.dest, { encoding: "buffer" }).equals(raw));
    } finally {
      rmSync(r.root, { recursive: true, force: true });
    }
    const long = "d".repeat(255);
    let deep: (string | Buffer)[] = ["(", "type", "regular", "contents", "x", ")"];
    for (let i = 0; i < 20; i++)
      deep = ["(", "type", "directory", "entry", "(", "name", long, "node", ...deep, ")", ")"];
    await rejects(nar("nix-archive-1", ...deep), /longer than this system allows/, 1e6);
  });
});
