/**
 * What Debian packages this machine has installed, read from dpkg's own
 * database (no subprocess): each package's version, and the programs it
 * ships. Host tools and the builder's base tools are made of these, and
 * their versions enter the derivations that use them.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface InstalledPackage {
  name: string;
  version: string;
  /** Programs it ships under /usr/bin, /usr/sbin, /bin and /sbin, as absolute paths. */
  programs: string[];
}

const notInstalled = "not-installed";

function dpkgDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XPKGS_DPKG_DIR ?? "/var/lib/dpkg";
}

let statusMemo: { key: string; versions: Map<string, string> } | null = null;

/** A key that changes whenever dpkg's database does: for caches of what it says. */
export function dpkgStatusKey(): string {
  try {
    const st = statSync(join(dpkgDir(), "status"));
    return `${dpkgDir()} ${st.mtimeMs} ${st.size} ${st.ino}`;
  } catch {
    return `${dpkgDir()} none`;
  }
}

/** Installed packages and their versions, from dpkg's status file (read again when it changes). */
function installedVersions(): Map<string, string> {
  const file = join(dpkgDir(), "status");
  const key = dpkgStatusKey();
  if (statusMemo?.key === key) return statusMemo.versions;
  const versions = new Map<string, string>();
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // No dpkg database: nothing is installed.
  }
  for (const stanza of text.split("\n\n")) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    const status = /^Status: (.+)$/m.exec(stanza)?.[1];
    if (name === undefined || version === undefined) continue;
    if (status !== "install ok installed") continue;
    versions.set(name, version);
  }
  statusMemo = { key, versions };
  return versions;
}

/** The installed version of a Debian package, or null when it is not installed. */
export function debianVersion(name: string): string | null {
  return installedVersions().get(name) ?? null;
}

const programDirs = /^(\/usr)?\/s?bin\/[^/]+$/;

function listedPrograms(name: string): string[] {
  for (const file of [`${name}.list`, `${name}:amd64.list`, `${name}:arm64.list`]) {
    let text: string;
    try {
      text = readFileSync(join(dpkgDir(), "info", file), "utf8");
    } catch {
      continue;
    }
    return text
      .split("\n")
      .filter((l) => programDirs.test(l))
      .sort();
  }
  return [];
}

/** A package as installed here; `version` is "not-installed" when it is not. */
export function installedPackage(name: string): InstalledPackage {
  const version = debianVersion(name);
  if (version === null) return { name, version: notInstalled, programs: [] };
  return { name, version, programs: listedPrograms(name) };
}

/** `name=version` words, as derivations record what they need from the machine. */
export function formatRequirement(pkgs: readonly InstalledPackage[]): string {
  return pkgs.map((p) => `${p.name}=${p.version}`).join(" ");
}

export interface UnmetRequirement {
  name: string;
  wanted: string;
  /** The installed version, or null. */
  installed: string | null;
}

/** Which of `name=version` words this machine does not meet (missing, or another version). */
export function unmetRequirements(words: string): UnmetRequirement[] {
  const unmet: UnmetRequirement[] = [];
  for (const w of words.split(/\s+/).filter((x) => x !== "")) {
    const i = w.indexOf("=");
    const name = i < 0 ? w : w.slice(0, i);
    const wanted = i < 0 ? "" : w.slice(i + 1);
    const installed = debianVersion(name);
    if (installed === null || (wanted !== "" && installed !== wanted)) {
      unmet.push({ name, wanted, installed });
    }
  }
  return unmet;
}
