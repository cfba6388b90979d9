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

export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

/** The `deb` sources of apt's lists (one-line and deb822 formats), one entry per URI and suite. */
export function aptSources(aptDir = "/etc/apt"): AptSource[] {
  const out: AptSource[] = [];
  const files = [join(aptDir, "sources.list")];
  try {
    for (const f of readdirSync(join(aptDir, "sources.list.d")).sort())
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
        const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, "im").exec(stanza)?.[1]?.trim();
        if (!(field("Types") ?? "").split(/\s+/).includes("deb")) continue;
        const components = (field("Components") ?? "main").split(/\s+/);
        for (const uri of (field("URIs") ?? "").split(/\s+/).filter(Boolean))
          for (const suite of (field("Suites") ?? "").split(/\s+/).filter(Boolean))
            out.push({ uri, suite, components });
      }
    } else if (f.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
        if (m !== null)
          out.push({ uri: m[1]!, suite: m[2]!, components: m[3]!.split(/\s+/).filter(Boolean) });
      }
    }
  }
  return out.map((s) => ({ ...s, uri: s.uri.replace(/\/+$/, "") }));
}

/** The archive URIs in apt's sources, security archives left out. */
export function aptArchiveUris(aptDir = "/etc/apt"): string[] {
  const archives = aptSources(aptDir)
    .map((s) => s.uri)
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
