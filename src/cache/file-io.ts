/** Whole files, hashed and read in big synchronous chunks (fast for the page cache). */
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

/** A file in 1 MiB chunks; each chunk is a buffer of its own. */
export function* fileChunks(file: string): Generator<Buffer> {
  const fd = openSync(file, "r");
  try {
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

export function hashFile(file: string): { sha256: Buffer; size: number } {
  const h = createHash("sha256");
  let size = 0;
  for (const c of fileChunks(file)) {
    h.update(c);
    size += c.length;
  }
  return { sha256: h.digest(), size };
}
