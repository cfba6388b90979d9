/**
 * Finding which store paths an output refers to, as Nix does: by searching
 * its bytes (file contents, symlink targets and names) for the 32-character
 * hash parts of candidate paths.
 */
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { hashPartLength } from "./store-path.js";
import { nix32Alphabet } from "./nix32.js";

const isNix32 = new Uint8Array(256);
for (const c of nix32Alphabet) isNix32[c.charCodeAt(0)] = 1;

/** Hash parts of `candidates` found in `bytes`, added to `found`. */
function scanBytes(bytes: Uint8Array, wanted: Map<string, string>, found: Set<string>): void {
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (isNix32[bytes[i]!] === 1) {
      run++;
      if (run >= hashPartLength) {
        const start = i + 1 - hashPartLength;
        const key = Buffer.from(bytes.buffer, bytes.byteOffset + start, hashPartLength).toString(
          "latin1",
        );
        const path = wanted.get(key);
        if (path !== undefined) found.add(path);
      }
    } else {
      run = 0;
    }
  }
}

/**
 * The candidates that `root` refers to. Files are read in chunks that overlap
 * by one hash length, so a hash split across two reads is still found.
 */
export function scanForReferences(root: string, candidates: Iterable<string>): Set<string> {
  const wanted = new Map<string, string>();
  for (const c of candidates) {
    const base = c.slice(c.lastIndexOf("/") + 1);
    wanted.set(base.slice(0, hashPartLength), c);
  }
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  const buf = Buffer.allocUnsafe(1 << 20);
  const visit = (path: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) {
      scanBytes(readlinkSync(path, { encoding: "buffer" }), wanted, found);
    } else if (st.isDirectory()) {
      for (const e of readdirSync(path)) {
        scanBytes(Buffer.from(e), wanted, found);
        visit(join(path, e));
      }
    } else if (st.isFile()) {
      const fd = openSync(path, "r");
      try {
        let carry = 0;
        for (;;) {
          const n = readSync(fd, buf, carry, buf.length - carry, null);
          if (n === 0) break;
          const end = carry + n;
          scanBytes(buf.subarray(0, end), wanted, found);
          carry = Math.min(hashPartLength - 1, end);
          buf.copy(buf, 0, end - carry, end);
        }
      } finally {
        closeSync(fd);
      }
    }
  };
  visit(root);
  return found;
}
