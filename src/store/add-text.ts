/**
 * Writing small text files (such as `.drv` files) into the store, atomically:
 * written under a temporary name in the store directory, then renamed into place.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { XpkgsError } from "../errors.js";

export class StoreWriteError extends XpkgsError {
  override name = "StoreWriteError";
}

/** Put `text` at `path` (already computed from its content); a path that exists is left alone. */
export function writeTextToStore(path: string, text: string): void {
  if (existsSync(path)) return;
  const dir = dirname(path);
  const tmp = `${dir}/.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, text, { mode: 0o444 });
    chmodSync(tmp, 0o444);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    const why = e instanceof Error ? e.message : String(e);
    throw new StoreWriteError(
      `Could not write ${path}: ${why}. Check that the store directory ${dir} is writable ` +
        `(or set XPKGS_STORE_DIR to one that is).`,
    );
  }
}
