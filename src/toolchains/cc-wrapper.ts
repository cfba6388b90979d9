/**
 * The compiler wrapper: a store derivation of small scripts with
 * target-prefixed names (`aarch64-unknown-linux-musl-gcc`…) that call the
 * host-installed compiler with the flags the platform needs. This is where
 * the hard flags live, once for every package: `-static` on every link
 * (libtool drops it from LDFLAGS), the musl specs, the platform's -march and
 * ABI flags, and the `-isystem`/`-L` of buildInputs from NIX_CFLAGS_COMPILE
 * and NIX_LDFLAGS (CPPFLAGS at the top of a tree often never reach its
 * subdirectories; the wrapper's flags always do).
 */
import type { Derivation } from "../derivation/derivation.js";
import type { Platform } from "../systems/elaborate.js";
import { type TreeEntry, writeTree } from "../stdenv/write-tree.js";
import type { HostToolchain } from "./detect.js";

export type WrapperLibc =
  | { kind: "glibc" }
  /** musl from the store: `specs` is its gcc specs file. */
  | { kind: "musl"; muslOut: string; muslDrvPath: string; specs: string }
  /**
   * No libc flags at all: for building libc itself. `libgcc`, when the
   * platform needs its own (libgcc.ts), comes before gcc's: `-B` puts its
   * directory first among the places gcc looks for libgcc.a and the start files.
   */
  | { kind: "bare"; libgcc?: { out: string; drvPath: string } };

export interface WrapperSpec {
  host: Platform;
  /** True when host and build are the same platform: the wrapper also gets unprefixed names. */
  native: boolean;
  toolchain: HostToolchain;
  libc: WrapperLibc;
  /** Which environment variables carry the package's flags: the host's or the build machine's. */
  role: "host" | "build";
  /** The Nix system double of the machine that builds the wrapper. */
  buildSystem: string;
}

export const binutilsTools = [
  "ar",
  "as",
  "ld",
  "nm",
  "objcopy",
  "objdump",
  "ranlib",
  "readelf",
  "size",
  "strings",
  "strip",
  "addr2line",
  "c++filt",
  "elfedit",
];

/** -march, -mfpu… from the platform (Nixpkgs' `platform.gcc`). */
export function platformCompilerFlags(p: Platform): string[] {
  const g = p.gcc;
  const flags: string[] = [];
  if (g.arch !== undefined) flags.push(`-march=${g.arch}`);
  if (g.cpu !== undefined) flags.push(`-mcpu=${g.cpu}`);
  if (g.tune !== undefined) flags.push(`-mtune=${g.tune}`);
  if (g.fpu !== undefined) flags.push(`-mfpu=${g.fpu}`);
  if (g.float !== undefined && p.isAarch32) flags.push(`-mfloat-abi=${g.float}`);
  if (g.abi !== undefined) flags.push(`-mabi=${g.abi}`);
  // musl's PowerPC ports have a 64-bit long double; Debian's gcc defaults to 128-bit.
  if (p.isPower && p.isMusl) flags.push("-mlong-double-64");
  // Before ARMv7 there is no Thumb-2, and Thumb-1 cannot use the hard-float
  // ABI; Debian's armhf gcc defaults to Thumb, so ask for ARM code.
  if (p.isAarch32 && Number(p.parsed.cpu.version ?? "7") < 7 && g.float === "hard")
    flags.push("-marm");
  return flags;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=,+:@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function compilerScript(spec: WrapperSpec, real: string, language: "c" | "c++" | "cpp"): string {
  const { host, libc, role } = spec;
  const cflags = role === "host" ? "NIX_CFLAGS_COMPILE" : "NIX_CFLAGS_COMPILE_FOR_BUILD";
  const ldflags = role === "host" ? "NIX_LDFLAGS" : "NIX_LDFLAGS_FOR_BUILD";
  const before = [...platformCompilerFlags(host)];
  if (libc.kind === "musl") before.push(`-specs=${libc.specs}`);
  // musl's specs do the same for its programs (a self_spec -B: musl.ts).
  if (libc.kind === "bare" && libc.libgcc !== undefined) before.push(`-B${libc.libgcc.out}/lib/`);
  const linkFlags: string[] = [];
  if (libc.kind === "glibc" && !host.isStatic)
    linkFlags.push(`-Wl,-dynamic-linker,${host.dynamicLinker}`);
  const lines = [
    "#!/bin/bash",
    `# xpkgs ${language} compiler for ${host.config} (${libc.kind}${host.isStatic ? ", static" : ""}), role ${role}`,
    "set -u",
    "link=1",
    "shared=0",
    '[ "$#" -eq 0 ] && link=0',
    'for a in "$@"; do',
    '  case "$a" in',
    "    -c | -S | -E | -M | -MM | -fsyntax-only | --version | -v | -dumpversion | -dumpmachine | -print-*) link=0 ;;",
    "    -shared) shared=1 ;;",
    "  esac",
    "done",
    language === "cpp" ? "link=0" : "",
    `args=(${before.map(shellQuote).join(" ")})`,
    `args+=(\${${cflags}-})`,
    'args+=("$@")',
    'if [ "$link" = 1 ]; then',
    `  args+=(\${${ldflags}-})`,
    ...(host.isStatic ? ['  [ "$shared" = 0 ] && args+=(-static)'] : []),
    ...(linkFlags.length > 0
      ? [`  [ "$shared" = 0 ] && args+=(${linkFlags.map(shellQuote).join(" ")})`]
      : []),
    "fi",
    `exec ${shellQuote(real)} "\${args[@]}"`,
    "",
  ];
  return lines.filter((l) => l !== "").join("\n") + "\n";
}

function refusal(message: string): string {
  return `#!/bin/bash\necho ${shellQuote(`xpkgs: ${message}`)} >&2\nexit 1\n`;
}

/** The wrapper derivation for a toolchain. */
export function ccWrapper(spec: WrapperSpec): Derivation {
  const { host, toolchain: tc, libc } = spec;
  const prefix = `${host.config}-`;
  const version = tc.cc.version.split(" ").pop() ?? "";
  const entries: TreeEntry[] = [];
  const names = (tool: string): string[] =>
    spec.native ? [`${prefix}${tool}`, tool] : [`${prefix}${tool}`];
  const ccPath = tc.cc.path;
  const cppPath = ccPath.replace(/gcc$/, "cpp");
  const gcc = compilerScript(spec, ccPath, "c");
  for (const n of [...names("gcc"), ...names("cc")])
    entries.push({ path: `bin/${n}`, content: gcc, executable: true });
  entries.push(
    ...names("cpp").map((n) => ({
      path: `bin/${n}`,
      content: compilerScript(spec, cppPath, "cpp"),
      executable: true,
    })),
  );
  let cxx: string;
  if (libc.kind === "musl") {
    cxx = refusal(
      `C++ on musl is not supported yet: Debian's cross g++ links a libstdc++ built for glibc, so the binary ` +
        `would be broken. Build this package in a glibc package set (without pkgsStatic/pkgsMusl) until ` +
        `xpkgs has a from-source musl toolchain.`,
    );
  } else if (tc.cxx === null) {
    cxx = refusal(
      `no C++ compiler for ${host.config}: install Debian's ${tc.cxxPackage} as root (apt-get install ${tc.cxxPackage}).`,
    );
  } else {
    cxx = compilerScript(spec, tc.cxx.path, "c++");
  }
  for (const n of [...names("g++"), ...names("c++")])
    entries.push({ path: `bin/${n}`, content: cxx, executable: true });
  for (const tool of binutilsTools) {
    for (const n of names(tool))
      entries.push({ path: `bin/${n}`, target: `/usr/bin/${tc.toolPrefix}${tool}` });
  }
  const kind = libc.kind === "bare" ? "-bare" : "";
  const name = `${spec.native ? "" : prefix}gcc${kind}-wrapper-${version}`;
  const env: Record<string, string> = {
    // The identity of the host-installed compiler: a change here rebuilds everything.
    compilerPath: tc.cc.realPath,
    compilerVersion: tc.cc.version,
    compilerSha256: tc.cc.sha256,
    linkerVersion: tc.ld.version,
    linkerSha256: tc.ld.sha256,
    cxxCompiler: tc.cxx === null ? "" : `${tc.cxx.realPath} ${tc.cxx.sha256}`,
    hostPlatform: host.config,
  };
  const inputDrvs: Record<string, string[]> = {};
  if (libc.kind === "musl") inputDrvs[libc.muslDrvPath] = ["out"];
  if (libc.kind === "bare" && libc.libgcc !== undefined) inputDrvs[libc.libgcc.drvPath] = ["out"];
  return writeTree(name, spec.buildSystem, entries, env, inputDrvs);
}
