/**
 * The texts of a binary cache: `nix-cache-info` and `<hashpart>.narinfo`, in
 * Nix's `Key: value` lines. Parsing is strict about what a substituter relies
 * on (a narinfo is input from the network) and tolerant of keys it does not
 * know, as Nix is.
 */
import { XpkgsError } from "../errors.js";
import { parseHash } from "../store/hash.js";
import { isStorePath } from "../store/store-path.js";

export class CacheFormatError extends XpkgsError {
  override name = "CacheFormatError";
}

export interface CacheInfo {
  storeDir: string;
  wantMassQuery: boolean;
  priority: number;
}

export function renderCacheInfo(info: CacheInfo): string {
  return (
    `StoreDir: ${info.storeDir}\n` +
    `WantMassQuery: ${info.wantMassQuery ? 1 : 0}\n` +
    `Priority: ${info.priority}\n`
  );
}

function fields(text: string, what: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    // As Nix: the key up to the first ':', the value after it with blanks trimmed.
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new CacheFormatError(
        `${what} has a line that is not 'Key: value': ${JSON.stringify(line.slice(0, 80))}.`,
      );
    }
    const k = line.slice(0, colon);
    const list = out.get(k) ?? [];
    list.push(line.slice(colon + 1).trim());
    out.set(k, list);
  }
  return out;
}

export function parseCacheInfo(text: string, url: string): CacheInfo {
  const f = fields(text, `${url}/nix-cache-info`);
  const storeDir = f.get("StoreDir")?.[0];
  if (storeDir === undefined) {
    throw new CacheFormatError(
      `${url}/nix-cache-info has no StoreDir line, so it is not a Nix binary cache.`,
    );
  }
  const priority = Number(f.get("Priority")?.[0] ?? "50");
  return {
    storeDir,
    wantMassQuery: f.get("WantMassQuery")?.[0] === "1",
    priority: Number.isFinite(priority) ? priority : 50,
  };
}

export type Compression = "xz" | "zstd" | "none";

export const compressionExtension: Readonly<Record<Compression, string>> = {
  xz: ".xz",
  zstd: ".zst",
  none: "",
};

export interface NarInfo {
  storePath: string;
  url: string;
  compression: Compression;
  /** `sha256:<nix32>` of the file at `url`; absent when a server compresses on the fly. */
  fileHash: string | null;
  fileSize: number | null;
  narHash: string;
  narSize: number;
  /** Full store paths. */
  references: string[];
  /** Full store path of the .drv, or null. */
  deriver: string | null;
  sigs: string[];
  ca: string | null;
}

export function renderNarInfo(n: NarInfo): string {
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  let s = `StorePath: ${n.storePath}\n` + `URL: ${n.url}\n` + `Compression: ${n.compression}\n`;
  if (n.fileHash !== null) s += `FileHash: ${n.fileHash}\n`;
  if (n.fileSize !== null) s += `FileSize: ${n.fileSize}\n`;
  s += `NarHash: ${n.narHash}\nNarSize: ${n.narSize}\n`;
  s += `References: ${[...n.references].map(base).sort().join(" ")}\n`;
  if (n.deriver !== null) s += `Deriver: ${base(n.deriver)}\n`;
  for (const sig of n.sigs) s += `Sig: ${sig}\n`;
  if (n.ca !== null) s += `CA: ${n.ca}\n`;
  return s;
}

const compressions: Record<string, Compression> = {
  xz: "xz",
  zstd: "zstd",
  none: "none",
  "": "none",
};

function normalisedHash(text: string, where: string, key: string): string {
  try {
    const h = parseHash(text);
    if (h.algo !== "sha256") throw new Error("not sha256");
    return `sha256:${h.nix32}`;
  } catch {
    throw new CacheFormatError(
      `${where} has a ${key} that is not a sha256 hash: '${text.slice(0, 80)}'.`,
    );
  }
}

function size(text: string | undefined, where: string, key: string): number {
  if (text === undefined || !/^[0-9]{1,15}$/.test(text)) {
    throw new CacheFormatError(`${where} has no valid ${key} (got '${text ?? ""}').`);
  }
  return Number(text);
}

/** Parse and check a narinfo fetched from `where` for a path of `storeDir`. */
export function parseNarInfo(text: string, storeDir: string, where: string): NarInfo {
  const f = fields(text, where);
  const one = (k: string) => f.get(k)?.[0];
  const storePath = one("StorePath");
  if (storePath === undefined || !isStorePath(storePath, storeDir)) {
    throw new CacheFormatError(
      `${where} has no StorePath in ${storeDir} (got '${storePath ?? ""}').`,
    );
  }
  const url = one("URL");
  // The NAR must be inside the cache: a relative path of plain characters, no scheme, no
  // escapes, no query, no '..' (a narinfo's URL is not signed).
  if (
    url === undefined ||
    !/^[A-Za-z0-9][A-Za-z0-9+\-._/]*$/.test(url) ||
    url.split("/").some((seg) => seg === ".." || seg === "." || seg === "")
  ) {
    throw new CacheFormatError(
      `${where} has no usable URL (got ${JSON.stringify((url ?? "").slice(0, 120))}): it must be a path inside the cache, such as nar/<hash>.nar.xz.`,
    );
  }
  // Nix reads a missing Compression as bzip2, which we do not speak.
  const c = compressions[one("Compression") ?? "bzip2"];
  if (c === undefined) {
    throw new CacheFormatError(
      `${where} uses compression '${one("Compression") ?? "bzip2"}'; xpkgs reads xz, zstd and none. ` +
        `Push it again with one of those.`,
    );
  }
  const fileHashText = one("FileHash");
  const narHashText = one("NarHash");
  if (narHashText === undefined) throw new CacheFormatError(`${where} has no NarHash.`);
  const refsText = one("References") ?? "";
  const references = refsText
    .split(/\s+/)
    .filter((b) => b !== "")
    .map((b) => `${storeDir}/${b}`);
  for (const r of references) {
    if (!isStorePath(r, storeDir))
      throw new CacheFormatError(`${where} has a reference that is not a store path name: '${r}'.`);
  }
  const deriverText = one("Deriver");
  const deriverPath =
    deriverText === undefined || deriverText === "unknown-deriver"
      ? null
      : `${storeDir}/${deriverText}`;
  const deriver =
    deriverPath !== null && deriverPath.endsWith(".drv") && isStorePath(deriverPath, storeDir)
      ? deriverPath
      : null;
  // Unsigned fields are kept only in their own shapes: a signature is name:base64, a CA is
  // fixed:[r:]algo:hash or text:algo:hash.
  const sigs = (f.get("Sig") ?? []).filter((sig) => /^[^\s:]+:[A-Za-z0-9+/]+={0,2}$/.test(sig));
  const caText = one("CA");
  const ca =
    caText !== undefined && /^(fixed:(r:)?|text:)[a-z0-9]+:[a-z0-9]+$/.test(caText) ? caText : null;
  return {
    storePath,
    url,
    compression: c,
    fileHash: fileHashText === undefined ? null : normalisedHash(fileHashText, where, "FileHash"),
    fileSize: one("FileSize") === undefined ? null : size(one("FileSize"), where, "FileSize"),
    narHash: normalisedHash(narHashText, where, "NarHash"),
    narSize: size(one("NarSize"), where, "NarSize"),
    references,
    deriver,
    sigs,
    ca,
  };
}
