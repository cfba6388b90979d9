/**
 * Garbage collection roots and the collector. A root is an out-link such as
 * `./result` (registered under var/gcroots/auto), any symlink placed in
 * var/gcroots by hand, or a path a running xpkgs process has listed in
 * var/temproots. Collection deletes exactly the valid paths no root reaches.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { sha256 } from "./hash.js";
import { pidAlive } from "./lock.js";
import { type Store, removeTree, treeBytes } from "./store.js";
import { hashPartLength } from "./store-path.js";

function autoRootsDir(store: Store): string {
  return join(store.stateDir, "gcroots", "auto");
}

/** Make `link` a symlink to `target`, atomically, and register it as a root. */
export function createOutLink(store: Store, link: string, target: string): string {
  const abs = resolve(link);
  const tmp = `${abs}.tmp-${process.pid}`;
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  renameSync(tmp, abs);
  const dir = autoRootsDir(store);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, sha256(abs).nix32.slice(0, hashPartLength));
  const entryTmp = `${entry}.tmp-${process.pid}`;
  rmSync(entryTmp, { force: true });
  symlinkSync(abs, entryTmp);
  renameSync(entryTmp, entry);
  return abs;
}

/** The store path that `p` is, or is inside of; null when `p` is not in the store. */
function storePathPrefix(store: Store, p: string): string | null {
  const prefix = `${store.storeDir}/`;
  if (!p.startsWith(prefix)) return null;
  const base = p.slice(prefix.length).split("/")[0]!;
  return base.length > hashPartLength ? `${prefix}${base}` : null;
}

export interface GcRoot {
  /** The link, or `temproots/<pid>` for a running process. */
  from: string;
  path: string;
}

/** Every root, stale auto-roots removed as they are found. */
export function findRoots(store: Store): GcRoot[] {
  const roots: GcRoot[] = [];
  const rootsDir = join(store.stateDir, "gcroots");
  const visit = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e);
      const st = lstatSync(full);
      if (st.isDirectory()) {
        visit(full);
        continue;
      }
      if (!st.isSymbolicLink()) continue;
      let target = readlinkSync(full);
      let from = full;
      if (dir === autoRootsDir(store)) {
        // An indirect root: follow it to the out-link, which must still point into the store.
        let linkTarget: string | null = null;
        try {
          if (lstatSync(target).isSymbolicLink()) linkTarget = readlinkSync(target);
        } catch {
          linkTarget = null;
        }
        const sp = linkTarget === null ? null : storePathPrefix(store, linkTarget);
        if (sp === null) {
          rmSync(full, { force: true });
          continue;
        }
        from = target;
        target = linkTarget!;
      }
      const sp = storePathPrefix(store, target);
      if (sp !== null && store.isValid(sp)) roots.push({ from, path: sp });
    }
  };
  visit(rootsDir);
  const tempDir = join(store.stateDir, "temproots");
  if (existsSync(tempDir)) {
    for (const pid of readdirSync(tempDir)) {
      const file = join(tempDir, pid);
      if (!pidAlive(Number(pid))) {
        rmSync(file, { force: true });
        continue;
      }
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue;
      }
      for (const line of text.split("\n")) {
        if (line !== "" && store.isValid(line))
          roots.push({ from: `temproots/${pid}`, path: line });
      }
    }
  }
  return roots;
}

export interface GcResult {
  deleted: string[];
  bytesFreed: number;
}

export function collectGarbage(store: Store, opts: { dryRun: boolean }): GcResult {
  store.cleanup();
  const live = store.closure(findRoots(store).map((r) => r.path));
  const dead = store.db.allValidPaths().filter((p) => !live.has(p));
  const result: GcResult = { deleted: dead, bytesFreed: 0 };
  for (const p of dead) result.bytesFreed += treeBytes(p);
  if (opts.dryRun) return result;
  // Forget first, then delete: a crash in between leaves unregistered debris
  // that `cleanup` removes, never a registered path with missing files.
  store.db.invalidate(dead);
  for (const p of dead) {
    const lock = store.lockFor(p);
    if (!lock.tryAcquire()) continue;
    try {
      removeTree(p);
    } finally {
      lock.release();
    }
  }
  return result;
}
