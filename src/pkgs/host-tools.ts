/**
 * Host tools: programs of the build machine that a recipe names among its
 * nativeBuildInputs (`bison`, `cmake`, `pkg-config`, `autoreconfHook`…), in
 * Nixpkgs' names. Each is a small store derivation of links to the Debian
 * package's programs, recording the package's version: installing or
 * upgrading bison changes the store paths of what uses it, and a build sees
 * only the tools it declared (setup.sh's PATH has no /usr/bin). A tool that
 * carries a setup hook (cmake, meson, pkg-config, autoreconfHook) plugs its
 * build system into the phases, as Nixpkgs' setup hooks do.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Derivation } from "../derivation/derivation.js";
import {
  type InstalledPackage,
  dpkgStatusKey,
  formatRequirement,
  installedPackage,
} from "../host/debian-packages.js";
import { cachedHostFact } from "../toolchains/detect.js";
import { type TreeEntry, writeTree } from "../stdenv/write-tree.js";

export interface HostToolSpec {
  /** The Debian packages it comes from; all must be installed to build with it. */
  debian: string[];
  /** The programs it shows a build, by name under /usr/bin; default: every program of `debian`. */
  programs?: string[];
  /** A setup hook from src/stdenv/hooks/, sourced by setup.sh before the phases. */
  setupHook?: string;
  /** Scripts of its own, under bin/ (the pkg-config wrapper). */
  scripts?: Record<string, string>;
  description: string;
}

const pkgConfigScript = (libdirVar: string, staticVar: string) => `#!/bin/bash
# xpkgs pkg-config: sees only the .pc files of the build's own inputs, never the machine's.
export PKG_CONFIG_LIBDIR="\${${libdirVar}-}"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
args=()
[ -n "\${${staticVar}-}" ] && args+=(--static)
exec /usr/bin/pkgconf "\${args[@]}" "$@"
`;

const autotools = ["autoconf", "automake", "libtool", "m4", "autopoint", "pkgconf"];

export const hostTools = {
  autoconf: { debian: ["autoconf", "m4"], description: "GNU Autoconf, configure script generator" },
  automake: { debian: ["automake", "autoconf", "m4"], description: "GNU Automake" },
  libtool: { debian: ["libtool", "libtool-bin"], description: "GNU Libtool" },
  autoreconfHook: {
    debian: autotools,
    programs: [
      "autoconf",
      "autoheader",
      "autom4te",
      "autoreconf",
      "autoscan",
      "autoupdate",
      "ifnames",
      "aclocal",
      "automake",
      "libtoolize",
      "m4",
      "autopoint",
    ],
    setupHook: "autoreconf.sh",
    description: "Runs autoreconf -fi before configure (autoconf, automake, libtool, autopoint)",
  },
  bison: {
    debian: ["bison"],
    programs: ["bison", "yacc"],
    description: "GNU Bison parser generator",
  },
  flex: {
    debian: ["flex"],
    programs: ["flex", "flex++", "lex"],
    description: "Fast lexical analyser generator",
  },
  m4: { debian: ["m4"], programs: ["m4"], description: "GNU m4 macro processor" },
  gawk: { debian: ["gawk"], programs: ["gawk", "awk"], description: "GNU awk" },
  perl: { debian: ["perl", "perl-base"], description: "Perl 5 interpreter and its tools" },
  python3: { debian: ["python3"], programs: ["python3"], description: "Python 3 interpreter" },
  gperf: { debian: ["gperf"], programs: ["gperf"], description: "Perfect hash function generator" },
  gettext: { debian: ["gettext"], description: "GNU gettext tools (msgfmt, xgettext…)" },
  po4a: {
    debian: ["po4a", "gettext"],
    description: "po4a, translated documentation (with gettext's msgfmt, which it needs)",
  },
  xmllint: {
    debian: ["libxml2-utils"],
    programs: ["xmllint", "xmlcatalog"],
    description: "libxml2's xmllint and xmlcatalog",
  },
  texinfo: {
    debian: ["texinfo"],
    programs: ["makeinfo", "texi2any", "install-info"],
    description: "GNU Texinfo",
  },
  help2man: { debian: ["help2man"], programs: ["help2man"], description: "Man pages from --help" },
  tcl: { debian: ["tcl"], programs: ["tclsh"], description: "Tcl interpreter (tclsh)" },
  xxd: { debian: ["xxd"], programs: ["xxd"], description: "Hex dumper" },
  bc: { debian: ["bc"], programs: ["bc"], description: "Arbitrary precision calculator" },
  ed: {
    debian: ["ed"],
    programs: ["ed", "red"],
    description: "GNU ed, the line editor (bc's build edits with it)",
  },
  cmake: {
    debian: ["cmake"],
    programs: ["cmake", "ctest", "cpack"],
    setupHook: "cmake.sh",
    description: "CMake, with xpkgs' toolchain file for cross and static builds",
  },
  meson: {
    debian: ["meson", "ninja-build"],
    programs: ["meson", "ninja"],
    setupHook: "meson.sh",
    description: "Meson (with Ninja), with xpkgs' cross file",
  },
  // Not named by recipes: stdenv adds it to every cross build that has an emulator (checks
  // under qemu, CMake's try_run, Meson's exe_wrapper), so its version enters those too.
  "qemu-user": {
    debian: ["qemu-user-static"],
    description: "qemu-user's static emulators, which run the host platform's programs here",
  },
  "pkg-config": {
    debian: ["pkgconf"],
    programs: [],
    scripts: {
      "pkg-config": pkgConfigScript("xpkgsPkgConfigLibdir", "xpkgsStatic"),
      "pkg-config-for-build": pkgConfigScript("xpkgsPkgConfigLibdirForBuild", "xpkgsNeverStatic"),
    },
    setupHook: "pkg-config.sh",
    description: "pkg-config (pkgconf) that sees only the build's inputs; --static in static sets",
  },
} satisfies Record<string, HostToolSpec>;

/** The attribute names of the host tools: every recipe may take them by name. */
export type HostToolName = keyof typeof hostTools;

/**
 * What every build sees, declared or not: the POSIX tool set of Nixpkgs'
 * stdenv (coreutils, a shell, sed, grep, awk, find, diff, tar and its
 * compressors, make, patch, file), and autotools-dev's current config.sub
 * and config.guess. Their versions enter every derivation.
 */
export const baseToolPackages = [
  "coreutils",
  "dash",
  "bash",
  "sed",
  "grep",
  "mawk",
  "findutils",
  "diffutils",
  "tar",
  "gzip",
  "bzip2",
  "xz-utils",
  "zstd",
  "unzip",
  "make",
  "patch",
  "file",
  "debianutils",
  "hostname",
  "util-linux",
  "autotools-dev",
];

/**
 * Programs the base shows by another name: Debian's alternatives. `which` is debianutils'
 * (Essential on Debian, so scripts such as squashfs-tools' man page installer assume it).
 */
const baseAliases: Readonly<Record<string, string>> = {
  awk: "/usr/bin/awk",
  which: "/usr/bin/which.debianutils",
};

let hookTexts: Record<string, string> = {};
function hookText(file: string): string {
  hookTexts[file] ??= readFileSync(
    new URL(`../../src/stdenv/hooks/${file}`, import.meta.url),
    "utf8",
  );
  return hookTexts[file]!;
}

/** For tests that rewrite hooks. */
export function forgetHookTexts(): void {
  hookTexts = {};
}

function storeName(s: string): string {
  return s.replace(/^[0-9]+:/, "").replace(/[^A-Za-z0-9+._?=-]/g, "_");
}

function linkEntries(programs: Iterable<string>): TreeEntry[] {
  const seen = new Set<string>();
  const entries: TreeEntry[] = [];
  for (const p of programs) {
    const name = p.slice(p.lastIndexOf("/") + 1);
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push({ path: `bin/${name}`, target: p });
  }
  return entries;
}

/**
 * A package as dpkg has it, cached on disk until dpkg's database changes: every evaluation
 * needs the base tools, and reading the whole status file would cost more than the rest.
 */
function debianPackage(name: string): InstalledPackage {
  return cachedHostFact(`dpkg ${dpkgStatusKey()} ${name}`, () => installedPackage(name));
}

/** The derivation of a host tool, made from this machine's Debian packages. */
export function hostToolDerivation(attr: string, spec: HostToolSpec, system: string): Derivation {
  const pkgs: InstalledPackage[] = spec.debian.map(debianPackage);
  const programs =
    spec.programs !== undefined
      ? spec.programs.map((n) => `/usr/bin/${n}`)
      : pkgs.flatMap((p) => p.programs);
  const entries = linkEntries(programs);
  for (const [name, text] of Object.entries(spec.scripts ?? {}))
    entries.push({ path: `bin/${name}`, content: text, executable: true });
  if (spec.setupHook !== undefined)
    entries.push({ path: "nix-support/setup-hook", content: hookText(spec.setupHook) });
  const main = pkgs[0]!;
  return writeTree(`${attr}-${storeName(main.version)}`, system, entries, {
    requiredDebianPackages: formatRequirement(pkgs),
  });
}

/** The base tools every build sees. */
export function baseToolsDerivation(system: string): Derivation {
  const pkgs = baseToolPackages.map(debianPackage);
  const entries = linkEntries(pkgs.flatMap((p) => p.programs));
  for (const [name, target] of Object.entries(baseAliases)) {
    if (existsSync(target) && !entries.some((e) => e.path === `bin/${name}`))
      entries.push({ path: `bin/${name}`, target });
  }
  return writeTree("xpkgs-base-tools", system, entries, {
    requiredDebianPackages: formatRequirement(pkgs),
  });
}
