/**
 * Whether a package may be built for a platform, from its meta: `platforms`
 * (where it builds) and `brokenOn` (where it is known to fail, and why). As
 * Nixpkgs refuses such packages unless told otherwise, so does xpkgs:
 * XPKGS_ALLOW_UNSUPPORTED=1 and XPKGS_ALLOW_BROKEN=1 are the ways round.
 */
import { XpkgsError } from "../errors.js";
import type { Platform } from "../systems/elaborate.js";
import type { Package } from "./package.js";

export class UnsupportedPackageError extends XpkgsError {
  override name = "UnsupportedPackageError";
}

function matches(entry: string, host: Platform): boolean {
  if (entry === "linux") return host.system.endsWith("-linux");
  return entry === host.system || entry === host.config;
}

/** Throws when `pkg` is not meant for its host platform, unless the environment allows it. */
export function checkMeta(attr: string, pkg: Package, env: NodeJS.ProcessEnv = process.env): void {
  const host = pkg.hostPlatform;
  const platforms = pkg.meta.platforms ?? ["linux"];
  if (!platforms.some((p) => matches(p, host)) && env.XPKGS_ALLOW_UNSUPPORTED !== "1") {
    throw new UnsupportedPackageError(
      `${attr} does not support ${host.config} (${host.system}): its meta.platforms is ` +
        `${platforms.join(", ")}. To try anyway, set XPKGS_ALLOW_UNSUPPORTED=1.`,
    );
  }
  for (const [where, why] of Object.entries(pkg.meta.brokenOn ?? {})) {
    if (matches(where, host) && env.XPKGS_ALLOW_BROKEN !== "1") {
      throw new UnsupportedPackageError(
        `${attr} is marked broken on ${where}: ${why}. To try anyway, set XPKGS_ALLOW_BROKEN=1.`,
      );
    }
  }
}
