/**
 * Compressing and decompressing NARs with the xz and zstd programs (the same
 * liblzma and libzstd Nix links), streamed through pipes.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { XpkgsError } from "../errors.js";
import type { Compression } from "./narinfo.js";

export class CompressionError extends XpkgsError {
  override name = "CompressionError";
}

const programs: Record<
  Exclude<Compression, "none">,
  { compress: string[]; decompress: string[]; pkg: string }
> = {
  // -T0: xz's threads for inputs of more than one block; the output is still one .xz stream.
  xz: { compress: ["xz", "-6", "-T0", "-c"], decompress: ["xz", "-d", "-c"], pkg: "xz-utils" },
  zstd: {
    compress: ["zstd", "-3", "-q", "-c"],
    decompress: ["zstd", "-d", "-q", "-c"],
    pkg: "zstd",
  },
};

export function parseCompression(text: string): Compression {
  if (text === "xz" || text === "zstd" || text === "none") return text;
  throw new CompressionError(
    `Unknown compression '${text}': use xz (Nix's default), zstd or none.`,
  );
}

function run(c: Exclude<Compression, "none">, mode: "compress" | "decompress") {
  const [cmd, ...args] = programs[c][mode];
  const child = spawn(cmd!, args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        new CompressionError(
          e.code === "ENOENT"
            ? `${cmd} is not installed; install Debian's ${programs[c].pkg} package.`
            : `${cmd} failed to start: ${e.message}`,
        ),
      ),
    );
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new CompressionError(
            `${cmd} ${mode === "decompress" ? "could not decompress the data" : "failed"} ` +
              `(${signal ?? `exit ${code}`}): ${stderr.trim().split("\n")[0] ?? ""}`,
          ),
        );
    });
  });
  exited.catch(() => {});
  return { child, exited };
}

/** Counts and hashes what flows through. */
export class Tally extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  override _transform(
    chunk: Buffer,
    _enc: string,
    done: (e?: Error | null, d?: Buffer) => void,
  ): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }
}

/**
 * Write `input` compressed to `file`. Returns the sha256 and size of the NAR
 * (what went in) and of the file (what came out).
 */
export async function compressToFile(
  input: AsyncIterable<Buffer>,
  file: string,
  c: Compression,
): Promise<{ nar: { sha256: Buffer; size: number }; file: { sha256: Buffer; size: number } }> {
  const nar = new Tally();
  const out = new Tally();
  if (c === "none") {
    await pipeline(Readable.from(input), nar, out, createWriteStream(file, { flags: "wx" }));
  } else {
    const { child, exited } = run(c, "compress");
    await Promise.all([
      pipeline(Readable.from(input), nar, child.stdin).catch((e) => {
        child.kill();
        throw e;
      }),
      pipeline(child.stdout, out, createWriteStream(file, { flags: "wx" })),
      exited,
    ]);
  }
  return {
    nar: { sha256: nar.hash.digest(), size: nar.size },
    file: { sha256: out.hash.digest(), size: out.size },
  };
}

/** The decompressed bytes of `input`; the decompressor's failure is thrown at the end. */
export async function* decompress(
  input: AsyncIterable<Uint8Array>,
  c: Compression,
): AsyncGenerator<Uint8Array> {
  if (c === "none") {
    yield* input;
    return;
  }
  const { child, exited } = run(c, "decompress");
  let feedError: unknown = null;
  const fed = pipeline(Readable.from(input), child.stdin).catch((e: unknown) => {
    feedError = e;
    child.kill();
  });
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
    await fed;
    if (feedError !== null) throw feedError;
    await exited;
    finished = true;
  } finally {
    if (!finished) {
      child.kill();
      await fed;
    }
  }
}
