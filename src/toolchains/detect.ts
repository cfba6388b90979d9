/**
 * Which host-installed compiler serves a platform, and its identity: the
 * resolved path, the first line of `--version`, and a hash of the driver
 * binary. The identity goes into the wrapper derivation, so a compiler
 * upgrade changes every store path built with it.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { findProgram } from "../host/find-program.js";
import type { Platform } from "../systems/elaborate.js";
import { existsSync } from "node:fs";
import { debianPackagesFor, debianTriple } from "./debian-cross.js";

export class MissingToolchainError extends XpkgsError {
  override name = "MissingToolchainError";
}

export interface ToolIdentity {
  path: string;
  realPath: string;
  version: string;
  sha256: string;
}

const identities = new Map<string, ToolIdentity>();

/**
 * Identities survive between runs in a small cache file, keyed by the tool's
 * path, inode, size and mtime: running `--version` and hashing every driver
 * on each evaluation would cost more than the evaluation itself.
 */
function identityCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XPKGS_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "xpkgs");
  return join(base, "tool-identities.json");
}

let diskCache: Record<string, ToolIdentity> | null = null;
function loadDiskCache(): Record<string, ToolIdentity> {
  if (diskCache === null) {
    try {
      diskCache = JSON.parse(readFileSync(identityCacheFile(), "utf8")) as Record<
        string,
        ToolIdentity
      >;
    } catch {
      diskCache = {};
    }
  }
  return diskCache;
}

function saveDiskCache(): void {
  const file = identityCacheFile();
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify(diskCache));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/**
 * A fact about this machine (a package version, say) cached on disk under a
 * key that changes when the fact may change.
 */
export function cachedHostFact<T>(key: string, compute: () => T): T {
  const cache = loadDiskCache() as unknown as Record<string, T>;
  if (Object.prototype.hasOwnProperty.call(cache, key)) return cache[key]!;
  const value = compute();
  cache[key] = value;
  saveDiskCache();
  return value;
}

export function toolIdentity(path: string): ToolIdentity {
  let id = identities.get(path);
  if (id === undefined) {
    const realPath = realpathSync(path);
    const st = statSync(realPath);
    const key = `${path} ${realPath} ${st.ino} ${st.size} ${st.mtimeMs}`;
    const cache = loadDiskCache();
    id = cache[key];
    if (id === undefined) {
      const version = execFileSync(path, ["--version"], { encoding: "utf8" })
        .split("\n")[0]!
        .trim();
      const sha256 = createHash("sha256").update(readFileSync(realPath)).digest("hex");
      id = { path, realPath, version, sha256 };
      cache[key] = id;
      saveDiskCache();
    }
    identities.set(path, id);
  }
  return id;
}

export interface HostToolchain {
  /** Debian's triple: the prefix of its tools (`aarch64-linux-gnu`), or null for the native tools. */
  debianTriple: string;
  /** `aarch64-linux-gnu-` for cross, empty for native. */
  toolPrefix: string;
  /** The apt package that provides it. */
  aptPackage: string;
  cc: ToolIdentity;
  /** `ld --version` of the matching binutils. */
  ld: ToolIdentity;
  /** g++, when installed. */
  cxx: ToolIdentity | null;
  cxxPackage: string;
  /** Where Debian keeps the target's glibc (for `qemu -L`), or / natively. */
  sysroot: string;
}

function aptLine(pkgs: string[]): string {
  return `apt-get install ${pkgs.join(" ")}`;
}

/** The host-installed toolchain that compiles for `host` on `build`; throws with the apt line when it is missing. */
export function hostToolchain(host: Platform, build: Platform): HostToolchain {
  const triple = debianTriple(host);
  if (triple === null) {
    throw new MissingToolchainError(
      `No compiler for ${host.config}: Debian ships no cross compiler for the cpu '${host.parsed.cpu.name}'` +
        `${host.parsed.cpu.endianness === "big" && host.parsed.cpu.family === "arm" ? " in big-endian mode" : ""}, ` +
        `and xpkgs has no from-source toolchain yet. Pick another platform ('xpkgs platforms' lists them).`,
    );
  }
  const native = triple === debianTriple(build);
  const toolPrefix = native ? "" : `${triple}-`;
  const aptPackage = native ? "gcc" : `gcc-${triple}`;
  const cxxPackage = native ? "g++" : `g++-${triple}`;
  const cc = findProgram(`${toolPrefix}gcc`);
  const ld = findProgram(`${toolPrefix}ld`);
  if (cc === null || ld === null) {
    throw new MissingToolchainError(
      `The compiler for ${host.config} is not installed: xpkgs uses Debian's ${aptPackage} ` +
        `('${toolPrefix}gcc'). Install it as root: ${aptLine(debianPackagesFor(host, build))} ` +
        `(or 'xpkgs doctor --install ${host.config}').`,
    );
  }
  // glibc targets link against Debian's libc for that architecture.
  const libcDir = native ? `/usr/lib/${triple}` : `/usr/${triple}/lib`;
  if (host.isGnu && !existsSync(`${libcDir}/crt1.o`)) {
    const pkgs = debianPackagesFor(host, build);
    throw new MissingToolchainError(
      `The C library for ${host.config} is not installed: the compiler '${toolPrefix}gcc' is there, but ` +
        `${libcDir}/crt1.o is not. Install it as root: ${aptLine(pkgs)} ` +
        `(or 'xpkgs doctor --install ${host.config}').`,
    );
  }
  const cxx = findProgram(`${toolPrefix}g++`);
  return {
    debianTriple: triple,
    toolPrefix,
    aptPackage,
    cc: toolIdentity(cc),
    ld: toolIdentity(ld),
    cxx: cxx === null ? null : toolIdentity(cxx),
    cxxPackage,
    sysroot: native ? "/" : `/usr/${triple}`,
  };
}
