/**
 * Pushing store paths to a binary cache, as `nix copy --to` does: whole
 * closures, references before referrers, and for each path the NAR first and
 * its narinfo last. The narinfo is the commit point: a reader never finds a
 * narinfo whose NAR (or whose references) are not there yet.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { hashFile } from "./file-io.js";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { nix32Encode } from "../store/nix32.js";
import { dumpPath } from "../store/nar.js";
import type { Store } from "../store/store.js";
import { parseStorePath } from "../store/store-path.js";
import type { CacheBackend } from "./backends.js";
import { compressFile } from "./compression.js";
import {
  type Compression,
  compressionExtension,
  parseCacheInfo,
  renderCacheInfo,
  renderNarInfo,
} from "./narinfo.js";
import { type SecretKey, fingerprint, signText } from "./signing.js";

export interface PushProgress {
  /** Called once the plan is known. */
  plan(total: number, missing: string[], bytes: number): void;
  pushed(path: string, fileSize: number, narSize: number): void;
}

export interface PushOptions {
  compression: Compression;
  keys: SecretKey[];
  /** The log of a path's deriver, if this store has one. */
  logOf?: (drvPath: string) => string | null;
  progress?: PushProgress;
  /** Paths checked for presence at once. */
  parallel?: number;
}

export const contentTypes = {
  narinfo: "text/x-nix-narinfo",
  nar: "application/x-nix-nar",
  cacheInfo: "text/x-nix-cache-info",
  log: "text/plain; charset=utf-8",
};

/** Make sure the cache says it holds paths of our store dir, writing nix-cache-info when new. */
export async function ensureCacheInfo(cache: CacheBackend, storeDir: string): Promise<void> {
  // exists() first: a file:// cache that is not there yet is made, not "unreachable".
  const text = (await cache.exists("nix-cache-info")) ? await cache.read("nix-cache-info") : null;
  if (text === null) {
    await cache.write(
      "nix-cache-info",
      { bytes: Buffer.from(renderCacheInfo({ storeDir, wantMassQuery: true, priority: 40 })) },
      contentTypes.cacheInfo,
    );
    return;
  }
  const info = parseCacheInfo(text.toString("utf8"), cache.url);
  if (info.storeDir !== storeDir) {
    throw new XpkgsError(
      `${cache.url} holds paths of the store ${info.storeDir}, and this store is ${storeDir}. ` +
        `Paths of one store dir cannot be used in another: push to a cache of ${storeDir}, ` +
        `or set XPKGS_STORE_DIR=${info.storeDir}.`,
    );
  }
}

/** References before referrers (a path's own self-reference does not count). */
export function topoSort(store: Store, paths: Set<string>): string[] {
  const out: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (p: string): void => {
    if (state.get(p) === "done") return;
    state.set(p, "visiting");
    for (const r of store.info(p)?.references ?? []) {
      if (r !== p && paths.has(r) && state.get(r) === undefined) visit(r);
    }
    state.set(p, "done");
    out.push(p);
  };
  for (const p of [...paths].sort()) visit(p);
  return out;
}

async function mapLimit<T, R>(items: T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export const narInfoKey = (path: string, storeDir: string) =>
  `${parseStorePath(path, storeDir).hashPart}.narinfo`;

/** Push the closures of `paths`. Returns the paths uploaded (the rest were there). */
export async function pushPaths(
  store: Store,
  paths: string[],
  cache: CacheBackend,
  opts: PushOptions,
): Promise<string[]> {
  for (const p of paths) {
    if (!store.isValid(p)) {
      throw new XpkgsError(
        `${p} is not a valid path of the store ${store.storeDir}, so it cannot be pushed. Build it first.`,
      );
    }
  }
  await ensureCacheInfo(cache, store.storeDir);
  const order = topoSort(store, store.closure(paths));
  const present = await mapLimit(order, opts.parallel ?? 8, (p) =>
    cache.exists(narInfoKey(p, store.storeDir)),
  );
  const missing = order.filter((_, i) => !present[i]);
  opts.progress?.plan(
    order.length,
    missing,
    missing.reduce((n, p) => n + store.info(p)!.narSize, 0),
  );
  const scratch = mkdtempSync(join(tmpdir(), "xpkgs-push-"));
  try {
    for (const p of missing) await pushOne(store, p, cache, opts, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return missing;
}

async function pushOne(
  store: Store,
  path: string,
  cache: CacheBackend,
  opts: PushOptions,
  scratch: string,
): Promise<void> {
  const info = store.info(path)!;
  const narFile = join(scratch, `${basename(path)}.nar`);
  const packed = `${narFile}${compressionExtension[opts.compression]}`;
  try {
    const nar = dumpToFile(path, narFile);
    const narHash = `sha256:${nix32Encode(nar.sha256)}`;
    if (narHash !== info.narHash || nar.size !== info.narSize) {
      throw new XpkgsError(
        `${path} is damaged: its contents hash to ${narHash} (${nar.size} bytes), and the store registered ` +
          `${info.narHash} (${info.narSize} bytes). It was not pushed. Repair it by deleting and rebuilding it.`,
      );
    }
    if (opts.compression !== "none") await compressFile(narFile, packed, opts.compression);
    const tmp = opts.compression === "none" ? narFile : packed;
    const file = hashFile(tmp);
    const fileHash = nix32Encode(file.sha256);
    const url = `nar/${fileHash}.nar${compressionExtension[opts.compression]}`;
    if (!(await cache.exists(url))) await cache.write(url, { file: tmp }, contentTypes.nar);
    if (info.deriver !== null && opts.logOf !== undefined) {
      const log = opts.logOf(info.deriver);
      if (log !== null && existsSync(log))
        await cache.write(`log/${basename(info.deriver)}`, { file: log }, contentTypes.log);
    }
    const fp = fingerprint(path, info.narHash, info.narSize, info.references);
    const sigs = [
      ...info.sigs.filter((s) => !opts.keys.some((k) => s.startsWith(`${k.name}:`))),
      ...opts.keys.map((k) => signText(k, fp)),
    ];
    const narinfo = renderNarInfo({
      storePath: path,
      url,
      compression: opts.compression,
      fileHash: `sha256:${fileHash}`,
      fileSize: file.size,
      narHash: info.narHash,
      narSize: info.narSize,
      references: info.references,
      deriver: info.deriver,
      sigs,
      ca: info.ca,
    });
    await cache.write(
      narInfoKey(path, store.storeDir),
      { bytes: Buffer.from(narinfo) },
      contentTypes.narinfo,
    );
    opts.progress?.pushed(path, file.size, info.narSize);
  } finally {
    rmSync(narFile, { force: true });
    rmSync(packed, { force: true });
  }
}

/** Write the NAR of `path` to `file`, returning its sha256 and size. */
function dumpToFile(path: string, file: string): { sha256: Buffer; size: number } {
  const h = createHash("sha256");
  let size = 0;
  const fd = openSync(file, "wx", 0o600);
  try {
    dumpPath(path, (chunk) => {
      h.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    });
  } finally {
    closeSync(fd);
  }
  return { sha256: h.digest(), size };
}
