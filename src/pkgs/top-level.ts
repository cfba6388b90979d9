/**
 * From an attribute path to a package: walks `pkgsStatic`, `pkgsMusl`,
 * `pkgsCross.<name>` and `pkgs`, then names a package in the set reached.
 */
import { DerivationGraph } from "../derivation/graph.js";
import { didYouMean } from "../errors.js";
import { type Platform, elaboratePlatform } from "../systems/elaborate.js";
import { exampleNames, examples } from "../systems/examples.js";
import { AttrPathError, parseAttrPath } from "./attr-path.js";
import { type Overlay, PackageSet } from "./package-set.js";
import { type HostVariant, hostSpecOf } from "./variants.js";
import { recipes } from "./by-name/index.js";
import { musl } from "../toolchains/musl.js";
import { gccSource, libgcc, needsOwnLibgcc } from "../toolchains/libgcc.js";
import {
  type HostToolName,
  type HostToolSpec,
  baseToolsDerivation,
  hostToolDerivation,
  hostTools,
} from "./host-tools.js";
import { linuxHeaders } from "../toolchains/linux-headers.js";
import { libatomic } from "../toolchains/libatomic.js";
import { libstdcxx } from "../toolchains/libstdcxx.js";
import { Stdenv } from "../stdenv/make-derivation.js";
import type { Package } from "./package.js";
import { checkMeta } from "./meta-check.js";

const setAttributes = ["pkgs", "pkgsStatic", "pkgsMusl", "pkgsCross"];

/** All package sets of one build machine and store, memoised by host platform. */
export class PackageUniverse {
  private readonly sets = new Map<string, PackageSet>();
  readonly graph: DerivationGraph;

  constructor(
    readonly buildPlatform: Platform,
    storeDir: string,
    /** Overlays over the built-in recipes, applied in order in every set. */
    readonly overlays: readonly Overlay[] = [],
  ) {
    this.graph = new DerivationGraph(storeDir);
  }

  setFor(variant: HostVariant): PackageSet {
    return this.setForPlatform(elaboratePlatform(hostSpecOf(variant)));
  }

  setForPlatform(host: Platform): PackageSet {
    let set = this.sets.get(host.key);
    if (set === undefined) {
      set = new PackageSet(this.buildPlatform, host, this, recipes);
      this.sets.set(host.key, set);
    }
    return set;
  }

  /** The set where build = host = this machine. */
  nativeSet(): PackageSet {
    return this.setForPlatform(this.buildPlatform);
  }

  private baseToolsMemo: Package | null = null;

  /** The tools every build sees (host-tools.ts's base), one derivation for the machine. */
  baseTools(): Package {
    if (this.baseToolsMemo === null) {
      const drv = baseToolsDerivation(this.buildPlatform.system);
      this.baseToolsMemo = this.nativeSet().register(drv, "xpkgs-base-tools", "");
    }
    return this.baseToolsMemo;
  }

  private readonly hostToolMemo = new Map<string, Package>();

  /** A host tool (`cmake`, `bison`…) by attribute name, or undefined when there is none. */
  hostTool(name: string): Package | undefined {
    if (!Object.prototype.hasOwnProperty.call(hostTools, name)) return undefined;
    let pkg = this.hostToolMemo.get(name);
    if (pkg === undefined) {
      const spec: HostToolSpec = hostTools[name as HostToolName];
      const drv = hostToolDerivation(name, spec, this.buildPlatform.system);
      const version = drv.env.requiredDebianPackages!.split(" ")[0]!.split("=")[1]!;
      pkg = this.nativeSet().register(drv, name, version, {
        description: spec.description,
        notes: [
          `A tool of the build machine, from Debian's ${spec.debian.join(", ")}; ` +
            "in every package set it is the build machine's (for nativeBuildInputs).",
        ],
      });
      this.hostToolMemo.set(name, pkg);
    }
    return pkg;
  }

  private readonly musls = new Map<string, Package>();
  private readonly libstdcxxs = new Map<string, Package>();
  private readonly libatomics = new Map<string, Package>();

  /** The dynamic platform of a musl platform: what its static and dynamic sets share. */
  private dynamicOf(host: Platform): Platform {
    return elaboratePlatform({
      config: host.config,
      gcc: host.gcc,
      isStatic: false,
      ...(host.cpu !== null ? { cpu: host.cpu } : {}),
    });
  }

  /**
   * libstdc++ for a musl platform (libstdcxx.ts), built once per CPU and ABI by
   * the dynamic set, as musl is: position-independent, it serves both sets.
   */
  libstdcxxFor(host: Platform): Package {
    const dynamic = this.dynamicOf(host);
    let l = this.libstdcxxs.get(dynamic.key);
    if (l === undefined) {
      const set = this.setForPlatform(dynamic);
      l = libstdcxx(set.baseStdenv, set.fetchurl(gccSource), set.cxxWrapper({ kind: "bootstrap" }));
      this.libstdcxxs.set(dynamic.key, l);
    }
    return l;
  }

  /**
   * libatomic alone for a musl platform (libatomic.ts), built once per CPU and ABI by the
   * dynamic set's base stdenv, for C links where Debian's cannot serve (`ownLibatomic`).
   */
  libatomicFor(host: Platform): Package {
    const dynamic = this.dynamicOf(host);
    let l = this.libatomics.get(dynamic.key);
    if (l === undefined) {
      const set = this.setForPlatform(dynamic);
      l = libatomic(set.baseStdenv, set.fetchurl(gccSource));
      this.libatomics.set(dynamic.key, l);
    }
    return l;
  }

  /**
   * musl for a musl platform, built once per CPU and ABI: the static and the
   * dynamic sets of a platform share it.
   */
  muslFor(host: Platform): Package {
    const dynamic = this.dynamicOf(host);
    let m = this.musls.get(dynamic.key);
    if (m === undefined) {
      const set = this.setForPlatform(dynamic);
      const ccForBuild = set.isCross ? this.nativeSet().stdenv.cc : null;
      const bareStdenv = (cc: Package) => new Stdenv(set.stdenvContext(cc, ccForBuild ?? cc, null));
      const bare = set.ccWrapper({ kind: "bare" });
      const src = set.fetchurl({
        url: "mirror://debian/pool/main/m/musl/musl_1.2.3.orig.tar.gz",
        name: "musl-1.2.3.tar.gz",
        hash: "sha256:7d5b0b6062521e4627e099e4c9dc8248d32a30285e959b7eecaa780cf8cfd4a4",
      });
      // Where Debian's libgcc is built for a newer CPU, musl (libc.so links libgcc) and
      // every program of the platform link with one built for it.
      let ownLibgcc: Package | null = null;
      let muslCc = bare;
      if (needsOwnLibgcc(dynamic)) {
        ownLibgcc = libgcc(bareStdenv(bare), set.fetchurl(gccSource), src);
        muslCc = set.ccWrapper({
          kind: "bare",
          libgcc: { out: ownLibgcc.out, drvPath: ownLibgcc.drvPath },
        });
      }
      const headers = linuxHeaders(dynamic, this.buildPlatform);
      m = musl(
        bareStdenv(muslCc),
        src,
        set.register(headers.drv, "linux-headers", headers.version),
        ownLibgcc,
      );
      this.musls.set(dynamic.key, m);
    }
    return m;
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
            `attribute '${name}' missing in 'pkgsCross'.${didYouMean(name, exampleNames)} ` +
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
        const pkg = set.package(part, here, setAttributes);
        checkMeta(attrPath, pkg);
        return pkg;
      }
      walked.push(part);
    }
    throw new AttrPathError(
      `'${attrPath}' names a package set, not a package. Add a package name, such as '${attrPath}.hello'.`,
    );
  }
}
