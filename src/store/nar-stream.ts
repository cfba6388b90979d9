/**
 * The NAR of a store path as an async stream of chunks, for sending it
 * somewhere (a compressor, a socket) with back-pressure. The bytes are the
 * same as `dumpPath`'s (nar.ts), which hashes synchronously.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { NarError } from "./nar.js";
import { compareBytes } from "./store-path.js";

const chunkSize = 1 << 20;
const zeros = Buffer.alloc(8);

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function strBytes(bytes: Buffer): Buffer {
  const pad = (8 - (bytes.length % 8)) % 8;
  return Buffer.concat([u64(bytes.length), bytes, zeros.subarray(0, pad)]);
}

const str = (s: string) => strBytes(Buffer.from(s, "utf8"));

async function* nodeChunks(path: string): AsyncGenerator<Buffer> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) {
    yield Buffer.concat([
      str("("),
      str("type"),
      str("symlink"),
      str("target"),
      strBytes(await readlink(path, { encoding: "buffer" })),
      str(")"),
    ]);
  } else if (st.isFile()) {
    const head = [str("("), str("type"), str("regular")];
    if ((st.mode & 0o100) !== 0) head.push(str("executable"), str(""));
    head.push(str("contents"), u64(st.size));
    yield Buffer.concat(head);
    // Synchronous reads of a page-cached file are several times faster than the thread
    // pool's; each is one chunk, and the consumer's back-pressure comes between them.
    const fd = openSync(path, "r");
    let total = 0;
    try {
      for (;;) {
        const buf = Buffer.allocUnsafeSlow(chunkSize);
        const n = readSync(fd, buf, 0, chunkSize, null);
        if (n === 0) break;
        total += n;
        yield buf.subarray(0, n);
      }
    } finally {
      closeSync(fd);
    }
    if (total !== st.size) {
      throw new NarError(
        `${path} changed size while it was being archived (${st.size} → ${total} bytes).`,
      );
    }
    yield Buffer.concat([zeros.subarray(0, (8 - (total % 8)) % 8), str(")")]);
  } else if (st.isDirectory()) {
    yield Buffer.concat([str("("), str("type"), str("directory")]);
    const names = (await readdir(path)).sort(compareBytes);
    for (const name of names) {
      yield Buffer.concat([str("entry"), str("("), str("name"), str(name), str("node")]);
      yield* nodeChunks(`${path}/${name}`);
      yield str(")");
    }
    yield str(")");
  } else {
    throw new NarError(`${path} is neither a regular file, a directory nor a symbolic link.`);
  }
}

/** The NAR of `path`, chunk by chunk (small tokens are coalesced up to 64 KiB). */
export async function* narStream(path: string): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [str("nix-archive-1")];
  let pendingSize = pending[0]!.length;
  for await (const c of nodeChunks(path)) {
    if (c.length >= 65536) {
      if (pendingSize > 0) yield Buffer.concat(pending);
      pending = [];
      pendingSize = 0;
      yield c;
      continue;
    }
    pending.push(c);
    pendingSize += c.length;
    if (pendingSize >= 65536) {
      yield Buffer.concat(pending);
      pending = [];
      pendingSize = 0;
    }
  }
  if (pendingSize > 0) yield Buffer.concat(pending);
}
