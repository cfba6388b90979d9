/**
 * `stdenv.mkDerivation`: a recipe's attributes become a derivation whose
 * builder is setup.sh, with the platform's compiler wrappers on PATH, the
 * cross and static flags added, and every list flattened into the
 * environment. Recipes say what to build; this file says how, once.
 */
import { readFileSync } from "node:fs";
import type { Derivation } from "../derivation/derivation.js";
import { XpkgsError, didYouMean } from "../errors.js";
import type { Meta, Package } from "../pkgs/package.js";
import type { Platform } from "../systems/elaborate.js";
import { elfArchExpectation } from "../systems/elf-arch.js";
import { binfmtFeature, binfmtRegistration, binfmtRule } from "../systems/binfmt.js";
import { programRunner } from "../toolchains/runner.js";
import type { HostToolchain } from "../toolchains/detect.js";
import { staticAdapter } from "./adapters.js";
import { configSite } from "./config-site.js";
import { cmakeSystemProcessor, mesonCrossFile } from "./cross-files.js";

export interface MkDerivationArgs extends Partial<Record<HookName, string>> {
  pname: string;
  version: string;
  /** A fetched source (a package) or a store path. */
  src?: Package | string;
  /** Tools that run during the build: taken from buildPackages. */
  nativeBuildInputs?: Package[];
  /** Libraries linked into the result: taken from the set itself. */
  buildInputs?: Package[];
  outputs?: string[];
  configureFlags?: string[];
  makeFlags?: string[];
  installFlags?: string[];
  checkFlags?: string[];
  cmakeFlags?: string[];
  mesonFlags?: string[];
  patches?: string[];
  /**
   * Answers for configure tests that cannot run while cross compiling (`ac_cv_…`), written
   * to config.site after the platform's own answers, which they override.
   */
  configureCacheVars?: Record<string, string>;
  /**
   * The package compiles C++. glibc sets always have g++ (Debian's libstdc++); in musl sets
   * this puts the C++ wrapper on PATH, with a libstdc++ built for the platform (built once
   * per platform, so C-only packages never wait for it).
   */
  cxx?: boolean;
  /** For configure scripts that are not autoconf's and refuse --enable-static/--disable-shared. */
  dontAddStaticConfigureFlags?: boolean;
  /** Which of --build/--host/--target a cross configure gets (default build and host). */
  configurePlatforms?: ("build" | "host" | "target")[];
  /** Default true: make -j$NIX_BUILD_CORES. */
  enableParallelBuilding?: boolean;
  /** Run the check phase when the build machine can run the host's programs. */
  doCheck?: boolean;
  /** Also run it under qemu-user when it cannot. */
  doCheckWithEmulator?: boolean;
  /**
   * The build runs programs it has built (a generator, help2man on the new program): in a
   * cross build, the host platform's executables run under qemu with the platform's CPU
   * model, through a binfmt_misc rule of the sandbox's own (src/systems/binfmt.ts).
   */
  emulateHostPrograms?: boolean;
  dontStrip?: boolean;
  /** Skip the check that every ELF output is for the host machine (and static when asked). */
  dontCheckElf?: boolean;
  dontConfigure?: boolean;
  dontBuild?: boolean;
  dontInstall?: boolean;
  dontFixup?: boolean;
  dontUnpack?: boolean;
  /** The folder to build in, from the unpacked source's top (`squashfs-tools-4.5.1/squashfs-tools`). */
  sourceRoot?: string;
  // Shell code: hooks (preConfigure, postInstall…) and phase replacements (buildPhase…), as
  // top-level attributes in Nixpkgs' names (from HookName above).
  /** The same hooks gathered in one record (an older spelling; the top-level names win). */
  hooks?: Partial<Record<HookName, string>>;
  /** Extra environment variables; a package stands for its output path (and becomes an input). */
  env?: Record<string, string | Package>;
  meta?: Meta;
}

export const hookNames = [
  "preUnpack",
  "postUnpack",
  "prePatch",
  "postPatch",
  "preConfigure",
  "postConfigure",
  "preBuild",
  "postBuild",
  "preCheck",
  "postCheck",
  "preInstall",
  "postInstall",
  "preFixup",
  "postFixup",
  "unpackPhase",
  "patchPhase",
  "configurePhase",
  "buildPhase",
  "checkPhase",
  "installPhase",
  "fixupPhase",
] as const;

/** Every attribute mkDerivation takes: anything else is refused (a typo would be ignored). */
const knownAttributes = new Set<string>([
  ...hookNames,
  "pname",
  "version",
  "src",
  "nativeBuildInputs",
  "buildInputs",
  "outputs",
  "configureFlags",
  "makeFlags",
  "installFlags",
  "checkFlags",
  "cmakeFlags",
  "mesonFlags",
  "patches",
  "configureCacheVars",
  "cxx",
  "dontAddStaticConfigureFlags",
  "configurePlatforms",
  "enableParallelBuilding",
  "doCheck",
  "doCheckWithEmulator",
  "emulateHostPrograms",
  "dontStrip",
  "dontCheckElf",
  "dontConfigure",
  "dontBuild",
  "dontInstall",
  "dontFixup",
  "dontUnpack",
  "sourceRoot",
  "hooks",
  "env",
  "meta",
]);

export type HookName = (typeof hookNames)[number];

/** What a stdenv needs from the package set it belongs to. */
export interface StdenvContext {
  hostPlatform: Platform;
  buildPlatform: Platform;
  /** The compiler wrapper for the host platform. */
  cc: Package;
  /** The C++ wrapper builds with `cxx: true` get first on PATH; null where `cc`'s g++ serves. */
  cxx: () => Package | null;
  /** The compiler wrapper for the build platform (native, unprefixed names). */
  ccForBuild: Package;
  toolchain: HostToolchain;
  /** The tools every build sees (coreutils, sed, make…): host-tools.ts's base. */
  baseTools: Package;
  /** qemu-user as a host tool: on PATH in builds that run host programs under it. */
  emulatorTool: () => Package;
  /** Where the host's C library lives (a cross find root for CMake), or null natively. */
  libcRoot: string | null;
  /** The interpreter dynamic executables must ask for; null when not checked. */
  interpreter: string | null;
  fullName(pname: string, version: string): string;
  /** Add a text file to the store (as setup.sh is); returns its path. */
  addText(name: string, content: string): string;
  /** Turn a draft derivation into a package of this set. */
  register(draft: Derivation, pname: string, version: string, meta: Meta): Package;
}

export class RecipeError extends XpkgsError {
  override name = "RecipeError";
}

let setupScript: string | null = null;
function setupSh(): string {
  setupScript ??= readFileSync(new URL("../../src/stdenv/setup.sh", import.meta.url), "utf8");
  return setupScript;
}

function list(xs: readonly string[] | undefined): string {
  return (xs ?? []).join(" ");
}

export class Stdenv {
  constructor(private readonly ctx: StdenvContext) {}

  get hostPlatform(): Platform {
    return this.ctx.hostPlatform;
  }
  get buildPlatform(): Platform {
    return this.ctx.buildPlatform;
  }
  get cc(): Package {
    return this.ctx.cc;
  }
  /** The prefix of the host's tools: `aarch64-unknown-linux-musl-` (gcc, ar, ranlib…). */
  get toolPrefix(): string {
    return `${this.ctx.hostPlatform.config}-`;
  }

  get isCross(): boolean {
    return this.ctx.hostPlatform.key !== this.ctx.buildPlatform.key;
  }

  mkDerivation(args: MkDerivationArgs): Package {
    const unknown = Object.keys(args).filter((k) => !knownAttributes.has(k));
    if (unknown.length > 0) {
      const k = unknown[0]!;
      throw new RecipeError(
        `${args.pname ?? "a package"}: mkDerivation does not know the attribute '${k}'` +
          `${
            unknown.length > 1
              ? ` (nor ${unknown
                  .slice(1)
                  .map((u) => `'${u}'`)
                  .join(", ")})`
              : ""
          }.` +
          `${didYouMean(k, knownAttributes)} It takes: ${[...knownAttributes].sort().join(", ")}. ` +
          "Extra environment variables go in 'env'.",
      );
    }
    const host = this.hostPlatform;
    const build = this.buildPlatform;
    for (const flag of args.configureFlags ?? []) {
      if (/\s/.test(flag)) {
        throw new RecipeError(
          `${args.pname}: the configure flag '${flag}' contains whitespace; lists reach the builder space-separated, so split it.`,
        );
      }
    }
    const name = this.ctx.fullName(args.pname, args.version);
    const outputs = args.outputs ?? ["out"];
    const prefix = `${host.config}-`;
    const runner = programRunner(host, build);
    const canRun = runner !== null && runner.length === 0;
    const emulator = runner !== null && runner.length > 0 ? runner.join(" ") : null;
    const checkWithEmulator = args.doCheckWithEmulator === true && emulator !== null;
    const doCheck = args.doCheck === true && (canRun || checkWithEmulator);

    const platforms = args.configurePlatforms ?? ["build", "host"];
    const platformFlags: string[] = [];
    if (this.isCross) {
      if (platforms.includes("build")) platformFlags.push(`--build=${build.config}`);
      if (platforms.includes("host")) platformFlags.push(`--host=${host.config}`);
      if (platforms.includes("target")) platformFlags.push(`--target=${host.config}`);
    }
    const statics = staticAdapter(host);
    const tools = {
      cc: `${prefix}gcc`,
      cxx: `${prefix}g++`,
      ar: `${prefix}ar`,
      ranlib: `${prefix}ranlib`,
      strip: `${prefix}strip`,
      pkgConfig: `${prefix}pkg-config`,
      emulator,
    };
    const cmakeFlags = [...statics.cmakeFlags, ...(args.cmakeFlags ?? [])];
    const mesonFlags = [...statics.mesonFlags, ...(args.mesonFlags ?? [])];

    const inputDrvs: Record<string, string[]> = {};
    const use = (p: Package, outs: string[] = Object.keys(p.outputs)) => {
      inputDrvs[p.drvPath] = [...new Set([...(inputDrvs[p.drvPath] ?? []), ...outs])];
    };
    use(this.ctx.cc, ["out"]);
    const cxx = args.cxx === true ? this.ctx.cxx() : null;
    if (cxx !== null) use(cxx, ["out"]);
    use(this.ctx.ccForBuild, ["out"]);
    use(this.ctx.baseTools, ["out"]);
    let src = "";
    if (typeof args.src === "string") src = args.src;
    else if (args.src !== undefined) {
      use(args.src, ["out"]);
      src = args.src.out;
    }
    const nativeInputs = [...(args.nativeBuildInputs ?? [])];
    if (emulator !== null && this.isCross) nativeInputs.push(this.ctx.emulatorTool());
    for (const p of [...nativeInputs, ...(args.buildInputs ?? [])]) use(p);
    const setup = this.ctx.addText("setup.sh", setupSh());

    const extraEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(args.env ?? {})) {
      if (typeof v === "string") extraEnv[k] = v;
      else {
        use(v, ["out"]);
        extraEnv[k] = v.out;
      }
    }
    const env: Record<string, string> = {
      ...extraEnv,
      name,
      pname: args.pname,
      version: args.version,
      system: build.system,
      builder: "/bin/bash",
      outputs: outputs.join(" "),
      src,
      xpkgsHostPlatform: host.config,
      xpkgsBuildPlatform: build.config,
      xpkgsToolPath: list([
        ...(cxx !== null ? [cxx.out] : []),
        this.ctx.ccForBuild.out,
        this.ctx.cc.out,
      ]),
      xpkgsBaseTools: this.ctx.baseTools.out,
      // Only a machine with the same compilers may build this (docs/remote.md).
      requiredSystemFeatures: [
        ...new Set(
          [this.ctx.cc, this.ctx.ccForBuild, ...(cxx !== null ? [cxx] : [])]
            .map((p) => p.drv.env.xpkgsToolchainFeature)
            .filter((f): f is string => f !== undefined && f !== ""),
        ),
      ]
        .sort()
        .join(" "),
      nativeBuildInputs: list(nativeInputs.map((p) => p.out)),
      buildInputs: list(args.buildInputs?.map((p) => p.out)),
      configureFlags: list([
        ...platformFlags,
        ...(args.dontAddStaticConfigureFlags === true ? [] : statics.configureFlags),
        ...(args.configureFlags ?? []),
      ]),
      makeFlags: list(args.makeFlags),
      installFlags: list(args.installFlags),
      checkFlags: list(args.checkFlags),
      cmakeFlags: list(cmakeFlags),
      mesonFlags: list(mesonFlags),
      patches: list(args.patches),
      CC: tools.cc,
      CXX: tools.cxx,
      CPP: `${prefix}cpp`,
      AR: tools.ar,
      AS: `${prefix}as`,
      LD: `${prefix}ld`,
      NM: `${prefix}nm`,
      OBJCOPY: `${prefix}objcopy`,
      OBJDUMP: `${prefix}objdump`,
      RANLIB: tools.ranlib,
      READELF: `${prefix}readelf`,
      STRIP: tools.strip,
      CC_FOR_BUILD: "gcc",
      CXX_FOR_BUILD: "g++",
      CPP_FOR_BUILD: "cpp",
      AR_FOR_BUILD: "ar",
      LD_FOR_BUILD: "ld",
      RANLIB_FOR_BUILD: "ranlib",
      STRIP_FOR_BUILD: "strip",
      HOSTCC: "gcc",
      BUILD_CC: "gcc",
    };
    const site = configSite(host, this.isCross, args.configureCacheVars);
    if (site !== "") env.xpkgsConfigSite = site;
    if (this.isCross) {
      env.xpkgsCross = "1";
      env.xpkgsCmakeSystemName = "Linux";
      env.xpkgsCmakeSystemProcessor = cmakeSystemProcessor(host);
      if (this.ctx.libcRoot !== null) env.xpkgsLibcRoot = this.ctx.libcRoot;
      // For CMake's try_run and Meson's exe_wrapper: configure tests that can run, do.
      if (emulator !== null) env.xpkgsEmulator = emulator;
    }
    if (host.isStatic) env.xpkgsStatic = "1";
    if (this.isCross) env.mesonCrossFile = mesonCrossFile(host, tools);
    if (!host.isStatic) env.xpkgsDynamic = "1";
    if (args.dontCheckElf !== true) {
      // Checked by the builder before the outputs are registered (src/elf/verify.ts).
      env.xpkgsCheckElf = JSON.stringify({
        machine: host.elfMachine,
        static: host.isStatic,
        ...(this.ctx.interpreter !== null ? { interpreter: this.ctx.interpreter } : {}),
        ...elfArchExpectation(host),
      });
    }
    if (args.enableParallelBuilding !== false) env.enableParallelBuilding = "1";
    if (doCheck) env.doCheck = "1";
    if (checkWithEmulator && emulator !== null) env.CROSSCOMPILING_EMULATOR = emulator;
    if (args.emulateHostPrograms === true && emulator !== null) {
      const rule = binfmtRule(host);
      if (rule !== null) {
        env.xpkgsBinfmt = binfmtRegistration(rule);
        // Only xpkgs' own sandbox registers it: a Nix builder, which lacks the feature, does not take it.
        const features = new Set(env.requiredSystemFeatures!.split(" ").filter((f) => f !== ""));
        env.requiredSystemFeatures = [...features.add(binfmtFeature)].sort().join(" ");
      }
      if (host.qemuCpu !== null) env.QEMU_CPU = host.qemuCpu;
      // A dynamic glibc program's loader is in Debian's cross sysroot, as the runner's -L says.
      const sysroot = runner !== null ? runner.indexOf("-L") : -1;
      if (sysroot >= 0) env.QEMU_LD_PREFIX = runner![sysroot + 1]!;
    }
    for (const [flag, on] of [
      ["dontStrip", args.dontStrip],
      ["dontConfigure", args.dontConfigure],
      ["dontBuild", args.dontBuild],
      ["dontInstall", args.dontInstall],
      ["dontFixup", args.dontFixup],
      ["dontUnpack", args.dontUnpack],
    ] as const) {
      if (on === true) env[flag] = "1";
    }
    if (args.sourceRoot !== undefined) env.sourceRoot = args.sourceRoot;
    for (const [hook, code] of Object.entries(args.hooks ?? {})) env[hook] = code;
    for (const hook of hookNames) {
      const code = args[hook];
      if (code !== undefined) env[hook] = code;
    }
    for (const o of outputs) env[o] = "";

    const draft: Derivation = {
      name,
      outputs: Object.fromEntries(outputs.map((o) => [o, { path: "", hashAlgo: "", hash: "" }])),
      inputDrvs,
      inputSrcs: [setup],
      system: build.system,
      builder: "/bin/bash",
      args: ["-e", setup],
      env,
    };
    const pkg = this.ctx.register(draft, args.pname, args.version, args.meta ?? {});
    return {
      ...pkg,
      overrideAttrs: (f) => this.mkDerivation({ ...args, ...f(args) }),
    };
  }
}
