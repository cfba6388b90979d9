/**
 * Debian's source index (`dists/<suite>/main/source/Sources.xz`), checked
 * against the suite's `Release` file (its SHA256 list), parsed to what the
 * importer needs, and cached by that hash: a second import reads the cache
 * after fetching only the small Release file.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { downloadCacheDir } from "../build/fetch.js";
import { httpGetBuffer } from "../build/http-get.js";
import { XpkgsError } from "../errors.js";
import type { AptSuite } from "./apt-suite.js";
import { paragraphs, relationNames } from "./deb822.js";
import { compareDebianVersions } from "./debian-version.js";

export interface SourceFile {
  name: string;
  sha256: string;
  size: number;
}

export interface SourcePackage {
  name: string;
  version: string;
  binaries: string[];
  buildDepends: string[][];
  homepage: string | null;
  /** The pool folder, e.g. pool/main/p/pv. */
  directory: string;
  files: SourceFile[];
  format: string;
}

export interface SourcesIndex {
  suite: string;
  uri: string;
  packages: SourcePackage[];
}

const indexFormat = 2;
/** Tries of one file: a mirror that drops a 10 MB index half-way usually serves it on the next. */
const attempts = 3;

async function get(url: string, log?: (line: string) => void): Promise<Buffer> {
  let last = "";
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await httpGetBuffer(url);
      if (res.ok) return res.data;
      last = `HTTP ${res.status} ${res.statusText}`;
      if (res.status < 500 && res.status !== 429) break; // a 404 stays a 404
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      last = err.cause?.code ?? err.message;
    }
    if (log === undefined) break; // the small Release file: offline falls back to the cache at once
    if (i < attempts) {
      log(`  ${url}: ${last}; trying again (${i + 1} of ${attempts})`);
      await new Promise((r) => setTimeout(r, 2_000 * i));
    }
  }
  throw new XpkgsError(`Cannot fetch ${url}: ${last}.`);
}

/** The `SHA256:` entries of a Release file: path → hash and size. */
export function releaseHashes(release: string): Map<string, { sha256: string; size: number }> {
  const out = new Map<string, { sha256: string; size: number }>();
  const block = /^SHA256:\n((?: .*\n?)*)/m.exec(release)?.[1] ?? "";
  for (const line of block.split("\n")) {
    const m = /^\s*([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line);
    if (m !== null) out.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  return out;
}

export function parseSources(text: string): SourcePackage[] {
  const out: SourcePackage[] = [];
  for (const p of paragraphs(text)) {
    const name = p.get("Package");
    const version = p.get("Version");
    const directory = p.get("Directory");
    if (name === undefined || version === undefined || directory === undefined) continue;
    const files = (p.get("Checksums-Sha256") ?? "")
      .split("\n")
      .map((l) => /^\s*([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ sha256: m[1]!, size: Number(m[2]), name: m[3]! }));
    out.push({
      name,
      version,
      binaries: (p.get("Binary") ?? "").split(/[,\s]+/).filter(Boolean),
      buildDepends: [
        ...relationNames(p.get("Build-Depends")),
        ...relationNames(p.get("Build-Depends-Arch")),
      ],
      homepage: p.get("Homepage") ?? null,
      directory,
      files,
      format: p.get("Format") ?? "1.0",
    });
  }
  return out;
}

function cacheDirOf(env: NodeJS.ProcessEnv): string {
  return join(downloadCacheDir(env), "..", "debian-index");
}

/** The suite's source index, from the cache when the Release file still names it. */
export async function loadSourcesIndex(
  suite: AptSuite,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SourcesIndex> {
  const dir = cacheDirOf(env);
  mkdirSync(dir, { recursive: true });
  const base = `${suite.uri}/dists/${suite.suite}`;
  let release: string;
  try {
    release = (await get(`${base}/Release`)).toString("utf8");
  } catch (e) {
    // Offline: the newest cached index of this suite, said so.
    const cached = readdirSync(dir)
      .filter((f) => f.startsWith(`${suite.suite}-`) && f.endsWith(".json"))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)[0];
    if (cached === undefined) throw e;
    log(`warning: ${(e as Error).message} Using the cached index ${cached.f}.`);
    return JSON.parse(readFileSync(join(dir, cached.f), "utf8")) as SourcesIndex;
  }
  const want = releaseHashes(release).get("main/source/Sources.xz");
  if (want === undefined) {
    throw new XpkgsError(
      `${base}/Release lists no main/source/Sources.xz: this archive has no source index for ${suite.suite}.`,
    );
  }
  // The parsed form is cached: its format's version is in the name, so a new parser re-reads.
  const file = join(dir, `${suite.suite}-${want.sha256.slice(0, 16)}-v${indexFormat}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as SourcesIndex;
  } catch {
    // not cached yet
  }
  log(`fetching ${base}/main/source/Sources.xz (${(want.size / 1e6).toFixed(1)} MB)`);
  const xz = await get(`${base}/main/source/Sources.xz`, log);
  const got = createHash("sha256").update(xz).digest("hex");
  if (got !== want.sha256 || xz.length !== want.size) {
    throw new XpkgsError(
      `${base}/main/source/Sources.xz does not match its Release file (sha256 ${got}, ${xz.length} bytes; ` +
        `Release says ${want.sha256}, ${want.size} bytes). The mirror may be in the middle of an update: try again later.`,
    );
  }
  const text = execFileSync("xz", ["-dc"], { input: xz, maxBuffer: 1 << 30 }).toString("utf8");
  const index: SourcesIndex = { suite: suite.suite, uri: suite.uri, packages: parseSources(text) };
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(index));
  renameSync(tmp, file);
  return index;
}

/** A source package by its name or by one of its binary packages' (`libssl-dev` → openssl). */
export function findSource(
  index: SourcesIndex,
  name: string,
  version?: string,
  opts: { sourceOnly?: boolean } = {},
): SourcePackage | null {
  const candidates = index.packages.filter(
    (p) =>
      (p.name === name || (opts.sourceOnly !== true && p.binaries.includes(name))) &&
      (version === undefined || p.version === version),
  );
  const exact = candidates.filter((p) => p.name === name);
  const pick = exact.length > 0 ? exact : candidates;
  // The newest when a suite carries several (a transition).
  return pick.sort((a, b) => compareDebianVersions(b.version, a.version))[0] ?? null;
}

/** Names near `name`, for a message: prefix matches first, then by edit distance. */
export function closestNames(index: SourcesIndex, name: string, n = 5): string[] {
  const names = [...new Set(index.packages.map((p) => p.name))];
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [
      i,
      ...Array<number>(b.length).fill(0),
    ]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i]![j] = Math.min(
          d[i - 1]![j]! + 1,
          d[i]![j - 1]! + 1,
          d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
    return d[a.length]![b.length]!;
  };
  return names
    .filter((x) => Math.abs(x.length - name.length) <= 3 || x.startsWith(name))
    .map((x) => ({ x, d: x.startsWith(name) ? 0 : dist(x, name) }))
    .filter((e) => e.d <= 3)
    .sort((a, b) => a.d - b.d || a.x.localeCompare(b.x))
    .slice(0, n)
    .map((e) => e.x);
}
