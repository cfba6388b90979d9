/**
 * Substituting store paths from binary caches: find a path's narinfo in the
 * caches in priority order, trust it only with a good signature, download,
 * check every hash and size, unpack under a temporary name and register it
 * atomically, references first. A cache that cannot be reached is skipped
 * with one warning; a path a cache lacks is asked again next time (no
 * negative cache).
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { fileChunks, hashFile } from "./file-io.js";
import { XpkgsError } from "../errors.js";
import { nix32Encode } from "../store/nix32.js";
import { type Store, canonicalise, removeTree, tempPathIn } from "../store/store.js";
import { TempRoots } from "../store/temp-roots.js";
import { parseStorePath } from "../store/store-path.js";
import { type CacheBackend, openCache } from "./backends.js";
import { decompressFile } from "./compression.js";
import { unpackNar } from "./nar-unpack.js";
import { type NarInfo, parseCacheInfo, parseNarInfo } from "./narinfo.js";
import { type PublicKey, fingerprint, parsePublicKey, validSignatures } from "./signing.js";
import type { CacheSettings } from "./config.js";

export class SubstituteError extends XpkgsError {
  override name = "SubstituteError";
}

export interface Hit {
  cache: CacheBackend;
  info: NarInfo;
}

export interface SubstituteProgress {
  started(path: string, cacheUrl: string, fileSize: number | null): void;
  finished(path: string, bytes: number, ms: number): void;
}

interface Cache {
  backend: CacheBackend;
  priority: number;
  down: boolean;
}

export class Substituters {
  private caches: Promise<Cache[]> | null = null;
  /** Lookups of this command (a later command asks again: no negative cache across runs). */
  private readonly lookups = new Map<string, Promise<Hit | null>>();
  private active = 0;
  private readonly queue: (() => void)[] = [];
  /** Why the last lookup of a path found nothing usable, per path. */
  readonly refusals = new Map<string, string[]>();

  constructor(
    private readonly urls: string[],
    readonly trusted: PublicKey[],
    private readonly requireSigs: boolean,
    private readonly storeDir: string,
    private readonly warn: (line: string) => void,
  ) {}

  static fromSettings(
    s: CacheSettings,
    storeDir: string,
    warn: (line: string) => void,
  ): Substituters | null {
    if (s.substituters.length === 0) return null;
    const keys = s.trustedPublicKeys.map((k, i) =>
      parsePublicKey(k, `number ${i + 1} of trusted-public-keys`),
    );
    return new Substituters(s.substituters, keys, s.requireSigs, storeDir, warn);
  }

  get urlList(): string[] {
    return this.urls;
  }

  private markDown(c: Cache, e: Error): void {
    if (c.down) return;
    c.down = true;
    this.warn(`warning: skipping the substituter ${c.backend.url}: ${e.message}`);
  }

  private open(): Promise<Cache[]> {
    this.caches ??= this.openAll();
    return this.caches;
  }

  private async openAll(): Promise<Cache[]> {
    const caches = this.urls.map((u) => ({ backend: openCache(u), priority: 50, down: false }));
    await Promise.all(
      caches.map(async (c) => {
        let text: Buffer | null;
        try {
          text = await c.backend.read("nix-cache-info");
        } catch (e) {
          return this.markDown(c, e as Error);
        }
        if (text === null) {
          return this.markDown(
            c,
            new Error("it has no nix-cache-info, so it is not a binary cache"),
          );
        }
        let info;
        try {
          info = parseCacheInfo(text.toString("utf8"), c.backend.url);
        } catch (e) {
          return this.markDown(c, e as Error);
        }
        if (info.storeDir !== this.storeDir) {
          throw new SubstituteError(
            `The substituter ${c.backend.url} holds paths of the store ${info.storeDir}, and this store is ` +
              `${this.storeDir}. Remove it from the substituters, or set XPKGS_STORE_DIR=${info.storeDir}.`,
          );
        }
        const p = Number(c.backend.params.get("priority") ?? info.priority);
        c.priority = Number.isFinite(p) ? p : info.priority;
      }),
    );
    return caches.sort((a, b) => a.priority - b.priority);
  }

  private refuse(path: string, why: string): void {
    const list = this.refusals.get(path) ?? [];
    list.push(why);
    this.refusals.set(path, list);
  }

  /** The first cache, in priority order, with a trustworthy narinfo for `path`. */
  lookup(path: string): Promise<Hit | null> {
    let l = this.lookups.get(path);
    if (l === undefined) {
      l = this.limited(() => this.lookupNow(path));
      this.lookups.set(path, l);
    }
    return l;
  }

  /** At most 16 lookups at once, so a server's connection limit is never the reason to give up. */
  private async limited<T>(f: () => Promise<T>): Promise<T> {
    if (this.active >= 16) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await f();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  private async lookupNow(path: string): Promise<Hit | null> {
    const { hashPart } = parseStorePath(path, this.storeDir);
    for (const c of await this.open()) {
      if (c.down) continue;
      let text: Buffer | null;
      try {
        text = await c.backend.read(`${hashPart}.narinfo`);
      } catch (e) {
        // Unreachable, or an answer that is neither the file nor "no such file" (5xx, 403…).
        this.markDown(c, e as Error);
        continue;
      }
      if (text === null) continue;
      const where = `${c.backend.url}/${hashPart}.narinfo`;
      let info: NarInfo;
      try {
        info = parseNarInfo(text.toString("utf8"), this.storeDir, where);
      } catch (e) {
        this.refuse(path, (e as Error).message);
        continue;
      }
      if (info.storePath !== path) {
        this.refuse(path, `${where} is for ${info.storePath}, not for ${path}.`);
        continue;
      }
      if (this.requireSigs) {
        const fp = fingerprint(info.storePath, info.narHash, info.narSize, info.references);
        if (validSignatures(fp, info.sigs, this.trusted).length === 0) {
          this.refuse(
            path,
            info.sigs.length === 0
              ? `${where} is not signed. Sign the cache, or turn require-sigs off if you trust it anyway.`
              : `${where} has no valid signature by a trusted key (signed by ` +
                  `${info.sigs.map((s) => s.split(":")[0]).join(", ")}; trusted: ` +
                  `${this.trusted.map((k) => k.name).join(", ") || "none"}). Add its public key to ` +
                  `trusted-public-keys if you trust it.`,
          );
          continue;
        }
      }
      return { cache: c.backend, info };
    }
    return null;
  }

  /**
   * The hits for `paths` and every reference they need that is not valid
   * here, or the paths that no cache can provide (with the reasons).
   */
  async closure(
    store: Store,
    paths: string[],
  ): Promise<{ hits: Map<string, Hit>; missing: string[] }> {
    const hits = new Map<string, Hit>();
    const missing: string[] = [];
    const seen = new Set<string>();
    let frontier = paths.filter((p) => !store.isValid(p));
    while (frontier.length > 0) {
      for (const p of frontier) seen.add(p);
      const found = await Promise.all(frontier.map((p) => this.lookup(p)));
      const next: string[] = [];
      frontier.forEach((p, i) => {
        const h = found[i]!;
        if (h === null) return void missing.push(p);
        hits.set(p, h);
        for (const r of h.info.references) if (!seen.has(r) && !store.isValid(r)) next.push(r);
      });
      frontier = [...new Set(next)];
    }
    return { hits, missing };
  }

  /** Why `path` could not be substituted, as one paragraph. */
  explain(path: string): string {
    const why = this.refusals.get(path) ?? [];
    const urls = this.urls.join(", ");
    return why.length > 0 ? why.join(" ") : `No substituter (${urls}) has ${path}.`;
  }
}

/**
 * Substitute the closure of `paths`. Throws, registering nothing more, when
 * some path cannot be had; paths fetched before that stay (they are whole).
 */
export async function substitutePaths(
  store: Store,
  subs: Substituters,
  paths: string[],
  progress?: SubstituteProgress,
): Promise<string[]> {
  const { hits, missing } = await subs.closure(store, paths);
  if (missing.length > 0) {
    throw new SubstituteError(
      `Cannot substitute ${paths.join(", ")}: ${missing.map((m) => subs.explain(m)).join(" ")}`,
    );
  }
  const fetched: string[] = [];
  const roots = new TempRoots(store.stateDir);
  try {
    roots.add(rootsOfHits(store, hits));
    for (const p of orderHits(hits)) {
      if (await fetchPath(store, p, hits.get(p)!, progress)) fetched.push(p);
    }
  } finally {
    roots.release();
  }
  return fetched;
}

/**
 * What a concurrent gc must keep while `hits` are fetched: the paths themselves and the
 * closures of the references that are valid already.
 */
export function rootsOfHits(store: Store, hits: Map<string, Hit>): Set<string> {
  const valid = [...hits.values()].flatMap((h) =>
    h.info.references.filter((r) => !hits.has(r) && store.isValid(r)),
  );
  return new Set([...hits.keys(), ...store.closure(valid)]);
}

/** References before referrers. */
export function orderHits(hits: Map<string, Hit>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const visit = (p: string) => {
    if (done.has(p)) return;
    done.add(p);
    for (const r of hits.get(p)!.info.references) if (r !== p && hits.has(r)) visit(r);
    out.push(p);
  };
  for (const p of [...hits.keys()].sort()) visit(p);
  return out;
}

/** Fetch, check and register one path whose references are valid. False when it already was. */
export async function fetchPath(
  store: Store,
  path: string,
  hit: Hit,
  progress?: SubstituteProgress,
): Promise<boolean> {
  const { info, cache } = hit;
  const lock = store.lockFor(path);
  await lock.acquire(() => {});
  const tmp = tempPathIn(store.storeDir, parseStorePath(path, store.storeDir).name);
  const scratch: string[] = [];
  try {
    if (store.isValid(path)) return false;
    for (const r of info.references) {
      if (r !== path && !store.isValid(r)) {
        throw new SubstituteError(
          `Cannot substitute ${path}: its reference ${r} is not in the store, and no substituter provided it.`,
        );
      }
    }
    const start = Date.now();
    progress?.started(path, cache.url, info.fileSize);
    const where = `${cache.url}/${info.url}`;
    const declared = info.fileSize;
    // FileSize is not signed: without it, a download may still not outgrow what a NAR of the
    // signed NarSize could compress to.
    const limit =
      declared ??
      (info.compression === "none"
        ? info.narSize
        : info.narSize + Math.ceil(info.narSize / 8) + (1 << 20));
    const tooBig = () =>
      new SubstituteError(
        declared !== null
          ? `${where} is larger than the ${declared} bytes its narinfo declares (FileSize).`
          : `${where} is larger than any compression of a ${info.narSize}-byte NAR (NarSize) could be.`,
      );
    // The file as the cache holds it: read in place from a folder, else downloaded beside
    // the temporary path (a .tmp- name, which cleanup removes should this process die).
    let file = cache.localPath?.(info.url) ?? null;
    let fileHash: string;
    let fileSize: number;
    if (file !== null) {
      if (!existsSync(file))
        throw new SubstituteError(
          `${cache.url} has the narinfo of ${path} but not its NAR ${info.url}.`,
        );
      fileSize = statSync(file).size;
      if (fileSize > limit) throw tooBig();
      fileHash = `sha256:${nix32Encode(hashFile(file).sha256)}`;
    } else {
      const body = await cache.readStream(info.url);
      if (body === null)
        throw new SubstituteError(
          `${cache.url} has the narinfo of ${path} but not its NAR ${info.url}.`,
        );
      file = `${tmp}.download`;
      scratch.push(file);
      ({ hash: fileHash, size: fileSize } = await download(body, file, limit, tooBig));
    }
    if (declared !== null && fileSize !== declared) {
      throw new SubstituteError(
        `${where} has ${fileSize} bytes; its narinfo declares ${declared} (FileSize).`,
      );
    }
    if (info.fileHash !== null && fileHash !== info.fileHash) {
      throw new SubstituteError(
        `${where} hashes to ${fileHash}; its narinfo declares ${info.fileHash} (FileHash).`,
      );
    }
    const what = `The NAR of ${path} from ${cache.url}`;
    let narFile = file;
    if (info.compression !== "none") {
      narFile = `${tmp}.nar`;
      scratch.push(narFile);
      await decompressFile(file, narFile, info.compression, info.narSize);
    }
    const nar = await unpackNar(fileChunks(narFile), tmp, { maxSize: info.narSize, what });
    const gotNar = `sha256:${nix32Encode(nar.sha256)}`;
    if (nar.size !== info.narSize) {
      throw new SubstituteError(
        `${what} has ${nar.size} bytes; its narinfo declares ${info.narSize} (NarSize).`,
      );
    }
    if (gotNar !== info.narHash) {
      throw new SubstituteError(
        `${what} hashes to ${gotNar}; its narinfo declares ${info.narHash} (NarHash).`,
      );
    }
    canonicalise(tmp);
    if (store.isValid(path)) {
      removeTree(tmp);
      return false;
    }
    if (present(path)) removeTree(path); // unregistered debris of a crash
    renameSync(tmp, path);
    store.db.register([
      {
        path,
        narHash: info.narHash,
        narSize: info.narSize,
        references: info.references,
        deriver: info.deriver,
        ca: info.ca,
        sigs: info.sigs,
      },
    ]);
    progress?.finished(path, fileSize, Date.now() - start);
    return true;
  } catch (e) {
    removeTree(tmp);
    if (!store.isValid(path) && present(path)) removeTree(path);
    if (e instanceof XpkgsError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new SubstituteError(
      `Substituting ${path} from ${cache.url} failed: ${err.message}` +
        (err.code === "ENOSPC" || err.code === "EDQUOT"
          ? ` Free space in ${store.storeDir}.`
          : "."),
    );
  } finally {
    for (const f of scratch) rmSync(f, { force: true });
    lock.release();
  }
}

/** Something is at `p`, a dangling symlink included. */
function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Save a download, hashing it and refusing more than `limit` bytes. */
async function download(
  body: AsyncIterable<Uint8Array>,
  file: string,
  limit: number,
  tooBig: () => Error,
): Promise<{ hash: string; size: number }> {
  const h = createHash("sha256");
  let size = 0;
  const fd = openSync(file, "wx", 0o600);
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > limit) throw tooBig();
      h.update(chunk);
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    }
  } finally {
    closeSync(fd);
  }
  return { hash: `sha256:${nix32Encode(h.digest())}`, size };
}
