/**
 * From what the importer learnt to a recipe: dependencies mapped to our
 * attribute names (host tools among nativeBuildInputs, libraries of the
 * collection among buildInputs, the rest as comments), and the TypeScript
 * text of an overlay entry that `xpkgs -f FILE` loads at once.
 */
import { hostTools } from "../pkgs/host-tools.js";
import type { BuildSystem } from "./inspect-source.js";
import type { SourcePackage, SourcesIndex } from "./debian-index.js";

/** Debian source names whose attribute in the collection is another. */
const sourceAliases: Readonly<Record<string, string>> = {
  "xz-utils": "xz",
  libzstd: "zstd",
  libonig: "oniguruma",
  sqlite3: "sqlite",
  mpfr4: "mpfr",
  ncurses: "ncurses",
};

/** Build-Depends every build has anyway, or that only Debian's packaging uses. */
const implicit =
  /^(debhelper(-compat)?|dh-.*|build-essential|gcc|g\+\+|libc6?-dev|quilt|cdbs|lintian|po-debconf|dpkg-dev|fakeroot|autotools-dev|make|patch|file|texinfo|help2man|debianutils|bash-completion|chrpath|docbook.*|xsltproc|asciidoc.*|xmlto|doxygen|graphviz|sphinx.*|python3-sphinx.*|pandoc|ronn|groff.*|man-db)$/;

/** Debian packages that only regenerate the build system. */
const regenerators = new Set([
  "autoconf",
  "automake",
  "libtool",
  "libtool-bin",
  "dh-autoreconf",
  "autopoint",
  "autoconf-archive",
  "gnulib",
]);

export interface MappedDeps {
  nativeBuildInputs: string[];
  buildInputs: string[];
  unmapped: string[];
}

export function mapBuildDepends(
  src: SourcePackage,
  index: SourcesIndex,
  collection: Set<string>,
  buildSystem: BuildSystem,
): MappedDeps {
  const bySource = new Map<string, string>();
  for (const p of index.packages)
    for (const b of p.binaries) if (!bySource.has(b)) bySource.set(b, p.name);
  const toolOf = new Map<string, string>();
  for (const [attr, spec] of Object.entries(hostTools)) {
    if (attr === "autoconf" || attr === "automake" || attr === "libtool" || attr === "qemu-user")
      continue;
    for (const d of spec.debian) if (!toolOf.has(d)) toolOf.set(d, attr);
  }
  toolOf.set("pkg-config", "pkg-config");
  for (const d of ["autoconf", "automake", "libtool", "dh-autoreconf", "autopoint", "gettext"])
    if (buildSystem === "autoreconf") toolOf.set(d, "autoreconfHook");
  const native = new Set<string>();
  const libs = new Set<string>();
  const unmapped: string[] = [];
  if (buildSystem === "autoreconf") native.add("autoreconfHook");
  if (buildSystem === "meson") native.add("meson");
  if (buildSystem === "cmake") native.add("cmake");
  for (const alts of src.buildDepends) {
    let done = false;
    for (const name of alts) {
      if (implicit.test(name) && toolOf.get(name) === undefined) {
        done = true;
        break;
      }
      // Debian regenerates configure (dh_autoreconf) whatever the tarball holds; a tarball
      // with a generated configure is built with it, which a repack that dropped files
      // automake wants (cpio's doc/cpio.texi) cannot break.
      if (buildSystem !== "autoreconf" && regenerators.has(name)) {
        done = true;
        break;
      }
      const tool = toolOf.get(name);
      if (tool !== undefined) {
        if (!(tool === "meson" && name === "ninja-build" && buildSystem !== "meson"))
          native.add(tool);
        done = true;
        break;
      }
      const source = bySource.get(name);
      const attr = source !== undefined ? (sourceAliases[source] ?? source) : undefined;
      if (attr !== undefined && collection.has(attr) && attr !== src.name) {
        libs.add(attr);
        done = true;
        break;
      }
    }
    if (!done) {
      const name = alts[0]!;
      const source = bySource.get(name);
      unmapped.push(source !== undefined && source !== name ? `${name} (source ${source})` : name);
    }
  }
  return { nativeBuildInputs: [...native].sort(), buildInputs: [...libs].sort(), unmapped };
}

export interface RecipeFacts {
  attr: string;
  pname: string;
  version: string;
  url: string;
  fileName: string;
  hash: string;
  buildSystem: BuildSystem;
  deps: MappedDeps;
  debianFlags: string[];
  description: string;
  homepage: string | null;
  license: string | null;
  mainProgram: string | null;
  origin: string;
  /** The folder that holds the build system, when it is not the tarball's top. */
  sourceRoot?: string;
  /** A plain Makefile's variables that hold /usr or /usr/local (its install prefixes). */
  prefixVariables?: string[];
  /** A plain Makefile without an install target: install the main program by hand. */
  installByHand?: boolean;
  /** The sources have C++ files: the recipe asks for C++ (musl sets add libstdc++ only then). */
  cxx?: boolean;
  /** Its build runs a program it has built (--try saw "Exec format error"): qemu runs it. */
  emulateHostPrograms?: boolean;
}

const q = (s: string) => JSON.stringify(s);
const argName = (a: string) =>
  /^[A-Za-z_$][\w$]*$/.test(a)
    ? a
    : `${q(a)}: ${a.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}`;
const ref = (a: string) =>
  /^[A-Za-z_$][\w$]*$/.test(a) ? a : a.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * Debian's configure flags, split: those that only turn things off are kept (a
 * static build wants less), the rest are proposed in a comment, as are flags
 * naming Debian's paths or make variables.
 */
export function splitDebianFlags(flags: string[]): { kept: string[]; proposed: string[] } {
  const kept: string[] = [];
  const proposed: string[] = [];
  for (const f of flags) {
    if (
      /\$\(|\$\{|^--(prefix|libdir|libexecdir|sysconfdir|localstatedir|mandir|infodir|docdir|build|host|target)\b|^-D(CMAKE_INSTALL|CMAKE_BUILD_TYPE)/.test(
        f,
      )
    )
      continue;
    if (/^--(disable|without)-|^-D[\w-]+=(false|disabled|OFF|off|0)$/.test(f)) kept.push(f);
    else proposed.push(f);
  }
  return { kept, proposed };
}

/**
 * The variables a plain Makefile installs under (`PREFIX`, `prefix`, and any other it sets to
 * /usr or /usr/local, as squashfs-tools' `INSTALL_PREFIX`), each pointed at the output.
 */
export function makePrefixFlags(prefixVariables: readonly string[]): string[] {
  const names = [
    "PREFIX",
    "prefix",
    ...prefixVariables.filter((v) => v !== "PREFIX" && v !== "prefix"),
  ];
  return [...new Set(names)].map((v) => `${v}=@out@`);
}

/** The variables a Makefile assigns /usr or /usr/local to: where it installs. */
export function prefixVariables(makefile: string): string[] {
  const out: string[] = [];
  for (const m of makefile.matchAll(
    /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*[:?]?=[ \t]*\/usr(?:\/local)?\/?[ \t]*$/gm,
  ))
    out.push(m[1]!);
  return out;
}

/** One overlay entry: `attr: ({ … }) => stdenv.mkDerivation({ … }),` with its comments. */
export function overlayEntry(f: RecipeFacts): string {
  const args = ["stdenv", "fetchurl", ...f.deps.nativeBuildInputs, ...f.deps.buildInputs];
  const { kept, proposed } = splitDebianFlags(f.debianFlags);
  const flagsKey =
    f.buildSystem === "meson"
      ? "mesonFlags"
      : f.buildSystem === "cmake"
        ? "cmakeFlags"
        : "configureFlags";
  const lines = [
    `  // xpkgs-import: ${f.attr}`,
    `  // ${f.origin}`,
    ...(f.deps.unmapped.length > 0
      ? [`  // Build-Depends not mapped to packages here: ${f.deps.unmapped.join(", ")}.`]
      : []),
    ...(proposed.length > 0 ? [`  // Debian also configures with: ${proposed.join(" ")}`] : []),
    `  ${q(f.attr)}: ({ ${args.map(argName).join(", ")} }) =>`,
    "    stdenv.mkDerivation({",
    `      pname: ${q(f.pname)},`,
    `      version: ${q(f.version)},`,
    "      src: fetchurl({",
    `        url: ${q(f.url)},`,
    `        name: ${q(f.fileName)},`,
    `        hash: ${q(f.hash)},`,
    "      }),",
    ...(f.deps.nativeBuildInputs.length > 0
      ? [`      nativeBuildInputs: [${f.deps.nativeBuildInputs.map(ref).join(", ")}],`]
      : []),
    ...(f.deps.buildInputs.length > 0
      ? [`      buildInputs: [${f.deps.buildInputs.map(ref).join(", ")}],`]
      : []),
    ...(kept.length > 0
      ? [`      // Debian's (debian/rules).`, `      ${flagsKey}: [${kept.map(q).join(", ")}],`]
      : []),
    ...(f.sourceRoot !== undefined ? [`      sourceRoot: ${q(f.sourceRoot)},`] : []),
    ...(f.cxx === true ? ["      cxx: true,"] : []),
    ...(f.emulateHostPrograms === true
      ? [
          "      // Its build runs programs it has built: under qemu in a cross build.",
          "      emulateHostPrograms: true,",
        ]
      : []),
    ...(f.buildSystem === "make"
      ? [
          `      makeFlags: [${makePrefixFlags(f.prefixVariables ?? [])
            .map(q)
            .join(", ")}],`,
        ]
      : []),
    ...(f.installByHand === true && f.mainProgram !== null
      ? [
          "      // Its Makefile has no install target.",
          `      hooks: { installPhase: ${q(`install -Dm755 ${f.mainProgram} $out/bin/${f.mainProgram}`)} },`,
        ]
      : []),
    "      meta: {",
    `        description: ${q(f.description)},`,
    ...(f.homepage !== null ? [`        homepage: ${q(f.homepage)},`] : []),
    ...(f.license !== null ? [`        license: ${q(f.license)},`] : []),
    ...(f.mainProgram !== null ? [`        mainProgram: ${q(f.mainProgram)},`] : []),
    "      },",
    "    }),",
    `  // xpkgs-import-end: ${f.attr}`,
  ];
  return lines.join("\n");
}

const header = [
  "// Recipes imported from Debian's source packages by `xpkgs import`. Load them with",
  "// `xpkgs -f THIS-FILE …`; edit them freely (a new import of the same name replaces its entry).",
  'import type { Overlay } from "xpkgs";',
  "",
  "const overlay: Overlay = () => ({",
];
const footer = ["});", "", "export default overlay;", ""];

/** The overlay file with `entry` for `attr` added, or put in place of an earlier import of it. */
export function addToOverlay(existing: string | null, attr: string, entry: string): string {
  if (existing === null) return [...header, entry, ...footer].join("\n");
  const begin = `  // xpkgs-import: ${attr}\n`;
  const end = `  // xpkgs-import-end: ${attr}`;
  const i = existing.indexOf(begin);
  if (i >= 0) {
    const j = existing.indexOf(end, i);
    return existing.slice(0, i) + entry + existing.slice(j + end.length);
  }
  const close = existing.lastIndexOf("\n});");
  return `${existing.slice(0, close)}\n${entry}${existing.slice(close)}`;
}

export const overlayMarker = header[0]!;
