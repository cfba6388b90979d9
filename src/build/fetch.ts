/**
 * `builtin:fetchurl`: the fixed-output fetcher that runs inside xpkgs, as it
 * runs inside Nix. It tries each URL (mirrors expanded) in order, hashes while
 * it downloads, and keeps nothing whose hash is wrong. Good downloads are
 * cached by hash, so another store never downloads the same file again.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { createWriteStream } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { XpkgsError } from "../errors.js";
import { type Derivation } from "../derivation/derivation.js";
import { parseHashAlgoField } from "../derivation/hash.js";
import { type Hash, type HashAlgo, parseHash } from "../store/hash.js";
import { defaultStallMs, httpGet, StallError } from "./http-get.js";
import { expandUrl } from "./mirrors.js";

export class FetchError extends XpkgsError {
  override name = "FetchError";
}

export class HashMismatchError extends XpkgsError {
  override name = "HashMismatchError";
  constructor(
    readonly url: string,
    readonly expected: Hash,
    readonly got: Hash,
    readonly drvPath: string,
  ) {
    super(
      `Hash mismatch in the fixed-output derivation ${drvPath}:\n` +
        `  url:       ${url}\n` +
        `  specified: ${expected.sri}\n` +
        `  got:       ${got.sri}\n` +
        `The download was discarded and nothing was registered. If the new file is the right one, ` +
        `put the 'got' hash in the recipe.`,
    );
  }
}

export function downloadCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XPKGS_CACHE_DIR !== undefined) return join(env.XPKGS_CACHE_DIR, "downloads");
  const base = env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  return join(base, "xpkgs", "downloads");
}

export interface FetchResult {
  url: string;
  fromCache: boolean;
}

/** A download may take as long as it needs while bytes arrive; a silent connection ends it. */
const stallMs = defaultStallMs;

async function download(url: string, dest: string, algo: HashAlgo): Promise<Hash> {
  const h = createHash(algo);
  const hashing = async function* (source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      h.update(chunk);
      yield chunk;
    }
  };
  if (url.startsWith("file://")) {
    await pipeline(createReadStream(fileURLToPath(url)), hashing, createWriteStream(dest));
  } else if (/^https?:\/\//.test(url)) {
    const res = await httpGet(url, stallMs);
    if (!res.ok) {
      res.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`);
    }
    await pipeline(res.body, hashing, createWriteStream(dest));
  } else {
    throw new Error("unsupported URL scheme (use http, https, file or mirror)");
  }
  return parseHash(h.digest("hex"), algo);
}

function describeError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err instanceof StallError) return `no answer: ${err.message}`;
  const cause = err.cause?.code ?? err.cause?.message;
  return cause !== undefined ? `${err.message} (${cause})` : err.message;
}

/**
 * Realise a `builtin:fetchurl` derivation into `tmpOut` (a temporary path in
 * the store); the caller registers it.
 */
export async function fetchurlBuiltin(
  drvPath: string,
  drv: Derivation,
  tmpOut: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FetchResult> {
  const out = drv.outputs.out;
  if (out === undefined || out.hash === "") {
    throw new FetchError(`${drvPath}: builtin:fetchurl needs a fixed output 'out' with a hash.`);
  }
  const { method, algo } = parseHashAlgoField(out.hashAlgo);
  const expected = parseHash(out.hash, algo);
  const executable = drv.env.executable === "1";
  if (method === "recursive" && !executable) {
    throw new FetchError(
      `${drvPath}: builtin:fetchurl makes flat outputs; recursive hashing needs 'executable'.`,
    );
  }
  const raw = drv.env.urls ?? drv.env.url ?? "";
  const urls = raw.split(/\s+/).filter((u) => u !== "");
  if (urls.length === 0)
    throw new FetchError(`${drvPath}: builtin:fetchurl needs 'url' or 'urls'.`);

  const cacheDir = downloadCacheDir(env);
  const cached = join(cacheDir, `${algo}-${expected.hex}`);
  if (method === "flat" && existsSync(cached)) {
    copyFileSync(cached, tmpOut);
    log(`using the cached download ${cached}`);
    return { url: cached, fromCache: true };
  }
  const tried: string[] = [];
  let mismatch: HashMismatchError | null = null;
  for (const url of urls.flatMap((u) => expandUrl(u, env))) {
    log(`downloading ${url}`);
    try {
      const got = await download(url, tmpOut, algo);
      if (method === "flat" && !got.equals(expected)) {
        rmSync(tmpOut, { force: true });
        mismatch = new HashMismatchError(url, expected, got, drvPath);
        tried.push(`${url}: hash mismatch (got ${got.sri})`);
        continue;
      }
      if (executable) chmodSync(tmpOut, 0o555);
      if (method === "flat") {
        try {
          mkdirSync(cacheDir, { recursive: true });
          const part = `${cached}.part-${process.pid}`;
          copyFileSync(tmpOut, part);
          renameSync(part, cached);
        } catch {
          // the cache is an optimisation; a read-only cache is no error
        }
      }
      return { url, fromCache: false };
    } catch (e) {
      rmSync(tmpOut, { force: true });
      tried.push(`${url}: ${describeError(e)}`);
      log(`  failed: ${describeError(e)}`);
    }
  }
  if (mismatch !== null && tried.length === 1) throw mismatch;
  throw new FetchError(
    `Could not fetch '${drv.name}' (${drvPath}). Every URL failed:\n` +
      tried.map((t) => `  ${t}`).join("\n") +
      `\nCheck the network and the mirror settings (XPKGS_MIRRORS_DEBIAN for mirror://debian).`,
  );
}

export interface Prefetched {
  url: string;
  hash: Hash;
  /** The file in the download cache (`sha256-<hex>`). */
  path: string;
  size: number;
}

/**
 * Downloads `url` (mirrors expanded, each tried in turn) into the download
 * cache and returns its sha256: what a recipe's `hash` needs.
 */
export async function prefetchUrl(
  url: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Prefetched> {
  const cacheDir = downloadCacheDir(env);
  mkdirSync(cacheDir, { recursive: true });
  const tried: string[] = [];
  for (const u of expandUrl(url, env)) {
    const part = join(cacheDir, `.prefetch-${process.pid}-${Date.now()}`);
    log(`downloading ${u}`);
    try {
      const hash = await download(u, part, "sha256");
      const path = join(cacheDir, `sha256-${hash.hex}`);
      renameSync(part, path);
      return { url: u, hash, path, size: statSync(path).size };
    } catch (e) {
      rmSync(part, { force: true });
      tried.push(`${u}: ${describeError(e)}`);
    }
  }
  throw new FetchError(
    `Could not download ${url}. Every URL failed:\n` +
      tried.map((t) => `  ${t}`).join("\n") +
      "\nCheck the URL, the network and the mirror settings (XPKGS_MIRRORS_DEBIAN for mirror://debian).",
  );
}
