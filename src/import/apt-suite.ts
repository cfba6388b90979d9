/** The Debian archive, suite and components that this machine's apt sources name (read at run time). */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";

export interface AptSuite {
  uri: string;
  suite: string;
  components: string[];
}

/** Every `deb` source that is not a security archive, in order, one entry per suite. */
export function aptSuites(aptDir = "/etc/apt"): AptSuite[] {
  const out: AptSuite[] = [];
  const files = [join(aptDir, "sources.list")];
  try {
    for (const f of readdirSync(join(aptDir, "sources.list.d")).sort())
      files.push(join(aptDir, "sources.list.d", f));
  } catch {
    // none
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
        for (const uri of (field("URIs") ?? "").split(/\s+/).filter(Boolean))
          for (const suite of (field("Suites") ?? "").split(/\s+/).filter(Boolean))
            out.push({ uri, suite, components: (field("Components") ?? "main").split(/\s+/) });
      }
    } else if (f.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
        if (m !== null)
          out.push({ uri: m[1]!, suite: m[2]!, components: m[3]!.split(/\s+/).filter(Boolean) });
      }
    }
  }
  return out
    .map((s) => ({ ...s, uri: s.uri.replace(/\/+$/, "") }))
    .filter(
      (s) =>
        /^https?:\/\//.test(s.uri) &&
        !/security/.test(s.uri) &&
        !/-(updates|backports|security)$/.test(s.suite),
    );
}

/** The suite `xpkgs import` reads: XPKGS_DEBIAN_SUITE, or the first of apt's. */
export function importSuite(env: NodeJS.ProcessEnv = process.env): AptSuite {
  const all = aptSuites();
  const uriFromEnv = env.XPKGS_MIRRORS_DEBIAN?.trim().split(/\s+/)[0];
  const suite = env.XPKGS_DEBIAN_SUITE ?? all[0]?.suite;
  const uri = uriFromEnv ?? all[0]?.uri;
  if (suite === undefined || uri === undefined) {
    throw new XpkgsError(
      "xpkgs import reads Debian's source index from the archive apt uses, and apt's sources name none. " +
        "Add a deb line to /etc/apt/sources.list, or set XPKGS_MIRRORS_DEBIAN and XPKGS_DEBIAN_SUITE.",
    );
  }
  return { uri, suite, components: ["main"] };
}
