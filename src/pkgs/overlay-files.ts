/**
 * Overlays written by users in TypeScript (or JavaScript), loaded with tsx:
 * files given with `-f`, and a config file found in the project directory
 * (`xpkgs.config.ts`, searched upwards) or in the user's config directory
 * (`~/.config/xpkgs/config.ts`).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { XpkgsError } from "../errors.js";
import type { Overlay } from "./package-set.js";

export class OverlayLoadError extends XpkgsError {
  override name = "OverlayLoadError";
}

const configNames = ["xpkgs.config.ts", "xpkgs.config.mts", "xpkgs.config.js", "xpkgs.config.mjs"];

/** The config file that applies in `cwd`: the nearest xpkgs.config.* upwards, else the user's. */
export function findConfigFile(cwd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  let dir = resolve(cwd);
  for (;;) {
    for (const n of configNames) if (existsSync(join(dir, n))) return join(dir, n);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const userDir = join(env.XDG_CONFIG_HOME ?? join(homedir(), ".config"), "xpkgs");
  for (const n of ["config.ts", "config.mts", "config.js", "config.mjs"]) {
    if (existsSync(join(userDir, n))) return join(userDir, n);
  }
  return null;
}

function overlaysOf(value: unknown, file: string): Overlay[] {
  let v = value;
  // A module compiled to CommonJS wraps its default export once more.
  if (typeof v === "object" && v !== null && "default" in v && Object.keys(v).length === 1)
    v = (v as { default: unknown }).default;
  if (typeof v === "function") return [v as Overlay];
  if (Array.isArray(v) && v.every((o) => typeof o === "function")) return v as Overlay[];
  if (
    typeof v === "object" &&
    v !== null &&
    Array.isArray((v as { overlays?: unknown }).overlays)
  ) {
    return overlaysOf((v as { overlays: unknown }).overlays, file);
  }
  throw new OverlayLoadError(
    `${file} does not export an overlay. Its default export must be an overlay ` +
      `'(final, prev) => ({ … })', a list of overlays, or '{ overlays: [...] }'.`,
  );
}

export async function loadOverlayFile(file: string): Promise<Overlay[]> {
  const path = resolve(file);
  if (!existsSync(path)) throw new OverlayLoadError(`The overlay file ${path} does not exist.`);
  let mod: { default?: unknown };
  try {
    const { tsImport } = await import("tsx/esm/api");
    mod = (await tsImport(pathToFileURL(path).href, import.meta.url)) as { default?: unknown };
  } catch (e) {
    // esbuild's first line only says how many errors; the next ones say where and what.
    const lines = (e as Error).message
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    const detail = lines.slice(0, 3).join(" ");
    throw new OverlayLoadError(
      `Could not load the overlay ${path}: ${detail}. Fix the file (it is TypeScript, loaded with tsx) and run the command again.`,
    );
  }
  return overlaysOf(mod.default, path);
}

/** The overlays in force: the config file's first, then the `-f` files in order. */
export async function loadOverlays(files: string[], cwd = process.cwd()): Promise<Overlay[]> {
  const all: Overlay[] = [];
  const config = findConfigFile(cwd);
  if (config !== null) all.push(...(await loadOverlayFile(config)));
  for (const f of files) all.push(...(await loadOverlayFile(f)));
  return all;
}
