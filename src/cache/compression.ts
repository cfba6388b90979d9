/**
 * Compressing and decompressing NARs with the xz and zstd programs (the same
 * liblzma and libzstd Nix links), file to file: the program reads and writes
 * the files itself, so no byte passes through JavaScript on the way, and a
 * decompression is capped (prlimit's file-size limit) at the size the
 * narinfo declares.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { XpkgsError } from "../errors.js";
import type { Compression } from "./narinfo.js";

export class CompressionError extends XpkgsError {
  override name = "CompressionError";
}

type Program = Exclude<Compression, "none">;

const programs: Record<Program, { compress: string[]; decompress: string[]; pkg: string }> = {
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

/** The command that compresses (or decompresses) standard input to standard output. */
export function compressorCommand(c: Program, mode: "compress" | "decompress"): string[] {
  return programs[c][mode];
}

function runFileToFile(
  argv: string[],
  input: string,
  output: string,
  pkg: string,
  what: string,
): Promise<void> {
  const inFd = openSync(input, "r");
  let outFd: number;
  try {
    outFd = openSync(output, "wx", 0o600);
  } catch (e) {
    closeSync(inFd);
    return Promise.reject(new CompressionError(`Cannot write ${output}: ${(e as Error).message}.`));
  }
  return new Promise<void>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [inFd, outFd, "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString();
    });
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        new CompressionError(
          e.code === "ENOENT"
            ? `${argv[0]} is not installed; install Debian's ${pkg} package.`
            : `${argv[0]} failed to start: ${e.message}`,
        ),
      ),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      if (code === 127 && argv[0] === "prlimit") {
        return reject(
          new CompressionError(`${argv[2]} is not installed; install Debian's ${pkg} package.`),
        );
      }
      reject(
        new CompressionError(
          signal === "SIGXFSZ"
            ? `${what}: the output is larger than declared.`
            : `${what} (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").pop() ?? ""}`,
        ),
      );
    });
  }).finally(() => {
    closeSync(inFd);
    closeSync(outFd);
  });
}

/** Compress `input` into `output` (which must not exist). */
export function compressFile(input: string, output: string, c: Program): Promise<void> {
  return runFileToFile(
    programs[c].compress,
    input,
    output,
    programs[c].pkg,
    `${programs[c].compress[0]} failed`,
  );
}

/**
 * Decompress `input` into `output`, stopping the decompressor with SIGXFSZ
 * (a CompressionError) if it writes more than `maxSize` bytes.
 */
export function decompressFile(
  input: string,
  output: string,
  c: Program,
  maxSize: number,
): Promise<void> {
  const argv = ["prlimit", `--fsize=${maxSize + 1}`, ...programs[c].decompress];
  return runFileToFile(
    argv,
    input,
    output,
    programs[c].pkg,
    `${programs[c].decompress[0]} could not decompress the data`,
  );
}
