/**
 * Nix's signing keys and signatures: ed25519, keys written `name:base64`
 * (a secret key is the 32-byte seed followed by the 32-byte public key, as
 * libsodium keeps it), a signature `name:base64(64 bytes)` over a path's
 * fingerprint.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { XpkgsError } from "../errors.js";

export class KeyError extends XpkgsError {
  override name = "KeyError";
}

// DER prefixes of an ed25519 PKCS#8 private key and SPKI public key (RFC 8410).
const pkcs8Prefix = Buffer.from("302e020100300506032b657004220420", "hex");
const spkiPrefix = Buffer.from("302a300506032b6570032100", "hex");

export interface SecretKey {
  name: string;
  key: KeyObject;
  /** The public half, `name:base64`. */
  publicText: string;
}

export interface PublicKey {
  name: string;
  key: KeyObject;
}

function splitKey(text: string, what: string, size: number, source: string): [string, Buffer] {
  const t = text.trim();
  const colon = t.indexOf(":");
  const fix =
    what === "secret key"
      ? "Make one with 'xpkgs key generate --name NAME' (or 'nix key generate-secret')."
      : "A public key looks like 'cache.example.org-1:<44 base64 characters>'.";
  if (colon <= 0) {
    throw new KeyError(`The ${what} ${source} is not in Nix's 'name:base64' form. ${fix}`);
  }
  const name = t.slice(0, colon);
  const bytes = Buffer.from(t.slice(colon + 1), "base64");
  if (bytes.length !== size || bytes.toString("base64") !== t.slice(colon + 1)) {
    throw new KeyError(
      `The ${what} ${source} (named ${name}) does not hold ${size} bytes of base64. ${fix}`,
    );
  }
  return [name, bytes];
}

export function parseSecretKey(text: string, source = "given"): SecretKey {
  const [name, bytes] = splitKey(text, "secret key", 64, source);
  const key = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, bytes.subarray(0, 32)]),
    format: "der",
    type: "pkcs8",
  });
  const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(12);
  if (!pub.equals(bytes.subarray(32))) {
    throw new KeyError(
      `The secret key ${source} (named ${name}) is damaged: its public half does not belong to its seed.`,
    );
  }
  return { name, key, publicText: `${name}:${pub.toString("base64")}` };
}

export function parsePublicKey(text: string, source = "given"): PublicKey {
  const [name, bytes] = splitKey(text, "public key", 32, source);
  const key = createPublicKey({
    key: Buffer.concat([spkiPrefix, bytes]),
    format: "der",
    type: "spki",
  });
  return { name, key };
}

export function readSecretKeyFile(file: string): SecretKey {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new KeyError(`Cannot read the secret key file ${file}: ${(e as Error).message}.`);
  }
  return parseSecretKey(text, `in ${file}`);
}

/** A fresh key pair, both halves in Nix's text form. */
export function generateKeyPair(name: string): { secret: string; public: string } {
  if (name === "" || name.includes(":") || /\s/.test(name)) {
    throw new KeyError(
      `A key name must be non-empty, without ':' or spaces (got '${name}'). Nix's convention is ` +
        `the cache's host name and a number, e.g. 'cache.example.org-1'.`,
    );
  }
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = privateKey.export({ format: "der", type: "pkcs8" }).subarray(16);
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(12);
  return {
    secret: `${name}:${Buffer.concat([seed, pub]).toString("base64")}`,
    public: `${name}:${pub.toString("base64")}`,
  };
}

/**
 * What Nix signs for a path: `1;<path>;<narHash>;<narSize>;<references>`,
 * the NAR hash as `sha256:<nix32>` and the references as full paths, sorted,
 * joined by commas.
 */
export function fingerprint(
  storePath: string,
  narHash: string,
  narSize: number,
  references: readonly string[],
): string {
  return `1;${storePath};${narHash};${narSize};${[...references].sort().join(",")}`;
}

export function signText(key: SecretKey, text: string): string {
  return `${key.name}:${sign(null, Buffer.from(text), key.key).toString("base64")}`;
}

/** The names of the trusted keys that made a valid signature among `sigs`. */
export function validSignatures(
  text: string,
  sigs: readonly string[],
  trusted: readonly PublicKey[],
): string[] {
  const ok: string[] = [];
  for (const s of sigs) {
    const colon = s.indexOf(":");
    if (colon <= 0) continue;
    const name = s.slice(0, colon);
    const bytes = Buffer.from(s.slice(colon + 1), "base64");
    if (bytes.length !== 64) continue;
    for (const k of trusted) {
      if (k.name === name && verify(null, Buffer.from(text), k.key, bytes)) ok.push(name);
    }
  }
  return ok;
}
