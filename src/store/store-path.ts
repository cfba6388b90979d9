/**
 * Store paths, computed as Nix computes them: the sha256 of a description
 * string (`<type>:sha256:<hex>:<storeDir>:<name>`), folded to 20 bytes,
 * written in nix32, then `-<name>`.
 */
import { XpkgsError } from "../errors.js";
import { type Hash, compressHash, sha256 } from "./hash.js";
import { nix32Alphabet, nix32Encode } from "./nix32.js";

export class InvalidStorePathError extends XpkgsError {
  override name = "InvalidStorePathError";
}

const nameChars = /^[A-Za-z0-9+\-._?=]+$/;
export const maxNameLength = 211;
export const hashPartLength = 32;

/** Throws unless `name` is a valid store path name, as Nix requires. */
export function checkStoreName(name: string): void {
  let why: string | null = null;
  if (name.length === 0) why = "it is empty";
  else if (name.length > maxNameLength)
    why = `it is ${name.length} characters long, and the limit is ${maxNameLength}`;
  else if (name.startsWith(".")) why = "it starts with '.'";
  else if (!nameChars.test(name)) {
    const bad = [...name].find((c) => !nameChars.test(c));
    why = `it contains '${bad}'; only letters, digits and + - . _ ? = are allowed`;
  }
  if (why !== null) {
    throw new InvalidStorePathError(`'${name}' is not a valid store path name: ${why}.`);
  }
}

/** `makeStorePath(type, hash, name)`: the path of anything in the store. */
export function makeStorePath(type: string, inner: Hash, name: string, storeDir: string): string {
  checkStoreName(name);
  const description = `${type}:${inner.algo}:${inner.hex}:${storeDir}:${name}`;
  const digest = compressHash(sha256(description).bytes, 20);
  return `${storeDir}/${nix32Encode(digest)}-${name}`;
}

function withReferences(type: string, references: Iterable<string>, self = false): string {
  let t = type;
  for (const ref of [...references].sort(compareBytes)) t += `:${ref}`;
  if (self) t += ":self";
  return t;
}

/** A text file added to the store (a `.drv`, say), with the store paths it refers to. */
export function makeTextPath(
  name: string,
  contentHash: Hash,
  references: Iterable<string>,
  storeDir: string,
): string {
  return makeStorePath(withReferences("text", references), contentHash, name, storeDir);
}

/** A path added by NAR hash (`source` type), as `nix-store --add` and recursive sha256 outputs. */
export function makeSourcePath(
  name: string,
  narHash: Hash,
  references: Iterable<string>,
  storeDir: string,
  selfReference = false,
): string {
  return makeStorePath(
    withReferences("source", references, selfReference),
    narHash,
    name,
    storeDir,
  );
}

export type FileIngestionMethod = "flat" | "recursive";

/** The output path of a fixed-output derivation. */
export function makeFixedOutputPath(
  name: string,
  method: FileIngestionMethod,
  hash: Hash,
  storeDir: string,
): string {
  if (method === "recursive" && hash.algo === "sha256") {
    return makeSourcePath(name, hash, [], storeDir);
  }
  const inner = sha256(`fixed:out:${method === "recursive" ? "r:" : ""}${hash.algo}:${hash.hex}:`);
  return makeStorePath("output:out", inner, name, storeDir);
}

/** The path of output `id` of an input-addressed derivation, from its hash modulo. */
export function makeOutputPath(
  id: string,
  drvHashModulo: Hash,
  drvName: string,
  storeDir: string,
): string {
  return makeStorePath(
    `output:${id}`,
    drvHashModulo,
    id === "out" ? drvName : `${drvName}-${id}`,
    storeDir,
  );
}

export interface ParsedStorePath {
  storeDir: string;
  hashPart: string;
  name: string;
}

/** Split `<storeDir>/<hash>-<name>`; throws when `path` is not directly in `storeDir`. */
export function parseStorePath(path: string, storeDir: string): ParsedStorePath {
  const prefix = `${storeDir}/`;
  const base = path.startsWith(prefix) ? path.slice(prefix.length) : null;
  const fail = (why: string): never => {
    throw new InvalidStorePathError(`'${path}' is not a store path of ${storeDir}: ${why}.`);
  };
  if (base === null) return fail(`it does not start with '${prefix}'`);
  if (base.includes("/")) return fail("it names a file inside a store path, not a store path");
  const hashPart = base.slice(0, hashPartLength);
  if (base.length < hashPartLength + 2 || base[hashPartLength] !== "-") {
    return fail("a store path's base name is a 32-character hash, '-', and a name");
  }
  if ([...hashPart].some((c) => !nix32Alphabet.includes(c))) {
    return fail(`its hash part '${hashPart}' is not nix32`);
  }
  const name = base.slice(hashPartLength + 1);
  checkStoreName(name);
  return { storeDir, hashPart, name };
}

export function isStorePath(path: string, storeDir: string): boolean {
  try {
    parseStorePath(path, storeDir);
    return true;
  } catch {
    return false;
  }
}

/** Byte order of the UTF-8 encodings, which is how Nix's std::map orders its keys. */
export function compareBytes(a: string, b: string): number {
  // UTF-16 code units order strings as their UTF-8 bytes do, except where a surrogate
  // (U+D800–DFFF, a character above U+FFFF) meets a unit above it: only then are the
  // bytes compared. Most keys are ASCII, and this runs for every sort of every .drv.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800) {
      // From the start of the character: a pair's high half may be the common unit before.
      const from = i > 0 && (a.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? i - 1 : i;
      return Buffer.compare(Buffer.from(a.slice(from), "utf8"), Buffer.from(b.slice(from), "utf8"));
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
