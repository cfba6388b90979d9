/**
 * A package set: every package built on one build platform for one host
 * platform. Sets are memoised by their elaborated host platform, so two
 * attribute paths that mean the same platform give the very same set.
 */
import type { Derivation } from "../derivation/derivation.js";
import { type DerivationGraph, type FinalDerivation } from "../derivation/graph.js";
import { XpkgsError, didYouMean } from "../errors.js";
import { type Platform } from "../systems/elaborate.js";
import { standInRecipes, type Recipe } from "./stand-in.js";

export interface Package {
  attrName: string;
  pname: string;
  version: string;
  name: string;
  drvPath: string;
  drv: Derivation;
  outputs: Record<string, string>;
  buildPlatform: Platform;
  hostPlatform: Platform;
  standIn: boolean;
}

export class UnknownAttributeError extends XpkgsError {
  override name = "UnknownAttributeError";
}

export class PackageSet {
  private readonly built = new Map<string, Package>();

  constructor(
    readonly buildPlatform: Platform,
    readonly hostPlatform: Platform,
    readonly graph: DerivationGraph,
    private readonly recipes: Readonly<Record<string, Recipe>> = standInRecipes,
  ) {}

  get isCross(): boolean {
    return this.buildPlatform.key !== this.hostPlatform.key;
  }

  packageNames(): string[] {
    return Object.keys(this.recipes).sort();
  }

  /** Nixpkgs' full name: `hello-static-aarch64-unknown-linux-musl-2.10`. */
  fullName(pname: string, version: string): string {
    const staticMark = this.hostPlatform.isStatic ? "-static" : "";
    const hostMark = this.isCross ? `-${this.hostPlatform.config}` : "";
    return `${pname}${staticMark}${hostMark}${version === "" ? "" : `-${version}`}`;
  }

  addDerivation(draft: Derivation): FinalDerivation {
    return this.graph.add(draft);
  }

  /** The package `attrName`; `otherNames` are also suggested when it is unknown. */
  package(attrName: string, context = "", otherNames: string[] = []): Package {
    const cached = this.built.get(attrName);
    if (cached !== undefined) return cached;
    const recipe = Object.prototype.hasOwnProperty.call(this.recipes, attrName)
      ? this.recipes[attrName]
      : undefined;
    if (recipe === undefined) {
      throw new UnknownAttributeError(
        `There is no package '${attrName}'${context === "" ? "" : ` in ${context}`}.` +
          didYouMean(attrName, [...this.packageNames(), ...otherNames]) +
          ` Known packages: ${this.packageNames().join(", ")}.`,
      );
    }
    const made = recipe(this);
    const final = this.graph.add(made.drv);
    const pkg: Package = {
      attrName,
      pname: made.pname,
      version: made.version,
      name: final.drv.name,
      drvPath: final.drvPath,
      drv: final.drv,
      outputs: Object.fromEntries(Object.entries(final.drv.outputs).map(([id, o]) => [id, o.path])),
      buildPlatform: this.buildPlatform,
      hostPlatform: this.hostPlatform,
      standIn: made.standIn,
    };
    this.built.set(attrName, pkg);
    return pkg;
  }
}
