/**
 * What the importer reads from a source package's files: the build system
 * (from the upstream tarball's listing) and, from the Debian packaging, the
 * configure flags Debian passes, the description and the licence.
 */
import { execFileSync } from "node:child_process";
import { paragraphs } from "./deb822.js";

export type BuildSystem = "autotools" | "autoreconf" | "meson" | "cmake" | "make" | "unknown";

/** The tarball's paths, as `tar -t` lists them (any compression tar knows). */
export function tarList(file: string): string[] {
  return execFileSync("tar", ["-tf", file], { encoding: "utf8", maxBuffer: 1 << 28 })
    .split("\n")
    .filter((l) => l !== "");
}

export function tarRead(file: string, member: string): string | null {
  try {
    return execFileSync("tar", ["-xOf", file, member], {
      encoding: "utf8",
      maxBuffer: 1 << 26,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null;
  }
}

/** The top folder of a tarball ("" when its files are at the top). */
export function topDir(paths: string[]): string {
  const firsts = new Set(paths.map((p) => p.replace(/^\.\//, "").split("/")[0]));
  return firsts.size === 1 && paths.some((p) => p.replace(/^\.\//, "").includes("/"))
    ? `${[...firsts][0]!}/`
    : "";
}

export function detectBuildSystem(paths: string[], root = topDir(paths)): BuildSystem {
  const has = (f: string) => paths.some((p) => p.replace(/^\.\//, "") === `${root}${f}`);
  if (has("configure")) return "autotools";
  if (has("configure.ac") || has("configure.in")) return "autoreconf";
  if (has("meson.build")) return "meson";
  if (has("CMakeLists.txt")) return "cmake";
  if (has("Makefile") || has("GNUmakefile") || has("makefile")) return "make";
  return "unknown";
}

/**
 * Where the build system is: the tarball's top folder, or, when that has none, its one
 * subfolder that has one (squashfs-tools keeps its Makefile in `squashfs-tools/`). Several
 * candidates (unzip's `unix/`, `win32/`…) are no answer: the top is kept.
 */
export function buildRoot(paths: string[]): string {
  const top = topDir(paths);
  if (detectBuildSystem(paths, top) !== "unknown") return top;
  const subs = new Set<string>();
  for (const p of paths) {
    const rest = p.replace(/^\.\//, "").slice(top.length).split("/");
    if (p.replace(/^\.\//, "").startsWith(top) && rest.length === 2 && rest[1] !== "")
      subs.add(`${top}${rest[0]!}/`);
  }
  const found = [...subs].filter((d) => detectBuildSystem(paths, d) !== "unknown");
  return found.length === 1 ? found[0]! : top;
}

/** The flags debian/rules passes after `dh_auto_configure --` (continuation lines joined). */
export function debianConfigureFlags(rules: string): string[] {
  const joined = rules.replace(/\\\n/g, " ");
  const flags: string[] = [];
  for (const m of joined.matchAll(/dh_auto_configure\b[^\n]*?\s--\s+([^\n]*)/g)) {
    for (const f of m[1]!.trim().split(/\s+/)) if (f !== "") flags.push(f);
  }
  return [...new Set(flags)];
}

export interface DebianMeta {
  description: string | null;
  license: string | null;
}

export function debianMeta(
  control: string | null,
  copyright: string | null,
  source: string,
): DebianMeta {
  let description: string | null = null;
  if (control !== null) {
    const ps = [...paragraphs(control)].filter((p) => p.has("Package"));
    const p = ps.find((x) => x.get("Package") === source) ?? ps[0];
    description = p?.get("Description")?.split("\n")[0]?.trim() ?? null;
  }
  let license: string | null = null;
  if (copyright !== null) {
    for (const p of paragraphs(copyright)) {
      if (p.get("Files")?.trim() === "*") {
        license = p.get("License")?.split("\n")[0]?.trim() ?? null;
        break;
      }
    }
  }
  return { description, license };
}
