import { PackageUniverse } from "../pkgs/top-level.js";
import { storeDirFromEnv } from "../store/store-dir.js";
import { buildMachinePlatform } from "../systems/elaborate.js";

/** The package sets of this machine, over the store that XPKGS_STORE_DIR names. */
export function openUniverse(): PackageUniverse {
  return new PackageUniverse(buildMachinePlatform(), storeDirFromEnv());
}
