/** The Debian archive, suite and components that this machine's apt sources name (read at run time). */
import { aptSources } from "../build/mirrors.js";
import { XpkgsError } from "../errors.js";

export type { AptSource as AptSuite } from "../build/mirrors.js";
import type { AptSource as AptSuite } from "../build/mirrors.js";

/** Every `deb` source that is not a security, updates or backports archive, in order. */
export function aptSuites(aptDir = "/etc/apt"): AptSuite[] {
  return aptSources(aptDir).filter(
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
