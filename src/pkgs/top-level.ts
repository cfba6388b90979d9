/**
 * From an attribute path to a package: walks `pkgsStatic`, `pkgsMusl`,
 * `pkgsCross.<name>` and `pkgs`, then names a package in the set reached.
 */
import { DerivationGraph } from "../derivation/graph.js";
import { didYouMean } from "../errors.js";
import { type Platform, elaboratePlatform } from "../systems/elaborate.js";
import { exampleNames, examples } from "../systems/examples.js";
import { AttrPathError, parseAttrPath } from "./attr-path.js";
import { type Package, PackageSet } from "./package-set.js";
import { type HostVariant, hostSpecOf } from "./variants.js";

const setAttributes = ["pkgs", "pkgsStatic", "pkgsMusl", "pkgsCross"];

/** All package sets of one build machine and store, memoised by host platform. */
export class PackageUniverse {
  private readonly sets = new Map<string, PackageSet>();
  readonly graph: DerivationGraph;

  constructor(
    readonly buildPlatform: Platform,
    storeDir: string,
  ) {
    this.graph = new DerivationGraph(storeDir);
  }

  setFor(variant: HostVariant): PackageSet {
    const host = elaboratePlatform(hostSpecOf(variant));
    let set = this.sets.get(host.key);
    if (set === undefined) {
      set = new PackageSet(this.buildPlatform, host, this.graph);
      this.sets.set(host.key, set);
    }
    return set;
  }

  /** The package an attribute path names. */
  resolve(attrPath: string): Package {
    const parts = parseAttrPath(attrPath);
    const variant: HostVariant = {
      base: { config: this.buildPlatform.config },
      static: false,
      musl: false,
    };
    const walked: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const here = walked.length === 0 ? "the top level" : `'${walked.join(".")}'`;
      if (part === "pkgs") {
        // `pkgs` is the set itself, as `pkgs.pkgs` is in Nixpkgs.
      } else if (part === "pkgsStatic") {
        variant.static = true;
      } else if (part === "pkgsMusl") {
        variant.musl = true;
      } else if (part === "pkgsCross") {
        const name = parts[i + 1];
        if (name === undefined) {
          throw new AttrPathError(
            `'${attrPath}' ends at pkgsCross: name a platform after it, such as ` +
              `'pkgsCross.aarch64-multiplatform.hello'. Run 'xpkgs platforms' for the list.`,
          );
        }
        const spec = Object.prototype.hasOwnProperty.call(examples, name)
          ? examples[name]
          : undefined;
        if (spec === undefined) {
          throw new AttrPathError(
            `There is no platform '${name}' in pkgsCross.${didYouMean(name, exampleNames)} ` +
              `Run 'xpkgs platforms' for the list.`,
          );
        }
        variant.base = spec;
        walked.push(part);
        i++;
        walked.push(name);
        continue;
      } else {
        const set = this.setFor(variant);
        if (i !== parts.length - 1) {
          throw new AttrPathError(
            `'${attrPath}' goes on after the package '${part}'; xpkgs resolves attribute paths ` +
              `that end at a package, such as '${[...walked, part].join(".")}'.`,
          );
        }
        return set.package(part, here, setAttributes);
      }
      walked.push(part);
    }
    throw new AttrPathError(
      `'${attrPath}' names a package set, not a package. Add a package name, such as '${attrPath}.hello'.`,
    );
  }
}
