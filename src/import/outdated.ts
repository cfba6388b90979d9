/**
 * `xpkgs import --outdated`: the collection's recipes against Debian's source index. A
 * recipe whose source comes from Debian's pool names its source package and upstream
 * version in its URL (`mirror://debian/pool/main/p/pv/pv_1.6.20.orig.tar.bz2`); the suite's
 * index says which version Debian has now.
 */
import type { Package } from "../pkgs/package.js";
import type { PackageUniverse } from "../pkgs/top-level.js";
import type { SourcesIndex } from "./debian-index.js";
import { findSource } from "./debian-index.js";
import { compareDebianVersions } from "./debian-version.js";
import { repackSuffix, upstreamVersion } from "./import.js";

export type OutdatedStatus = "outdated" | "current" | "ahead" | "not-in-suite" | "not-from-debian";

export interface OutdatedRow {
  attr: string;
  /** The recipe's version. */
  ours: string;
  /** The Debian source package its URL names, or null when it is not from Debian's pool. */
  source: string | null;
  /** Debian's version in the suite (with epoch and revision), or null. */
  debian: string | null;
  status: OutdatedStatus;
}

/** The source package and upstream version a pool URL names, or null for another URL. */
export function poolSourceOf(url: string): { source: string; upstream: string } | null {
  const m = /^mirror:\/\/debian\/pool\/[^/]+\/[^/]+\/([^/]+)\/([^/]+)$/.exec(url);
  if (m === null) return null;
  const source = m[1]!;
  const file = m[2]!;
  if (!file.startsWith(`${source}_`)) return null;
  const v = /^(.+?)(?:\.orig(?:-[A-Za-z0-9-]+)?)?\.tar\.[a-z0-9]+$/.exec(
    file.slice(source.length + 1),
  );
  return v === null ? null : { source, upstream: v[1]! };
}

/** The URL of a package's `src` (its pool URL where it lists several), from its input derivations. */
export function sourceUrlOf(universe: PackageUniverse, pkg: Package): string | null {
  const src = pkg.drv.env.src;
  if (src === undefined || src === "") return null;
  for (const drvPath of Object.keys(pkg.drv.inputDrvs)) {
    const drv = universe.graph.byPath.get(drvPath)?.drv;
    if (drv?.outputs.out?.path !== src) continue;
    const urls = drv.env.url !== undefined ? [drv.env.url] : (drv.env.urls?.split(" ") ?? []);
    return urls.find((u) => poolSourceOf(u) !== null) ?? urls[0] ?? null;
  }
  return null;
}

/** One row per recipe: its version against the version of the source package in the index. */
export function compareWithIndex(
  recipes: { attr: string; version: string; url: string | null }[],
  index: SourcesIndex,
): OutdatedRow[] {
  return recipes.map((r) => {
    const pool = r.url === null ? null : poolSourceOf(r.url);
    if (pool === null)
      return {
        attr: r.attr,
        ours: r.version,
        source: null,
        debian: null,
        status: "not-from-debian",
      };
    // By its source name only: a binary of the same name in another source is not it.
    const found = findSource(index, pool.source, undefined, { sourceOnly: true });
    if (found === null)
      return {
        attr: r.attr,
        ours: r.version,
        source: pool.source,
        debian: null,
        status: "not-in-suite",
      };
    // The upstream version the URL names (Debian's repack suffixes included) against Debian's.
    // The URL's version is upstream's already (a '-' in it is upstream's: 2.1.12-stable).
    const ours = pool.upstream.replace(repackSuffix, "");
    const d = compareDebianVersions(upstreamVersion(found.version), ours);
    return {
      attr: r.attr,
      ours: r.version,
      source: pool.source,
      debian: found.version,
      status: d > 0 ? "outdated" : d < 0 ? "ahead" : "current",
    };
  });
}
