/**
 * Linux kernel headers (linux/, asm/, asm-generic/…) for a platform, copied
 * into the store from Debian's linux-libc-dev packages (the cross ones live
 * under /usr/<triple>/include). musl's sysroot takes them in; programs such
 * as busybox need them. The package's Debian version is the identity.
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import type { Derivation } from "../derivation/derivation.js";
import type { Platform } from "../systems/elaborate.js";
import { debianArchOfTriple, debianTriple } from "./debian-cross.js";
import { MissingToolchainError, cachedHostFact } from "./detect.js";

const headerDirs = [
  "linux",
  "asm-generic",
  "drm",
  "misc",
  "mtd",
  "rdma",
  "scsi",
  "sound",
  "video",
  "xen",
];

const versions = new Map<string, string | null>();
function installedVersion(pkg: string): string | null {
  // dpkg's status file changes whenever a package is installed or removed.
  let stamp = "";
  try {
    const st = statSync("/var/lib/dpkg/status");
    stamp = `${st.ino} ${st.size} ${st.mtimeMs}`;
  } catch {
    stamp = "no-dpkg";
  }
  if (!versions.has(pkg)) {
    versions.set(
      pkg,
      cachedHostFact(`dpkg ${pkg} ${stamp}`, () => queryVersion(pkg)),
    );
  }
  return versions.get(pkg) ?? null;
}

function queryVersion(pkg: string): string | null {
  try {
    const v = execFileSync("dpkg-query", ["-W", "-f", "${Version}", pkg], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return v === "" ? null : v;
  } catch {
    return null;
  }
}

export function linuxHeaders(
  host: Platform,
  build: Platform,
): { drv: Derivation; version: string } {
  const triple = debianTriple(host);
  if (triple === null)
    throw new MissingToolchainError(
      `No kernel headers for ${host.config}: Debian has no packages for this CPU.`,
    );
  const native = triple === debianTriple(build);
  const pkg = native ? "linux-libc-dev" : `linux-libc-dev-${debianArchOfTriple[triple]}-cross`;
  const includeDir = native ? "/usr/include" : `/usr/${triple}/include`;
  const asmDir = native ? `/usr/include/${triple}/asm` : `${includeDir}/asm`;
  const debVersion = installedVersion(pkg);
  if (debVersion === null || !existsSync(`${includeDir}/linux/version.h`) || !existsSync(asmDir)) {
    throw new MissingToolchainError(
      `The Linux kernel headers for ${host.config} are not installed. Install them as root: apt-get install ${pkg}`,
    );
  }
  const version = debVersion.replace(/^\d+:/, "").split("-")[0]!;
  const name = `linux-headers${native ? "" : `-${host.linuxArch}`}-${version}`;
  const script = `set -eu
export PATH=/usr/bin:/bin
mkdir -p "$out/include"
for d in ${headerDirs.join(" ")}; do
  if [ -d "${includeDir}/$d" ]; then cp -r "${includeDir}/$d" "$out/include/"; fi
done
cp -r "${asmDir}" "$out/include/asm"
`;
  return {
    version,
    drv: {
      name,
      outputs: { out: { path: "", hashAlgo: "", hash: "" } },
      inputDrvs: {},
      inputSrcs: [],
      system: build.system,
      builder: "/bin/bash",
      args: ["-c", script],
      env: {
        name,
        builder: "/bin/bash",
        system: build.system,
        out: "",
        debianPackage: `${pkg} ${debVersion}`,
      },
    },
  };
}
