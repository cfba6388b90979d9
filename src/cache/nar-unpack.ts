/**
 * Unpack a NAR that came from the network into a fresh directory. The input
 * is untrusted, so every rule of the format is checked as it streams by:
 * tokens in their places, names that are single path components in strictly
 * increasing byte order (no `..`, `/`, empty name or duplicate), zero
 * padding, sizes within the declared NAR size, and nothing after the end.
 * Entries are created only inside directories this reader made, with
 * O_EXCL|O_NOFOLLOW, so no symlink in the archive can redirect a later entry.
 */
import { closeSync, constants, mkdirSync, openSync, symlinkSync, writeSync } from "node:fs";
import { createHash, type Hash as CryptoHash } from "node:crypto";
import { XpkgsError } from "../errors.js";

export class BadNarError extends XpkgsError {
  override name = "BadNarError";
}

const maxToken = 4096;
const maxDepth = 256;

class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private done = false;
  total = 0;
  readonly hash: CryptoHash = createHash("sha256");

  constructor(
    private readonly it: Iterator<Uint8Array> | AsyncIterator<Uint8Array>,
    private readonly limit: number,
    private readonly what: string,
  ) {}

  private async pull(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done === true) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    this.total += chunk.length;
    if (this.total > this.limit) {
      throw new BadNarError(
        `${this.what} is larger than the ${this.limit} bytes its narinfo declares (NarSize).`,
      );
    }
    this.hash.update(chunk);
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
    this.pos = 0;
    return true;
  }

  private truncated(): never {
    throw new BadNarError(`${this.what} ends early: the archive is truncated.`);
  }

  async take(n: number): Promise<Buffer> {
    while (this.buf.length - this.pos < n) if (!(await this.pull())) this.truncated();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Pass `n` bytes to `sink` in the pieces they arrived in. */
  async pipe(n: number, sink: (b: Buffer) => void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.buf.length && !(await this.pull())) this.truncated();
      const piece = this.buf.subarray(
        this.pos,
        this.pos + Math.min(left, this.buf.length - this.pos),
      );
      this.pos += piece.length;
      left -= piece.length;
      sink(piece);
    }
  }

  async u64(): Promise<number> {
    const b = await this.take(8);
    const v = b.readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new BadNarError(`${this.what} declares an impossible length.`);
    return Number(v);
  }

  async padding(len: number): Promise<void> {
    const pad = (8 - (len % 8)) % 8;
    if (pad === 0) return;
    const b = await this.take(pad);
    if (b.some((x) => x !== 0)) throw new BadNarError(`${this.what} has non-zero padding.`);
  }

  async bytes(max = maxToken): Promise<Buffer> {
    const len = await this.u64();
    if (len > max)
      throw new BadNarError(
        `${this.what} has a string of ${len} bytes, more than the ${max} allowed.`,
      );
    const b = Buffer.from(await this.take(len));
    await this.padding(len);
    return b;
  }

  async str(): Promise<string> {
    return (await this.bytes()).toString("latin1");
  }

  async expect(token: string): Promise<void> {
    const got = await this.str();
    if (got !== token) {
      throw new BadNarError(
        `${this.what} is not a valid NAR: expected '${token}', found '${got.slice(0, 40)}'.`,
      );
    }
  }

  /** True when the input has nothing left. */
  async atEnd(): Promise<boolean> {
    while (this.pos >= this.buf.length) if (!(await this.pull())) return true;
    return false;
  }
}

function checkName(name: Buffer, prev: Buffer | null, what: string): string {
  const s = name.toString("utf8");
  if (
    name.length === 0 ||
    s === "." ||
    s === ".." ||
    name.includes(0x2f) ||
    name.includes(0) ||
    !Buffer.from(s, "utf8").equals(name)
  ) {
    throw new BadNarError(`${what} has an entry named '${s}', which is not a single file name.`);
  }
  if (prev !== null && Buffer.compare(prev, name) >= 0) {
    throw new BadNarError(
      `${what} has entries out of order or twice ('${prev.toString("utf8")}' then '${s}').`,
    );
  }
  return s;
}

async function node(r: Reader, path: string, depth: number, what: string): Promise<void> {
  if (depth > maxDepth) throw new BadNarError(`${what} nests directories deeper than ${maxDepth}.`);
  await r.expect("(");
  await r.expect("type");
  const type = await r.str();
  if (type === "regular") {
    let tag = await r.str();
    let executable = false;
    if (tag === "executable") {
      await r.expect("");
      executable = true;
      tag = await r.str();
    }
    if (tag !== "contents")
      throw new BadNarError(`${what} has a file without contents (found '${tag}').`);
    const size = await r.u64();
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      executable ? 0o755 : 0o644,
    );
    try {
      await r.pipe(size, (b) => {
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      });
    } finally {
      closeSync(fd);
    }
    await r.padding(size);
  } else if (type === "symlink") {
    await r.expect("target");
    const target = await r.bytes();
    if (target.length === 0 || target.includes(0))
      throw new BadNarError(`${what} has a symlink with an empty or NUL target.`);
    symlinkSync(target, path); // the bytes as they are, as the NAR hash has them
  } else if (type === "directory") {
    mkdirSync(path, { mode: 0o755 });
    let prev: Buffer | null = null;
    for (;;) {
      const tag = await r.str();
      if (tag === ")") return;
      if (tag !== "entry")
        throw new BadNarError(`${what} has '${tag.slice(0, 40)}' where a directory entry belongs.`);
      await r.expect("(");
      await r.expect("name");
      const raw = await r.bytes(255);
      const name = checkName(raw, prev, what);
      prev = raw;
      await r.expect("node");
      await node(r, `${path}/${name}`, depth + 1, what);
      await r.expect(")");
    }
  } else {
    throw new BadNarError(`${what} has a node of unknown type '${type.slice(0, 40)}'.`);
  }
  await r.expect(")");
}

/**
 * Unpack the NAR streamed by `input` at `dest` (which must not exist).
 * Returns its sha256 (as `sha256:<nix32>` is made from) and size. On error,
 * `dest` may hold a partial tree: the caller removes it.
 */
export async function unpackNar(
  input: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  dest: string,
  opts: { maxSize: number; what: string },
): Promise<{ sha256: Buffer; size: number }> {
  const it =
    Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : input[Symbol.iterator]();
  const r = new Reader(it, opts.maxSize, opts.what);
  try {
    await r.expect("nix-archive-1");
    await node(r, dest, 0, opts.what);
    if (!(await r.atEnd()))
      throw new BadNarError(`${opts.what} has data after the end of the archive.`);
  } catch (e) {
    await it.return?.();
    if (e instanceof XpkgsError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EEXIST" || err.code === "ELOOP") {
      throw new BadNarError(`${opts.what} writes the same place twice (${err.message}).`);
    }
    if (err.code === "ENAMETOOLONG") {
      throw new BadNarError(`${opts.what} has a path longer than this system allows.`);
    }
    if (typeof err.code === "string") {
      throw new XpkgsError(`Unpacking ${opts.what} failed: ${err.message}.`);
    }
    throw e;
  }
  return { sha256: r.hash.digest(), size: r.total };
}
