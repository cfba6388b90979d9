/**
 * The system feature that names a host toolchain: Debian release, the
 * package that owns the compiler driver, and its version, e.g.
 * `xpkgs-toolchain-debian12-gcc-12-aarch64-linux-gnu-12.2.0-14cross1`.
 * Derivations built with that compiler require it (`requiredSystemFeatures`),
 * so only machines with the same compiler (which list the feature) build
 * them: another gcc would fill the same store path with other bytes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { cachedHostFact } from "../toolchains/detect.js";

function debianRelease(): string {
  try {
    const v = readFileSync("/etc/debian_version", "utf8").trim();
    const major = /^(\d+)/.exec(v)?.[1];
    return major !== undefined ? `debian${major}` : `debian-${v.replace(/[^A-Za-z0-9.]+/g, "_")}`;
  } catch {
    return "nodebian";
  }
}

function owner(realPath: string): { pkg: string; version: string } | null {
  try {
    const line = execFileSync("dpkg-query", ["-S", realPath], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const pkg = line.split(":")[0]!.trim();
    const version = execFileSync("dpkg-query", ["-W", "-f", "${Version}", pkg], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return pkg !== "" && version !== "" ? { pkg, version } : null;
  } catch {
    return null;
  }
}

const memo = new Map<string, string>();

/** The feature of the compiler driver at `realPath` (resolved, e.g. /usr/bin/aarch64-linux-gnu-gcc-12). */
export function toolchainFeature(realPath: string): string {
  let f = memo.get(realPath);
  if (f === undefined) {
    let stamp = "";
    try {
      const st = statSync(realPath);
      stamp = `${st.ino} ${st.size} ${st.mtimeMs}`;
    } catch {
      stamp = "missing";
    }
    f = cachedHostFact(`toolchain-feature ${realPath} ${stamp}`, () => {
      const o = owner(realPath);
      const id =
        o !== null ? `${o.pkg}-${o.version}` : `unpackaged-${realPath.split("/").pop() ?? "cc"}`;
      return `xpkgs-toolchain-${debianRelease()}-${id}`.replace(/[^A-Za-z0-9.+_-]/g, "_");
    });
    memo.set(realPath, f);
  }
  return f;
}

/** The features of every gcc and g++ installed here (native and cross): what this machine can build. */
export function hostToolchainFeatures(): string[] {
  const drivers = new Set<string>();
  for (const name of ["gcc", "g++"]) {
    if (existsSync(`/usr/bin/${name}`)) drivers.add(realpathSync(`/usr/bin/${name}`));
  }
  for (const e of readdirSync("/usr/bin")) {
    if (/^[a-z0-9_]+-linux-gnu[a-z0-9_]*-(gcc|g\+\+)$/.test(e)) {
      try {
        drivers.add(realpathSync(`/usr/bin/${e}`));
      } catch {
        // A dangling alternative: no compiler there.
      }
    }
  }
  return [...new Set([...drivers].map(toolchainFeature))].sort();
}
