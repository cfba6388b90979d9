/**
 * `xpkgs import debian:NAME[=VERSION]`: Debian's source index → the source
 * package → its upstream tarball (checked against the index) and packaging →
 * an overlay entry that builds it, cross and static like every recipe.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { downloadCacheDir, prefetchUrl } from "../build/fetch.js";
import { XpkgsError } from "../errors.js";
import { collectionPackages } from "../pkgs/collection.js";
import { parseHash } from "../store/hash.js";
import { importSuite } from "./apt-suite.js";
import {
  closestNames,
  findSource,
  loadSourcesIndex,
  type SourceFile,
  type SourcePackage,
} from "./debian-index.js";
import {
  debianConfigureFlags,
  debianMeta,
  buildRoot,
  detectBuildSystem,
  tarList,
  tarRead,
  topDir,
} from "./inspect-source.js";
import {
  addToOverlay,
  mapBuildDepends,
  overlayEntry,
  overlayMarker,
  prefixVariables,
  type RecipeFacts,
} from "./recipe.js";

export interface ImportResult {
  facts: RecipeFacts;
  file: string;
  source: SourcePackage;
}

/** Debian's mark on a repacked upstream tarball: `+dfsg`, `~ds1`, `.dfsg`, `+repack2`. */
export const repackSuffix = /[+~.](dfsg|ds|repack)\d*$/i;

/** The upstream version of a Debian version: no epoch, no Debian revision, no repack suffix. */
export function upstreamVersion(v: string): string {
  return v
    .replace(/^\d+:/, "")
    .replace(/-[^-]*$/, "")
    .replace(repackSuffix, "");
}

/** Whether a Makefile has a rule for `install`, alone or among other targets (`depend install:`). */
export function hasInstallTarget(makefile: string): boolean {
  return /^(?:[^\s#:=][^:=\n]*[ \t])?install(?:[ \t][^:=\n]*)?:(?!=)/m.test(makefile);
}

/**
 * A version as a store path name allows it: Debian's pre-release `~` goes (`1.0~pre4` is
 * `1.0pre4`, as Nixpkgs spells it), and any other character a name may not hold becomes `-`.
 */
export function storeVersion(v: string): string {
  return v.replace(/~/g, "").replace(/[^A-Za-z0-9+\-._?=]/g, "-");
}

async function fetchChecked(
  src: SourcePackage,
  f: SourceFile,
  log: (l: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const cached = join(downloadCacheDir(env), `sha256-${f.sha256}`);
  if (existsSync(cached)) return cached;
  let got: Awaited<ReturnType<typeof prefetchUrl>>;
  try {
    got = await prefetchUrl(`mirror://debian/${src.directory}/${f.name}`, log, env);
  } catch (e) {
    if (e instanceof XpkgsError && /HTTP 404/.test(e.message)) {
      throw new XpkgsError(
        `Debian's index lists ${src.directory}/${f.name}, but the mirror does not serve it (HTTP 404): ` +
          "a partial mirror, or one behind the index. Set XPKGS_MIRRORS_DEBIAN to a full mirror, or try again later.",
      );
    }
    throw e;
  }
  if (got.hash.hex !== f.sha256) {
    throw new XpkgsError(
      `${f.name} from the archive hashes to ${got.hash.hex}, but Debian's index says ${f.sha256}. ` +
        "The file was not used; the mirror may be in the middle of an update: try again later.",
    );
  }
  return got.path;
}

export async function importDebian(
  spec: string,
  opts: { overlay: string; fresh: boolean; log: (l: string) => void; env?: NodeJS.ProcessEnv },
): Promise<ImportResult> {
  const env = opts.env ?? process.env;
  const m = /^debian:([a-z0-9][a-z0-9.+-]*)(?:=(\S+))?$/.exec(spec);
  if (m === null) {
    throw new XpkgsError(
      `'${spec}' is not something xpkgs can import. Write debian:NAME or debian:NAME=VERSION, e.g. debian:pv.`,
    );
  }
  const [, name, version] = m as unknown as [string, string, string | undefined];
  const suite = importSuite(env);
  const index = await loadSourcesIndex(suite, opts.log, env);
  const src = findSource(index, name, version);
  if (src === null) {
    const near = closestNames(index, name);
    throw new XpkgsError(
      `Debian ${suite.suite} has no source or binary package '${name}'${version !== undefined ? ` at version ${version}` : ""}.` +
        (near.length > 0 ? ` Did you mean ${near.join(", ")}?` : ""),
    );
  }
  const orig = src.files.find((f) => /\.orig\.tar\.(gz|xz|bz2|lzma)$/.test(f.name));
  const native = src.format.includes("native")
    ? src.files.find((f) => /\.tar\.(gz|xz|bz2)$/.test(f.name) && !f.name.includes(".debian."))
    : undefined;
  const tarball = orig ?? native;
  if (tarball === undefined) {
    throw new XpkgsError(
      `${src.name} ${src.version} has no upstream tarball in the archive (format ${src.format}: ${src.files.map((f) => f.name).join(", ")}). ` +
        "Write its recipe by hand (docs/howto.md).",
    );
  }
  opts.log(`${src.name} ${src.version} (Debian ${suite.suite}): ${tarball.name}`);
  const tarFile = await fetchChecked(src, tarball, opts.log, env);
  const paths = tarList(tarFile);
  const root = buildRoot(paths);
  const buildSystem = detectBuildSystem(paths, root);
  let rules: string | null = null;
  let control: string | null = null;
  let copyright: string | null = null;
  const packaging = src.files.find((f) => /\.debian\.tar\.(gz|xz|bz2)$/.test(f.name));
  let deb: string | null = null;
  if (packaging !== undefined) {
    try {
      deb = await fetchChecked(src, packaging, opts.log, env);
    } catch (e) {
      // The recipe needs only the upstream tarball: without the packaging, it has no Debian flags.
      opts.log(`warning: ${(e as Error).message} Going on without Debian's packaging.`);
    }
  }
  if (deb !== null) {
    rules = tarRead(deb, "debian/rules");
    control = tarRead(deb, "debian/control");
    copyright = tarRead(deb, "debian/copyright");
  } else if (native !== undefined) {
    const top = topDir(paths);
    rules = tarRead(tarFile, `${top}debian/rules`);
    control = tarRead(tarFile, `${top}debian/control`);
    copyright = tarRead(tarFile, `${top}debian/copyright`);
  }
  const meta = debianMeta(control, copyright, src.name);
  const upver = storeVersion(native !== undefined ? src.version : upstreamVersion(src.version));
  const ext = /\.tar\.(gz|xz|bz2|lzma)$/.exec(tarball.name)![0];
  const collection = new Set(collectionPackages());
  const programs = src.binaries.filter((b) => !/^lib|-(dev|doc|dbg|data|common|dbgsym)$/.test(b));
  // The top Makefile (or, with autoconf but not automake, its Makefile.in): has it an install target?
  const makefile =
    buildSystem === "make"
      ? (tarRead(tarFile, `${root}Makefile`) ??
        tarRead(tarFile, `${root}GNUmakefile`) ??
        tarRead(tarFile, `${root}makefile`))
      : buildSystem === "autotools" && !paths.includes(`${root}Makefile.am`)
        ? tarRead(tarFile, `${root}Makefile.in`)
        : null;
  const facts: RecipeFacts = {
    installByHand: makefile !== null && !hasInstallTarget(makefile),
    ...(buildSystem === "make" && makefile !== null
      ? { prefixVariables: prefixVariables(makefile) }
      : {}),
    cxx: paths.some((p) => /\.(cc|cpp|cxx|C|hpp|hh)$/.test(p)),
    attr: src.name,
    pname: src.name,
    version: upver,
    url: `mirror://debian/${src.directory}/${tarball.name}`,
    fileName: `${src.name}-${upver}${ext}`,
    hash: parseHash(tarball.sha256, "sha256").sri,
    buildSystem,
    ...(root !== topDir(paths) ? { sourceRoot: root.replace(/\/$/, "") } : {}),
    deps: mapBuildDepends(src, index, collection, buildSystem),
    debianFlags: rules !== null ? debianConfigureFlags(rules) : [],
    description: meta.description ?? `${src.name}, imported from Debian`,
    homepage: src.homepage,
    license: meta.license,
    mainProgram: programs.includes(src.name) ? src.name : (programs[0] ?? null),
    origin: `Debian ${suite.suite} ${src.name} ${src.version}, build system: ${buildSystem}${collection.has(src.name) ? ` (the collection has ${src.name} too: this entry replaces it)` : ""}.`,
  };
  let existing: string | null = null;
  if (!opts.fresh && existsSync(opts.overlay)) {
    existing = readFileSync(opts.overlay, "utf8");
    if (!existing.startsWith(overlayMarker)) {
      throw new XpkgsError(
        `${opts.overlay} exists and was not made by xpkgs import, so it is left alone. Name another --overlay file, or -o FILE for a new one.`,
      );
    }
  }
  const text = addToOverlay(existing, facts.attr, overlayEntry(facts));
  mkdirSync(dirname(opts.overlay), { recursive: true });
  const tmp = `${opts.overlay}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, opts.overlay);
  return { facts, file: opts.overlay, source: src };
}

/** Whether a failed build's log says it ran a program built for another machine. */
export function ranHostProgram(tail: string): boolean {
  return /Exec format error|cannot execute binary file/.test(tail);
}

/** The likely cause of a failed build, from its log's last lines. */
export function likelyCause(tail: string): string | null {
  if (ranHostProgram(tail))
    return "the build runs a program it has built for the host platform: give the recipe emulateHostPrograms: true (Linux 6.7 or later), or build that program for the build machine";
  if (/C\+\+ compiler cannot create executables|g\+\+ refuses|asks for C\+\+/.test(tail))
    return "the package is C++: add cxx: true to the recipe";
  if (/cannot run test program while cross compiling|cannot run C compiled programs/.test(tail))
    return 'configure runs a test program, which a cross build cannot: give its answer as a cache variable (configureFlags: ["ac_cv_…=yes"]) or check for a configure option that skips it';
  const missingTool = /(?:^|\s)([\w.+-]+): (?:command )?not found/m.exec(tail);
  if (missingTool !== null)
    return `a host tool is missing: ${missingTool[1]} (add it to nativeBuildInputs; xpkgs list shows the host tools)`;
  const header = /fatal error: ([\w/.+-]+\.h): No such file/.exec(tail);
  if (header !== null)
    return `a dependency is missing: ${header[1]} (add the library that has it to buildInputs)`;
  const pc = /No package '([\w.+-]+)' found|Package '?([\w.+-]+)'?,? .*not found/.exec(tail);
  if (pc !== null)
    return `a dependency is missing: ${pc[1] ?? pc[2]} (pkg-config; add it to buildInputs)`;
  const lib = /cannot find -l([\w.+-]+)/.exec(tail);
  if (lib !== null) return `a library is missing at link time: -l${lib[1]} (add it to buildInputs)`;
  return null;
}
