/**
 * Which host-installed compiler serves a platform, and its identity: the
 * resolved path, the first line of `--version`, and a hash of the driver
 * binary. The identity goes into the wrapper derivation, so a compiler
 * upgrade changes every store path built with it.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
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

export function toolIdentity(path: string): ToolIdentity {
  let id = identities.get(path);
  if (id === undefined) {
    const realPath = realpathSync(path);
    const version = execFileSync(path, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim();
    const sha256 = createHash("sha256").update(readFileSync(realPath)).digest("hex");
    id = { path, realPath, version, sha256 };
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
