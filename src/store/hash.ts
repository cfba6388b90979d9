/**
 * Content hashes as Nix writes them: hex, nix32, base64 and SRI
 * (`sha256-…`), for sha256, sha512 and sha1.
 */
import { createHash } from "node:crypto";
import { XpkgsError } from "../errors.js";
import { nix32Decode, nix32Encode } from "./nix32.js";

export type HashAlgo = "sha256" | "sha512" | "sha1" | "md5";

export const hashSizes: Readonly<Record<HashAlgo, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 32,
  sha512: 64,
};

export class Hash {
  constructor(
    readonly algo: HashAlgo,
    readonly bytes: Uint8Array,
  ) {}

  get hex(): string {
    return Buffer.from(this.bytes).toString("hex");
  }
  get nix32(): string {
    return nix32Encode(this.bytes);
  }
  get base64(): string {
    return Buffer.from(this.bytes).toString("base64");
  }
  get sri(): string {
    return `${this.algo}-${this.base64}`;
  }
  equals(other: Hash): boolean {
    return this.algo === other.algo && Buffer.from(this.bytes).equals(Buffer.from(other.bytes));
  }
}

export class InvalidHashError extends XpkgsError {
  override name = "InvalidHashError";
}

export function sha256(data: string | Uint8Array): Hash {
  return new Hash("sha256", createHash("sha256").update(data).digest());
}

export function hashOf(algo: HashAlgo, data: string | Uint8Array): Hash {
  return new Hash(algo, createHash(algo).update(data).digest());
}

function isHashAlgo(s: string): s is HashAlgo {
  return Object.prototype.hasOwnProperty.call(hashSizes, s);
}

/**
 * Parse a hash in any of Nix's notations: SRI (`sha256-<base64>`),
 * `sha256:<hex|nix32|base64>`, or a bare digest when `algo` is given.
 */
export function parseHash(text: string, algo?: HashAlgo): Hash {
  let a: string | undefined = algo;
  let digest = text;
  const sri = /^([a-z0-9]+)-(.*)$/.exec(text);
  const prefixed = /^([a-z0-9]+):(.*)$/.exec(text);
  if (sri !== null && isHashAlgo(sri[1]!)) {
    a = sri[1];
    digest = sri[2]!;
    const bytes = Buffer.from(digest, "base64");
    if (bytes.length !== hashSizes[a as HashAlgo] || bytes.toString("base64") !== digest) {
      throw new InvalidHashError(
        `'${text}' is not a valid SRI ${a} hash: its base64 part must decode to ${hashSizes[a as HashAlgo]} bytes.`,
      );
    }
    return new Hash(a as HashAlgo, bytes);
  }
  if (prefixed !== null) {
    a = prefixed[1];
    digest = prefixed[2]!;
  }
  if (a === undefined || !isHashAlgo(a)) {
    throw new InvalidHashError(
      `'${text}' is not a hash: name its algorithm, as in 'sha256-<base64>' (SRI) or 'sha256:<hex>'. ` +
        `Known algorithms: ${Object.keys(hashSizes).join(", ")}.`,
    );
  }
  const size = hashSizes[a];
  if (digest.length === size * 2 && /^[0-9a-fA-F]+$/.test(digest)) {
    return new Hash(a, Buffer.from(digest, "hex"));
  }
  const n32 = nix32Decode(digest, size);
  if (n32 !== null) return new Hash(a, n32);
  const b64 = Buffer.from(digest, "base64");
  if (b64.length === size && b64.toString("base64") === digest) return new Hash(a, b64);
  throw new InvalidHashError(
    `'${text}' is not a valid ${a} hash: a ${a} digest is ${size * 2} hex digits, ` +
      `${Math.ceil((size * 8) / 5)} nix32 characters or ${Math.ceil(size / 3) * 4} base64 characters.`,
  );
}

/** Fold a hash to `size` bytes by XOR, as Nix shortens sha256 to the 20 bytes of a store path. */
export function compressHash(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < bytes.length; i++) out[i % size]! ^= bytes[i]!;
  return out;
}
