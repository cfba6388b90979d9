/**
 * `mirror://<name>/<path>` URLs and the mirror lists they expand to. The
 * Debian archive is whichever one this machine's apt sources name, read at
 * run time; `XPKGS_MIRRORS_DEBIAN` (space-separated) overrides it.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { XpkgsError, didYouMean } from "../errors.js";

export class MirrorError extends XpkgsError {
  override name = "MirrorError";
}

const staticMirrors: Readonly<Record<string, readonly string[]>> = {
  gnu: ["https://ftpmirror.gnu.org", "https://ftp.gnu.org/gnu"],
  kernel: ["https://cdn.kernel.org/pub"],
};

/** The archive URIs in apt's sources (one-line and deb822 formats), security archives left out. */
export function aptArchiveUris(aptDir = "/etc/apt"): string[] {
  const uris: string[] = [];
  const files: string[] = [];
  try {
    files.push(join(aptDir, "sources.list"));
    for (const f of readdirSync(join(aptDir, "sources.list.d")))
      files.push(join(aptDir, "sources.list.d", f));
  } catch {
    // no sources.list.d
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    if (f.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const types = /^Types:\s*(.*)$/im.exec(stanza)?.[1] ?? "";
        if (!types.split(/\s+/).includes("deb")) continue;
        const m = /^URIs:\s*(.*)$/im.exec(stanza);
        if (m !== null) uris.push(...m[1]!.trim().split(/\s+/));
      }
    } else if (f.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
        if (m !== null) uris.push(m[1]!);
      }
    }
  }
  const archives = uris
    .map((u) => u.replace(/\/+$/, ""))
    .filter((u) => /^https?:\/\//.test(u) && !/security/.test(u));
  return [...new Set(archives)];
}

export function mirrorList(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (name === "debian") {
    const fromEnv = env.XPKGS_MIRRORS_DEBIAN?.trim();
    if (fromEnv !== undefined && fromEnv !== "")
      return fromEnv.split(/\s+/).map((u) => u.replace(/\/+$/, ""));
    const fromApt = aptArchiveUris(env.XPKGS_APT_DIR ?? "/etc/apt");
    if (fromApt.length === 0) {
      throw new MirrorError(
        "mirror://debian has no mirror: this machine's apt sources name no Debian archive. " +
          "Set XPKGS_MIRRORS_DEBIAN to one or more archive URLs (space-separated), each the " +
          "directory that holds pool/.",
      );
    }
    return fromApt;
  }
  const list = staticMirrors[name];
  if (list === undefined) {
    throw new MirrorError(
      `'mirror://${name}' is not a known mirror.${didYouMean(name, ["debian", ...Object.keys(staticMirrors)])} ` +
        `Known mirrors: debian, ${Object.keys(staticMirrors).join(", ")}.`,
    );
  }
  return [...list];
}

/** Every concrete URL a URL stands for, in the order to try them. */
export function expandUrl(url: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const m = /^mirror:\/\/([^/]+)\/(.*)$/.exec(url);
  if (m === null) return [url];
  return mirrorList(m[1]!, env).map((base) => `${base}/${m[2]!}`);
}
