/**
 * A package set: every package built on one build platform for one host
 * platform. Sets are lazy (a package is computed when first asked for) and
 * memoised by their elaborated host platform in the universe, so two
 * attribute paths that mean the same platform give the very same set, and
 * every cross set's buildPackages is the one native set.
 */
import type { Derivation } from "../derivation/derivation.js";
import { XpkgsError, didYouMean } from "../errors.js";
import { Stdenv, type StdenvContext } from "../stdenv/make-derivation.js";
import type { Platform } from "../systems/elaborate.js";
import {
  type CxxRuntime,
  ccWrapper,
  cxxWrapper,
  ownLibatomic,
  type WrapperLibc,
} from "../toolchains/cc-wrapper.js";
import { type HostToolchain, MissingToolchainError, hostToolchain } from "../toolchains/detect.js";
import { type FetchurlArgs, fetchurl } from "./fetchurl.js";
import { type HostToolName, hostTools } from "./host-tools.js";
import { type Lib, lib } from "./lib.js";
import type { Meta, Package } from "./package.js";
import type { PackageUniverse } from "./top-level.js";

/** What every recipe receives, besides its dependencies by name (as Nixpkgs' callPackage). */
export interface RecipeBuiltins {
  stdenv: Stdenv;
  fetchurl: (args: FetchurlArgs) => Package;
  lib: Lib;
  hostPlatform: Platform;
  buildPlatform: Platform;
  /** The set whose packages run on the build machine (for nativeBuildInputs). */
  buildPackages: RecipeArgs;
  callPackage: (recipe: Recipe, overrides?: Record<string, Package>) => Package;
}

/** A recipe's argument at run time: the builtins, and any package of the set by its attribute name. */
export type RecipeArgs = RecipeBuiltins & { readonly [attr: string]: Package };

/**
 * A recipe: a function of the builtins and of the dependencies it names,
 * which it receives by name: `recipe<"zlib">(({ stdenv, zlib }) => …)`. A
 * second type argument names what it takes from buildPackages:
 * `recipe<"zlib", "file">(({ buildPackages }) => … buildPackages.file …)`.
 */
export type Recipe = (args: RecipeArgs) => Package;

export function recipe<D extends string = never, B extends string = never>(
  fn: (
    args: Omit<RecipeBuiltins, "buildPackages"> & {
      buildPackages: RecipeArgs & { readonly [K in B]: Package };
    } & { readonly [K in D | HostToolName]: Package },
  ) => Package,
): Recipe {
  return fn as unknown as Recipe;
}

export class UnknownAttributeError extends XpkgsError {
  override name = "UnknownAttributeError";
}

export class PackageSet {
  private stdenvMemo: Stdenv | null = null;
  private toolchainMemo: HostToolchain | null = null;

  constructor(
    readonly buildPlatform: Platform,
    readonly hostPlatform: Platform,
    readonly universe: PackageUniverse,
    private readonly recipes: Readonly<Record<string, Recipe>>,
  ) {}

  get isCross(): boolean {
    return this.buildPlatform.key !== this.hostPlatform.key;
  }

  /** The set whose packages run on the build machine: the one native set. */
  get buildPackages(): PackageSet {
    return this.universe.nativeSet();
  }

  packageNames(): string[] {
    const names = new Set([...Object.keys(this.recipes), ...Object.keys(hostTools)]);
    if (this.hostPlatform.isMusl) names.add("libstdcxx");
    this.overlays.forEach((_, i) =>
      Object.keys(this.overlayResult(i)).forEach((n) => names.add(n)),
    );
    return [...names].sort();
  }

  /** Nixpkgs' full name: `hello-static-aarch64-unknown-linux-musl-2.10`. */
  fullName(pname: string, version: string): string {
    const staticMark = this.hostPlatform.isStatic ? "-static" : "";
    const hostMark = this.isCross ? `-${this.hostPlatform.config}` : "";
    return `${pname}${staticMark}${hostMark}${version === "" ? "" : `-${version}`}`;
  }

  /** Finalise a derivation into a package of this set. */
  register(draft: Derivation, pname: string, version: string, meta: Meta = {}): Package {
    const final = this.universe.graph.add(draft);
    const outputs = Object.fromEntries(
      Object.entries(final.drv.outputs).map(([id, o]) => [id, o.path]),
    );
    return {
      pname,
      version,
      name: final.drv.name,
      drvPath: final.drvPath,
      drv: final.drv,
      outputs,
      out: outputs.out ?? Object.values(outputs)[0]!,
      meta,
      hostPlatform: this.hostPlatform,
      buildPlatform: this.buildPlatform,
    };
  }

  /** The argument a recipe is called with: builtins, then `overrides`, then the set's packages. */
  recipeArgs(overrides: Record<string, Package> = {}): RecipeArgs {
    const fixed: Record<string, unknown> = {
      fetchurl: (a: FetchurlArgs) => this.fetchurl(a),
      lib,
      hostPlatform: this.hostPlatform,
      buildPlatform: this.buildPlatform,
      callPackage: (r: Recipe, more?: Record<string, Package>) => this.callPackage(r, more),
    };
    // Computed only when a recipe asks: most packages never touch buildPackages.
    const lazy: Record<string, () => unknown> = {
      stdenv: () => this.stdenv,
      buildPackages: () => this.buildPackages.recipeArgs(),
    };
    return new Proxy(fixed as unknown as RecipeArgs, {
      get: (_target, prop) => {
        if (typeof prop !== "string") return undefined;
        if (Object.prototype.hasOwnProperty.call(fixed, prop)) return fixed[prop];
        if (Object.prototype.hasOwnProperty.call(lazy, prop)) return lazy[prop]!();
        if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop];
        return this.package(prop, "the recipe's arguments");
      },
    });
  }

  /**
   * Call a recipe with this set's packages as its arguments. The result can
   * be re-called with other dependencies: `pkg.override({ zlib: otherZlib })`.
   */
  callPackage(recipe: Recipe, overrides: Record<string, Package> = {}): Package {
    const pkg = recipe(this.recipeArgs(overrides));
    return {
      ...pkg,
      override: (more: Record<string, Package>) =>
        this.callPackage(recipe, { ...overrides, ...more }),
    };
  }

  fetchurl(args: FetchurlArgs): Package {
    const drv = fetchurl(args);
    return this.register(drv, drv.name, "");
  }

  get toolchain(): HostToolchain {
    this.toolchainMemo ??= hostToolchain(this.hostPlatform, this.buildPlatform);
    return this.toolchainMemo;
  }

  /** A compiler wrapper for this set's host platform. */
  ccWrapper(libc: WrapperLibc): Package {
    const drv = ccWrapper({
      host: this.hostPlatform,
      native: !this.isCross,
      toolchain: this.toolchain,
      libc,
      role: "host",
      buildSystem: this.buildPlatform.system,
    });
    return this.register(drv, drv.name, "");
  }

  /** The C++ wrapper of this musl set (cc-wrapper.ts), with libstdc++ or its bootstrap. */
  cxxWrapper(runtime: CxxRuntime): Package {
    const m = this.universe.muslFor(this.hostPlatform);
    const drv = cxxWrapper(
      {
        host: this.hostPlatform,
        native: !this.isCross,
        toolchain: this.toolchain,
        libc: {
          kind: "musl",
          muslOut: m.out,
          muslDrvPath: m.drvPath,
          specs: `${m.out}/lib/musl-gcc.specs`,
        },
        role: "host",
        buildSystem: this.buildPlatform.system,
      },
      runtime,
    );
    return this.register(drv, drv.name, "");
  }

  private cxxMemo: Package | null = null;

  /** What builds that ask for C++ get first on PATH: null where the C wrapper's g++ serves. */
  private cxxTool(): Package | null {
    if (!this.hostPlatform.isMusl) {
      // Debian's g++ serves, through the C wrapper: it must be there before anything builds.
      const tc = this.toolchain;
      if (tc.cxx === null) {
        throw new MissingToolchainError(
          `This package compiles C++ (cxx: true), but the C++ compiler for ${this.hostPlatform.config} ` +
            `is not installed: xpkgs uses Debian's ${tc.cxxPackage} ('${tc.toolPrefix}g++'). Install it ` +
            `as root: apt-get install ${tc.cxxPackage} (or 'xpkgs doctor --install ${this.hostPlatform.config}').`,
        );
      }
      return null;
    }
    if (this.cxxMemo === null) {
      const l = this.universe.libstdcxxFor(this.hostPlatform);
      this.cxxMemo = this.cxxWrapper({ kind: "libstdcxx", out: l.out, drvPath: l.drvPath });
    }
    return this.cxxMemo;
  }

  stdenvContext(
    cc: Package,
    ccForBuild: Package,
    interpreter: string | null,
    libcRoot: string | null = null,
  ): StdenvContext {
    return {
      cxx: () => this.cxxTool(),
      interpreter,
      libcRoot,
      baseTools: this.universe.baseTools(),
      emulatorTool: () => this.universe.hostTool("qemu-user")!,
      hostPlatform: this.hostPlatform,
      buildPlatform: this.buildPlatform,
      cc,
      ccForBuild,
      toolchain: this.toolchain,
      fullName: (p, v) => this.fullName(p, v),
      addText: (name, content) => this.universe.graph.addText(name, content),
      register: (draft, pname, version, meta) => this.register(draft, pname, version, meta),
    };
  }

  /**
   * The set's stdenv, with libatomic from the store where the platform needs it
   * (`ownLibatomic`); otherwise the base one.
   */
  get stdenv(): Stdenv {
    if (this.stdenvMemo === null)
      this.stdenvMemo = ownLibatomic(this.hostPlatform) ? this.makeStdenv(true) : this.baseStdenv;
    return this.stdenvMemo;
  }

  private baseStdenvMemo: Stdenv | null = null;

  /** The stdenv before libatomic from the store: what libatomic and libstdc++ build with. */
  get baseStdenv(): Stdenv {
    this.baseStdenvMemo ??= this.makeStdenv(false);
    return this.baseStdenvMemo;
  }

  private makeStdenv(withLibatomic: boolean): Stdenv {
    let libc: WrapperLibc = { kind: "glibc" };
    let interpreter: string | null = this.hostPlatform.dynamicLinker;
    const triple = this.toolchain.debianTriple;
    let libcRoot: string | null = this.isCross ? `/usr/${triple}` : null;
    if (this.hostPlatform.isMusl) {
      const m = this.universe.muslFor(this.hostPlatform);
      libc = {
        kind: "musl",
        muslOut: m.out,
        muslDrvPath: m.drvPath,
        specs: `${m.out}/lib/musl-gcc.specs`,
      };
      if (withLibatomic) {
        const a = this.universe.libatomicFor(this.hostPlatform);
        libc.libatomic = { out: a.out, drvPath: a.drvPath };
      }
      interpreter = `${m.out}/lib/${this.hostPlatform.dynamicLinker.split("/").pop()!}`;
      libcRoot = m.out;
    }
    const cc = this.ccWrapper(libc);
    const ccForBuild = this.isCross ? this.buildPackages.stdenv.cc : cc;
    return new Stdenv(this.stdenvContext(cc, ccForBuild, interpreter, libcRoot));
  }

  /** Each overlay's result in this set, computed when first needed. */
  private readonly overlayResults: (OverlayResult | undefined)[] = [];
  /** Packages by layer and name: layer 0 is the built-in recipes, layer k adds overlay k. */
  private readonly layered = new Map<string, Package>();

  private get overlays(): readonly Overlay[] {
    return this.universe.overlays;
  }

  private readonly computingOverlays = new Set<number>();

  private overlayResult(index: number): OverlayResult {
    let r = this.overlayResults[index];
    if (r === undefined) {
      if (this.computingOverlays.has(index)) {
        throw new OverlayError(
          `Overlay ${index + 1} asks for a package of the final set while its own result is ` +
            "still being computed (as `final.foo` inside the object it returns), which would " +
            "never end. Make that package a recipe, `foo: ({ stdenv, bar }) => stdenv.mkDerivation(…)`: " +
            "its arguments are looked up when it is called, after the overlay has returned.",
        );
      }
      this.computingOverlays.add(index);
      try {
        r = this.overlays[index]!(this.view(this.overlays.length), this.view(index));
      } finally {
        this.computingOverlays.delete(index);
      }
      if (typeof r !== "object" || r === null) {
        throw new OverlayError(
          `Overlay ${index + 1} did not return an object of packages; it returned ${String(r)}.`,
        );
      }
      this.overlayResults[index] = r;
    }
    return r;
  }

  /** The package `name` as layer `layer` sees it, or undefined. */
  private resolveAt(name: string, layer: number): Package | undefined {
    const key = `${layer}:${name}`;
    const known = this.layered.get(key);
    if (known !== undefined) return known;
    let pkg: Package | undefined;
    if (layer === 0) {
      const r = Object.prototype.hasOwnProperty.call(this.recipes, name)
        ? this.recipes[name]
        : undefined;
      if (r !== undefined) pkg = this.callPackage(r);
      else if (name === "libstdcxx" && this.hostPlatform.isMusl)
        pkg = this.universe.libstdcxxFor(this.hostPlatform);
      else pkg = this.universe.hostTool(name);
    } else {
      const result = this.overlayResult(layer - 1);
      if (Object.prototype.hasOwnProperty.call(result, name)) {
        const v = result[name]!;
        pkg = typeof v === "function" ? this.callPackage(v) : v;
      } else {
        pkg = this.resolveAt(name, layer - 1);
      }
    }
    if (pkg !== undefined) this.layered.set(key, pkg);
    return pkg;
  }

  /** The set as overlays see it at a layer: builtins, and packages by name (`final` or `prev`). */
  view(layer: number): RecipeArgs {
    const base = this.recipeArgs();
    return new Proxy(base, {
      get: (target, prop) => {
        if (typeof prop !== "string") return undefined;
        if (
          [
            "stdenv",
            "fetchurl",
            "lib",
            "hostPlatform",
            "buildPlatform",
            "buildPackages",
            "callPackage",
          ].includes(prop)
        ) {
          return target[prop];
        }
        const pkg = this.resolveAt(prop, layer);
        if (pkg === undefined)
          throw this.unknown(prop, layer === this.overlays.length ? "final" : "prev");
        return pkg;
      },
    });
  }

  private unknown(
    attrName: string,
    context: string,
    otherNames: string[] = [],
  ): UnknownAttributeError {
    return new UnknownAttributeError(
      `attribute '${attrName}' missing${context === "" ? "" : ` in ${context}`}.` +
        didYouMean(attrName, [...this.packageNames(), ...otherNames]) +
        ` Known packages: ${this.packageNames().join(", ")}.`,
    );
  }

  /** The package `attrName`; `otherNames` are also suggested when it is unknown. */
  package(attrName: string, context = "", otherNames: string[] = []): Package {
    const pkg = this.resolveAt(attrName, this.overlays.length);
    if (pkg === undefined) throw this.unknown(attrName, context, otherNames);
    return pkg;
  }
}

export class OverlayError extends XpkgsError {
  override name = "OverlayError";
}

/** What an overlay returns: packages, or recipes that are called with the final set. */
export type OverlayResult = Record<string, Package | Recipe>;

/** A function of the final set and the set before it, as in Nixpkgs: `(final, prev) => ({ … })`. */
export type Overlay = (final: RecipeArgs, prev: RecipeArgs) => OverlayResult;
