/**
 * The store: a directory of immutable paths plus the database of which are
 * valid. A path exists for users only once it is registered; anything on disk
 * that is not registered is debris of a crash and is removed by `cleanup`.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { sha256 } from "./hash.js";
import { type PathInfo, StoreDb } from "./db.js";
import { FileLock, pidAlive } from "./lock.js";
import { narHashOf } from "./nar.js";
import { makeTextPath, parseStorePath } from "./store-path.js";
import { storeDirFromEnv } from "./store-dir.js";

export class StoreError extends XpkgsError {
  override name = "StoreError";
}

export interface StoreConfig {
  storeDir: string;
  stateDir: string;
}

/** `XPKGS_STATE_DIR`, or `var/` beside the store directory (`/xpkgs/var`). */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const storeDir = storeDirFromEnv(env);
  const stateDir = env.XPKGS_STATE_DIR ?? join(dirname(storeDir), "var");
  return { storeDir, stateDir };
}

/** Temporary entries in the store directory: `.tmp-<pid>-<random>-<name>`. */
export function tempPathIn(storeDir: string, name: string): string {
  return `${storeDir}/.tmp-${process.pid}-${randomBytes(5).toString("hex")}-${name}`;
}

/** Remove a tree even where it was made read-only. */
export function removeTree(path: string): void {
  try {
    makeWritable(path);
  } catch {
    // it may be gone already
  }
  rmSync(path, { recursive: true, force: true });
}

function makeWritable(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, (st.mode & 0o7777) | 0o200);
  if (st.isDirectory()) for (const e of readdirSync(path)) makeWritable(join(path, e));
}

/**
 * Make a tree canonical as Nix does before it is hashed: no write bits, no
 * setuid/setgid, mode 0444 or 0555, and mtime 1 (the epoch plus one second).
 */
export function canonicalise(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) for (const e of readdirSync(path)) canonicalise(join(path, e));
  const exec = st.isDirectory() || (st.mode & 0o100) !== 0;
  chmodSync(path, exec ? 0o555 : 0o444);
  utimesSync(path, 1, 1);
}

/** Disk bytes of a tree (file sizes; directories and links count as nothing). */
export function treeBytes(path: string): number {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (st.isDirectory()) return readdirSync(path).reduce((n, e) => n + treeBytes(join(path, e)), 0);
  return st.isFile() ? st.size : 0;
}

export class Store {
  readonly db: StoreDb;

  constructor(readonly config: StoreConfig) {
    try {
      mkdirSync(config.storeDir, { recursive: true });
      mkdirSync(config.stateDir, { recursive: true });
    } catch (e) {
      throw new StoreError(
        `Cannot create the store at ${config.storeDir} (state in ${config.stateDir}): ${(e as Error).message}. ` +
          `Create it once as root ('mkdir -p ${config.storeDir} ${config.stateDir}'), or set ` +
          `XPKGS_STORE_DIR to a directory you can write.`,
      );
    }
    this.db = new StoreDb(join(config.stateDir, "db", "db.sqlite"));
  }

  static fromEnv(env: NodeJS.ProcessEnv = process.env): Store {
    return new Store(storeConfigFromEnv(env));
  }

  get storeDir(): string {
    return this.config.storeDir;
  }
  get stateDir(): string {
    return this.config.stateDir;
  }

  close(): void {
    this.db.close();
  }

  isValid(path: string): boolean {
    return this.db.isValid(path);
  }

  info(path: string): PathInfo | null {
    return this.db.info(path);
  }

  /** Every path reachable from `paths` by references, `paths` included. */
  closure(paths: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...paths];
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      const info = this.db.info(p);
      if (info !== null) stack.push(...info.references);
    }
    return seen;
  }

  lockFor(path: string): FileLock {
    const { hashPart } = parseStorePath(path, this.storeDir);
    return new FileLock(join(this.stateDir, "locks", `${hashPart}.lock`));
  }

  /**
   * Add a text file (a `.drv`, a script) whose references are valid already.
   * Written under a temporary name, renamed into place, then registered.
   */
  addText(name: string, text: string, references: string[]): string {
    const path = makeTextPath(name, sha256(text), references, this.storeDir);
    if (this.isValid(path)) return path;
    for (const r of references) {
      if (!this.isValid(r)) {
        throw new StoreError(
          `Cannot add ${path}: it refers to ${r}, which is not in the store. Add that first.`,
        );
      }
    }
    const tmp = tempPathIn(this.storeDir, name);
    // Held from rename to registration, so `cleanup` elsewhere never takes it for debris.
    const lock = this.lockFor(path);
    while (!lock.tryAcquire()) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    try {
      if (this.isValid(path)) return path;
      writeFileSync(tmp, text);
      canonicalise(tmp);
      const { narHash, narSize } = narHashOf(tmp);
      if (existsSync(path)) removeTree(path); // unregistered debris of a crash
      renameSync(tmp, path);
      this.db.register([
        {
          path,
          narHash: `sha256:${narHash.nix32}`,
          narSize,
          references,
          deriver: null,
          ca: `text:sha256:${sha256(text).nix32}`,
        },
      ]);
    } catch (e) {
      removeTree(tmp);
      if (e instanceof XpkgsError) throw e;
      throw new StoreError(
        `Could not write ${path}: ${(e as Error).message}. Check that ${this.storeDir} is writable.`,
      );
    }
    return path;
  }

  /**
   * Remove what a crash left behind: temporaries of dead processes, and paths
   * on disk that were never registered (unless some process holds their lock).
   * Returns the entries removed.
   */
  cleanup(): string[] {
    const removed: string[] = [];
    let entries: string[];
    try {
      entries = readdirSync(this.storeDir);
    } catch {
      return removed;
    }
    for (const e of entries) {
      const full = `${this.storeDir}/${e}`;
      if (e.startsWith(".tmp-")) {
        const pid = Number(e.split("-")[1]);
        if (!pidAlive(pid)) {
          removeTree(full);
          removed.push(full);
        }
        continue;
      }
      if (e.startsWith(".")) continue;
      if (this.isValid(full)) continue;
      let lock: FileLock;
      try {
        lock = this.lockFor(full);
      } catch {
        continue; // not a store path name: leave what we do not understand
      }
      if (!lock.tryAcquire()) continue;
      try {
        if (!this.isValid(full)) {
          removeTree(full);
          removed.push(full);
        }
      } finally {
        lock.release();
      }
    }
    return removed;
  }
}
