/**
 * Nix's archive format (NAR): a canonical serialisation of a file tree, so a
 * path's hash depends only on its contents, executable bits and symlinks,
 * never on mtimes, owners or directory order. We stream it into a sink; the
 * sink hashes it (or writes it) without holding the tree in memory.
 */
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from "node:fs";
import { createHash } from "node:crypto";
import { XpkgsError } from "../errors.js";
import { Hash, type HashAlgo } from "./hash.js";
import { compareBytes } from "./store-path.js";

export type NarSink = (chunk: Uint8Array) => void;

export class NarError extends XpkgsError {
  override name = "NarError";
}

const chunkSize = 1 << 20;
const zeros = new Uint8Array(8);

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function writeBytes(sink: NarSink, bytes: Uint8Array): void {
  sink(u64(bytes.length));
  sink(bytes);
  const pad = (8 - (bytes.length % 8)) % 8;
  if (pad > 0) sink(zeros.subarray(0, pad));
}

function writeStr(sink: NarSink, s: string): void {
  writeBytes(sink, Buffer.from(s, "utf8"));
}

function dumpNode(path: string, sink: NarSink, buffer: Buffer): void {
  const st = lstatSync(path);
  writeStr(sink, "(");
  writeStr(sink, "type");
  if (st.isSymbolicLink()) {
    writeStr(sink, "symlink");
    writeStr(sink, "target");
    writeBytes(sink, readlinkSync(path, { encoding: "buffer" }));
  } else if (st.isFile()) {
    writeStr(sink, "regular");
    if ((st.mode & 0o100) !== 0) {
      writeStr(sink, "executable");
      writeStr(sink, "");
    }
    writeStr(sink, "contents");
    sink(u64(st.size));
    const fd = openSync(path, "r");
    let total = 0;
    try {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, null);
        if (n === 0) break;
        total += n;
        sink(buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
    if (total !== st.size) {
      throw new NarError(
        `${path} changed size while it was being archived (${st.size} → ${total} bytes).`,
      );
    }
    const pad = (8 - (total % 8)) % 8;
    if (pad > 0) sink(zeros.subarray(0, pad));
  } else if (st.isDirectory()) {
    writeStr(sink, "directory");
    const names = readdirSync(path).sort(compareBytes);
    for (const name of names) {
      writeStr(sink, "entry");
      writeStr(sink, "(");
      writeStr(sink, "name");
      writeStr(sink, name);
      writeStr(sink, "node");
      dumpNode(`${path}/${name}`, sink, buffer);
      writeStr(sink, ")");
    }
  } else {
    throw new NarError(
      `${path} is neither a regular file, a directory nor a symbolic link, so it cannot go into the store.`,
    );
  }
  writeStr(sink, ")");
}

/** Serialise the tree at `path` as a NAR into `sink`. */
export function dumpPath(path: string, sink: NarSink): void {
  writeStr(sink, "nix-archive-1");
  dumpNode(path, sink, Buffer.allocUnsafe(chunkSize));
}

/** The hash (sha256 unless told) of the NAR of `path`, and the NAR's size in bytes. */
export function narHashOf(
  path: string,
  algo: HashAlgo = "sha256",
): { narHash: Hash; narSize: number } {
  const h = createHash(algo);
  let size = 0;
  dumpPath(path, (chunk) => {
    h.update(chunk);
    size += chunk.length;
  });
  return { narHash: new Hash(algo, h.digest()), narSize: size };
}
