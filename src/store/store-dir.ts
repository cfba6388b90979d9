/**
 * Where the store lives. See docs/store.md for why the default is /xpkgs/store.
 */
import { isAbsolute, normalize } from "node:path";
import { XpkgsError } from "../errors.js";

export const defaultStoreDir = "/xpkgs/store";

export class InvalidStoreDirError extends XpkgsError {
  override name = "InvalidStoreDirError";
}

/** The store directory: `XPKGS_STORE_DIR`, or /xpkgs/store. */
export function storeDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.XPKGS_STORE_DIR ?? defaultStoreDir;
  return checkStoreDir(dir);
}

export function checkStoreDir(dir: string): string {
  if (!isAbsolute(dir) || normalize(dir) !== dir || dir.endsWith("/") || dir === "/") {
    throw new InvalidStoreDirError(
      `The store directory '${dir}' is not usable: it must be an absolute, normalised path ` +
        `without a trailing '/', such as '/xpkgs/store'. Fix XPKGS_STORE_DIR.`,
    );
  }
  if (!/^[A-Za-z0-9+\-._/=]+$/.test(dir)) {
    throw new InvalidStoreDirError(
      `The store directory '${dir}' is not usable: it may hold only letters, digits and + - . _ = /, ` +
        `because store paths are written unquoted into scripts and ATerm files. Fix XPKGS_STORE_DIR.`,
    );
  }
  return dir;
}
