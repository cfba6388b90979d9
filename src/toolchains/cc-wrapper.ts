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
import { type HostToolchain, MissingToolchainError } from "./detect.js";
import { toolchainFeature } from "../remote/toolchain-features.js";
import { cxxIncludeDirs } from "./libstdcxx.js";

export type WrapperLibc =
  | { kind: "glibc" }
  /** musl from the store: `specs` is its gcc specs file. */
  | {
      kind: "musl";
      muslOut: string;
      muslDrvPath: string;
      specs: string;
      /** libatomic from the store (libatomic.ts), where C links take it: `ownLibatomic`. */
      libatomic?: { out: string; drvPath: string };
    }
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
  // Debian's PowerPC gcc answers __builtin_cpu_supports from glibc's copy of the hwcaps
  // in the thread block (it links __parse_hwcap_and_convert_at_platform, glibc's), and
  // says so with __BUILTIN_CPU_SUPPORTS__; musl has no such copy. Code that checks the
  // macro (libstdc++'s random_device, for POWER9's darn) then takes its portable path.
  if (p.isPower && p.isMusl) flags.push("-U__BUILTIN_CPU_SUPPORTS__");
  // Debian's aarch64 gcc calls atomics out of line (libgcc's __aarch64_cas4…), whose
  // start-up code asks __getauxval for the CPU's features: musl's libc.a has it, but its
  // libc.so keeps it hidden, so a dynamic program using an atomic would not link. Inline
  // LL/SC atomics run on every ARMv8 CPU.
  if (p.isAarch64 && p.isMusl) flags.push("-mno-outline-atomics");
  // Before ARMv7 there is no Thumb-2, and Thumb-1 cannot use the hard-float
  // ABI; Debian's armhf gcc defaults to Thumb, so ask for ARM code.
  if (p.isAarch32 && Number(p.parsed.cpu.version ?? "7") < 7 && g.float === "hard")
    flags.push("-marm");
  return flags;
}

/**
 * ARM's 8-byte exclusive load and store (LDREXD/STREXD) came with ARMv6K; gcc
 * uses them in ARM state from ARMv6K and in either state from ARMv7.
 */
function armHasLdrexd(p: Platform): boolean {
  // A bare `arm` names no version: Debian's compilers then default to ARMv5T (armel) or
  // ARMv7 (armhf), so the float ABI tells.
  const v = Number(p.parsed.cpu.version ?? (p.gcc.float === "hard" ? "7" : "5"));
  return v >= 7 || (v === 6 && /^armv6(k|zk)/.test(p.gcc.arch ?? ""));
}

/** CPUs with no 8-byte atomic instructions, whose compilers call libatomic for them. */
export function lacksAtomics8(p: Platform): boolean {
  const bits = p.parsed.cpu.bits;
  return (
    (p.isMips && bits === 32) ||
    (p.isPower && bits === 32) ||
    p.isM68k ||
    (p.isAarch32 && !armHasLdrexd(p))
  );
}

/**
 * Where a musl set's `-latomic` finds libatomic built in the store (libatomic.ts, an
 * archive of PIC objects) rather than Debian's. A program may ask for it itself: OpenSSL's
 * Configure links `-latomic` on 32-bit ARM, MIPS and PowerPC. Static sets: on 32-bit ARM,
 * whose Debian archives answer some calls through IFUNC symbols (ARMv7 code, chosen at
 * load time, which musl never does); 32-bit MIPS' and PowerPC's and m68k's archives hold
 * no IFUNC and serve. Dynamic sets: wherever a link may ask for it, since what gcc
 * finds first there is Debian's `libatomic.so`, built against glibc, which a program
 * would then need at run time, and which no musl device has. That is the CPUs above, and
 * RISC-V, whose gcc links `--as-needed -latomic` with every `-pthread` (its 1- and
 * 2-byte atomics are calls).
 */
export function ownLibatomic(p: Platform): boolean {
  if (!p.isMusl) return false;
  return p.isStatic ? p.isAarch32 : p.isAarch32 || p.isRiscV || lacksAtomics8(p);
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=,+:@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What a C++ wrapper adds for libstdc++ on musl: its headers and library, or none yet. */
export type CxxRuntime =
  /** libstdc++ from the store (libstdcxx.ts). */
  | { kind: "libstdcxx"; out: string; drvPath: string }
  /**
   * For building libstdc++ itself: links take an empty libstdc++.a (beside the script), so
   * configure's link tests never pick up Debian's, which is glibc's.
   */
  | { kind: "bootstrap" };

function compilerScript(
  spec: WrapperSpec,
  real: string,
  language: "c" | "c++" | "cpp",
  cxx: CxxRuntime | null = null,
): string {
  const { host, libc, role } = spec;
  const cflags = role === "host" ? "NIX_CFLAGS_COMPILE" : "NIX_CFLAGS_COMPILE_FOR_BUILD";
  const ldflags = role === "host" ? "NIX_LDFLAGS" : "NIX_LDFLAGS_FOR_BUILD";
  const before = [...platformCompilerFlags(host)];
  if (libc.kind === "musl") before.push(`-specs=${libc.specs}`);
  // Before gcc's own directory, where Debian keeps its libatomic.a: a program's own
  // -latomic finds this one.
  if (libc.kind === "musl" && libc.libatomic !== undefined && cxx === null)
    before.push(`-L${libc.libatomic.out}/lib`);
  // musl's specs do the same for its programs (a self_spec -B: musl.ts).
  if (libc.kind === "bare" && libc.libgcc !== undefined) before.push(`-B${libc.libgcc.out}/lib/`);
  const linkFlags: string[] = [];
  // libstdc++'s headers go before musl's and gcc's (its <cstdlib> and <cmath> use
  // #include_next): command-line -isystem comes first in cc1plus. Its -L comes before
  // gcc's own directory, where Debian keeps its glibc libstdc++.a.
  const cxxLinkLines: string[] = [];
  if (cxx?.kind === "libstdcxx") {
    for (const d of cxxIncludeDirs(cxx.out, host.config)) before.push("-isystem", d);
    // On every call, so that what libtool and CMake read from `g++ -v` names it first too.
    before.push(`-L${cxx.out}/lib`);
    cxxLinkLines.push(`  args+=(${shellQuote(`${cxx.out}/lib/xpkgs-dl-find-object.o`)})`);
    // After the program's own objects and libraries: an archive gives only what is used.
    cxxLinkLines.push("  args+=(-latomic)");
  } else if (cxx?.kind === "bootstrap") {
    cxxLinkLines.push('  args+=(-L"${BASH_SOURCE[0]%/bin/*}/lib/no-libstdc++")');
  }
  if (libc.kind === "glibc" && !host.isStatic)
    linkFlags.push(`-Wl,-dynamic-linker,${host.dynamicLinker}`);
  // 8-byte atomics on CPUs that have none (32-bit MIPS and PowerPC, m68k, ARM before
  // ARMv6K) are calls into libatomic: openssl's libcrypto makes them, and rsync and socat
  // link it with a bare -lcrypto. Needed only by programs that call it: for glibc Debian's,
  // as-needed, so no other program records it. A static musl C link there takes an archive,
  // which gives only the members a program uses: Debian's, which holds no IFUNC on those
  // CPUs, but on ARM, whose archive does (musl would not resolve them), the one built in
  // the store (its -L above). A dynamic musl program takes the store's archive too, never
  // Debian's glibc libatomic.so (`ownLibatomic`). C++ links take the one built with
  // libstdc++ (above).
  if (libc.kind === "glibc")
    cxxLinkLines.push("  args+=(-Wl,--push-state,--as-needed -latomic -Wl,--pop-state)");
  else if (libc.kind === "musl" && cxx === null && lacksAtomics8(host)) {
    if (host.isStatic) cxxLinkLines.push('  [ "$shared" = 0 ] && args+=(-latomic)');
    // Shared libraries too: one that is dlopen'ed, or linked with --no-undefined (meson's
    // b_lundef), must hold what it calls. The archive is position-independent.
    else if (libc.libatomic !== undefined) cxxLinkLines.push("  args+=(-latomic)");
  }
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
    ...cxxLinkLines,
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
      `this build compiles C++, but its recipe did not ask for it: on musl, C++ needs a libstdc++ built ` +
        `for ${host.config}, as Debian ships only glibc ones. Add "cxx: true" to the mkDerivation ` +
        `attributes of the recipe: the set then builds libstdc++ from the source of gcc once, and g++ links with it.`,
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
    // What builds with this compiler require of a machine (src/remote/toolchain-features.ts).
    xpkgsToolchainFeature: toolchainFeature(tc.cc.realPath),
    compilerVersion: tc.cc.version,
    compilerSha256: tc.cc.sha256,
    linkerVersion: tc.ld.version,
    linkerSha256: tc.ld.sha256,
    cxxCompiler: tc.cxx === null ? "" : `${tc.cxx.realPath} ${tc.cxx.sha256}`,
    hostPlatform: host.config,
  };
  const inputDrvs: Record<string, string[]> = {};
  if (libc.kind === "musl") inputDrvs[libc.muslDrvPath] = ["out"];
  if (libc.kind === "musl" && libc.libatomic !== undefined)
    inputDrvs[libc.libatomic.drvPath] = ["out"];
  if (libc.kind === "bare" && libc.libgcc !== undefined) inputDrvs[libc.libgcc.drvPath] = ["out"];
  return writeTree(name, spec.buildSystem, entries, env, inputDrvs);
}

/**
 * The C++ wrapper of a musl platform: `<triple>-g++` and `<triple>-c++` (also
 * unprefixed when native) with the C wrapper's flags, and libstdc++ from the
 * store (or, to build that, the bootstrap). Builds that ask for C++ (`cxx:
 * true`) find it on PATH before the C wrapper, whose g++ refuses.
 */
export function cxxWrapper(spec: WrapperSpec, runtime: CxxRuntime): Derivation {
  const { host, toolchain: tc } = spec;
  if (tc.cxx === null) {
    throw new MissingToolchainError(
      `This package compiles C++ (cxx: true), but the C++ compiler for ${host.config} is not ` +
        `installed: xpkgs uses Debian's ${tc.cxxPackage} ('${tc.toolPrefix}g++'). Install it as root: ` +
        `apt-get install ${tc.cxxPackage} (or 'xpkgs doctor --install ${host.config}').`,
    );
  }
  const prefix = `${host.config}-`;
  const names = (tool: string): string[] =>
    spec.native ? [`${prefix}${tool}`, tool] : [`${prefix}${tool}`];
  const script = compilerScript(spec, tc.cxx.path, "c++", runtime);
  const entries: TreeEntry[] = [...names("g++"), ...names("c++")].map((n) => ({
    path: `bin/${n}`,
    content: script,
    executable: true,
  }));
  // An empty archive: ar's magic and no members.
  if (runtime.kind === "bootstrap")
    entries.push({ path: "lib/no-libstdc++/libstdc++.a", content: "!<arch>\n" });
  const version = tc.cxx.version.split(" ").pop() ?? "";
  const kind = runtime.kind === "bootstrap" ? "-bootstrap" : "";
  const name = `${spec.native ? "" : prefix}g++${kind}-wrapper-${version}`;
  const inputDrvs: Record<string, string[]> = {};
  if (spec.libc.kind === "musl") inputDrvs[spec.libc.muslDrvPath] = ["out"];
  if (runtime.kind === "libstdcxx") inputDrvs[runtime.drvPath] = ["out"];
  const env: Record<string, string> = {
    cxxCompiler: `${tc.cxx.realPath} ${tc.cxx.sha256}`,
    xpkgsToolchainFeature: toolchainFeature(tc.cxx.realPath),
    cxxCompilerVersion: tc.cxx.version,
    hostPlatform: host.config,
  };
  return writeTree(name, spec.buildSystem, entries, env, inputDrvs);
}
