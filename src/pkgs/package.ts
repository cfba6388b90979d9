import type { Derivation } from "../derivation/derivation.js";
import type { Platform } from "../systems/elaborate.js";
import type { MkDerivationArgs } from "../stdenv/make-derivation.js";

export interface Meta {
  description?: string;
  homepage?: string;
  license?: string;
  /** Where it builds: "linux" (every Linux platform) unless a recipe says otherwise, e.g. ["x86_64-linux"]. */
  platforms?: string[];
  /** Platforms (doubles or triples) it is known to fail on, with why. */
  brokenOn?: Record<string, string>;
  /** The program `xpkgs run` starts, under bin/. */
  mainProgram?: string;
  /**
   * How to prove the main program works once built: run it with `args`; its output (stdout
   * and stderr) must match the regular expression `expect`. Used by the collection matrix,
   * and by commands that check a program on a device.
   */
  smokeTest?: { args: string[]; expect: string };
  /** Known limits, for people reading the recipe and `xpkgs show`. */
  notes?: string[];
}

/** A derivation with the facts recipes and commands need about it. */
export interface Package {
  pname: string;
  version: string;
  /** The full name: `hello-static-aarch64-unknown-linux-musl-2.10`. */
  name: string;
  drvPath: string;
  drv: Derivation;
  /** Output name → store path. */
  outputs: Record<string, string>;
  /** The `out` output (or the first one). */
  out: string;
  meta: Meta;
  hostPlatform: Platform;
  buildPlatform: Platform;
  /** The same recipe with some dependencies replaced: a new derivation. */
  override?: (deps: Record<string, Package>) => Package;
  /** The same recipe with its mkDerivation attributes changed: a new derivation. */
  overrideAttrs?: (f: (prev: MkDerivationArgs) => Partial<MkDerivationArgs>) => Package;
}
