import type { Command } from "commander";
import { loadOverlays } from "../pkgs/overlay-files.js";
import { PackageUniverse } from "../pkgs/top-level.js";
import { storeDirFromEnv } from "../store/store-dir.js";
import { buildMachinePlatform } from "../systems/elaborate.js";

/** The overlay files given with the global -f/--overlay option. */
export function overlayFiles(cmd: Command): string[] {
  return (cmd.optsWithGlobals() as { overlay?: string[] }).overlay ?? [];
}

/** The package sets of this machine, over the store XPKGS_STORE_DIR names, with the overlays in force. */
export async function openUniverse(
  cmd: Command,
  storeDir = storeDirFromEnv(),
): Promise<PackageUniverse> {
  return new PackageUniverse(
    buildMachinePlatform(),
    storeDir,
    await loadOverlays(overlayFiles(cmd)),
  );
}
