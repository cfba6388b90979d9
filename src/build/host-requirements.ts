/**
 * Derivations that use the build machine's own packages (host tools, the base
 * tools) record them as `requiredDebianPackages` = `name=version …`. Before
 * anything builds, each is checked against dpkg's database: a missing or
 * changed package stops the build at once with the apt line that fixes it,
 * rather than halfway through with "bison: command not found".
 */
import { XpkgsError } from "../errors.js";
import type { Derivation } from "../derivation/derivation.js";
import { type UnmetRequirement, unmetRequirements } from "../host/debian-packages.js";

export class HostPackagesError extends XpkgsError {
  override name = "HostPackagesError";
}

/** The unmet requirements of a derivation and of its direct inputs. */
export function unmetOf(drv: Derivation, load: (p: string) => Derivation): UnmetRequirement[] {
  const words = [drv.env.requiredDebianPackages ?? ""];
  for (const input of Object.keys(drv.inputDrvs)) {
    words.push(load(input).env.requiredDebianPackages ?? "");
  }
  const seen = new Map<string, UnmetRequirement>();
  for (const u of unmetRequirements(words.join(" "))) seen.set(u.name, u);
  return [...seen.values()];
}

/** One paragraph: what is missing or changed, for what, and the command that fixes it. */
export function hostPackagesMessage(unmet: UnmetRequirement[], what: string[]): HostPackagesError {
  const missing = unmet.filter((u) => u.installed === null);
  const changed = unmet.filter((u) => u.installed !== null);
  const parts: string[] = [];
  if (missing.length > 0) {
    parts.push(
      `${what.length === 1 ? what[0] : `${what.length} derivations (${what.slice(0, 3).join(", ")}${what.length > 3 ? ", …" : ""})`} ` +
        `need${what.length === 1 ? "s" : ""} Debian packages that this machine does not have: ` +
        `${missing.map((u) => u.name).join(", ")}. Install them first (as root): ` +
        `apt-get install ${missing.map((u) => u.name).join(" ")}` +
        " (or: xpkgs doctor --install). Nothing was built.",
    );
  }
  if (changed.length > 0) {
    parts.push(
      `${changed.map((u) => `${u.name} is installed at ${u.installed}, not ${u.wanted}`).join("; ")}: ` +
        "the derivations were evaluated against other versions. Run the command again, so that " +
        "they are evaluated against what is installed now.",
    );
  }
  return new HostPackagesError(parts.join(" "));
}
