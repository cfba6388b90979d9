/**
 * Locks between xpkgs processes, as files created with O_EXCL that hold the
 * owner's pid. A lock whose owner has died (kill -9) is stale and is taken
 * over, so a crash never wedges the store.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class FileLock {
  private held = false;
  constructor(readonly file: string) {}

  /** Take the lock if it is free (or stale); true when taken. */
  tryAcquire(): boolean {
    mkdirSync(this.file.slice(0, this.file.lastIndexOf("/")), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.file, "wx", 0o644);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        let owner = NaN;
        try {
          owner = Number(readFileSync(this.file, "utf8"));
        } catch {
          continue; // released between our open and read: try again
        }
        // An empty file is a lock being written right now; only a dead owner is stale.
        if (!Number.isNaN(owner) && owner !== 0 && !pidAlive(owner)) {
          rmSync(this.file, { force: true });
          continue;
        }
        return false;
      }
    }
    return false;
  }

  /** Wait for the lock; `onWait` is called once if it has to wait. */
  async acquire(onWait?: () => void, pollMs = 50): Promise<void> {
    let told = false;
    while (!this.tryAcquire()) {
      if (!told && onWait !== undefined) onWait();
      told = true;
      await sleep(pollMs);
    }
  }

  release(): void {
    if (!this.held) return;
    rmSync(this.file, { force: true });
    this.held = false;
  }
}
