/**
 * The framing of Nix's serve protocol: little-endian 64-bit integers, and
 * strings as a length followed by the bytes, padded with zeros to a multiple
 * of eight. `WireReader` reads it off a stream (ssh's standard output) with
 * exact-length reads; `encode*` builds what is written.
 */
import type { Readable } from "node:stream";
import { XpkgsError } from "../errors.js";

export class ProtocolError extends XpkgsError {
  override name = "ProtocolError";
}

const pad = (n: number) => (8 - (n % 8)) % 8;
const highWater = 4 << 20;

export function encodeInt(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function encodeString(s: string | Buffer): Buffer {
  const bytes = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  return Buffer.concat([encodeInt(bytes.length), bytes, Buffer.alloc(pad(bytes.length))]);
}

export function encodeStrings(list: Iterable<string>): Buffer {
  const items = [...list];
  return Buffer.concat([encodeInt(items.length), ...items.map((s) => encodeString(s))]);
}

/** Exact reads from a byte stream; `what` names the peer in errors. */
export class WireReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(
    stream: Readable,
    private readonly what: () => string,
  ) {
    this.stream = stream;
    stream.on("data", (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      // Back-pressure: a slow consumer (a disk) must not buffer a whole NAR in memory.
      if (this.buffered > highWater) stream.pause();
      this.poke();
    });
    stream.on("end", () => {
      this.ended = true;
      this.poke();
    });
    stream.on("error", (e) => {
      this.failure = e;
      this.poke();
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n) {
      if (this.failure !== null) throw this.failure;
      if (this.ended) {
        throw new ProtocolError(`${this.what()} closed the connection in the middle of a reply.`);
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private readonly stream: Readable;

  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    if (this.buffered <= highWater && this.stream.isPaused()) this.stream.resume();
    return out;
  }

  async bytes(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.take(n);
  }

  /** Up to `max` bytes, at least one: for streaming a large body. */
  async some(max: number): Promise<Buffer> {
    await this.fill(1);
    return this.take(Math.min(max, this.buffered));
  }

  async int(): Promise<number> {
    const v = (await this.bytes(8)).readBigUInt64LE();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtocolError(`${this.what()} sent a number too large to be a count (${v}).`);
    }
    return Number(v);
  }

  async bool(): Promise<boolean> {
    return (await this.int()) !== 0;
  }

  async string(limit = 1 << 20): Promise<string> {
    const n = await this.int();
    if (n > limit) {
      throw new ProtocolError(`${this.what()} sent a ${n}-byte string where at most ${limit} fit.`);
    }
    const b = await this.bytes(n + pad(n));
    return b.subarray(0, n).toString("utf8");
  }

  async strings(limit = 1 << 20): Promise<string[]> {
    const n = await this.int();
    if (n > limit) throw new ProtocolError(`${this.what()} sent a list of ${n} items.`);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.string());
    return out;
  }
}
