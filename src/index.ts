/**
 * The library surface for recipes and overlays written outside xpkgs:
 * `import { recipe, lib, type Overlay } from "xpkgs"`.
 */
export {
  recipe,
  type Overlay,
  type OverlayResult,
  type Recipe,
  type RecipeArgs,
  type RecipeBuiltins,
} from "./pkgs/package-set.js";
export { lib } from "./pkgs/lib.js";
export type { Meta, Package } from "./pkgs/package.js";
export type { MkDerivationArgs } from "./stdenv/make-derivation.js";
export type { Platform } from "./systems/elaborate.js";
