/** The subcommands of `xpkgs`, each in its own module, and which one an argument list names. */
import type { Command } from "commander";

export type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs (or for the full help):
 * evaluation must not pay for SQLite, the scheduler or the ELF toolkit.
 */
export const commands: Record<string, () => Promise<Register>> = {
  platforms: async () => (await import("./platforms.js")).registerPlatforms,
  show: async () => (await import("./show.js")).registerShow,
  "show-derivation": async () => (await import("./show-derivation.js")).registerShowDerivation,
  derivation: async () => (await import("./derivation-add.js")).registerDerivationAdd,
  build: async () => (await import("./build.js")).registerBuild,
  gc: async () => (await import("./gc.js")).registerGc,
  "path-info": async () => (await import("./path-info.js")).registerPathInfo,
  store: async () => (await import("./store.js")).registerStore,
  log: async () => (await import("./log.js")).registerLog,
  doctor: async () => (await import("./doctor.js")).registerDoctor,
  list: async () => (await import("./list.js")).registerList,
  file: async () => (await import("./file.js")).registerFile,
  readelf: async () => (await import("./readelf.js")).registerReadelf,
  ldd: async () => (await import("./ldd.js")).registerLdd,
  inspect: async () => (await import("./inspect.js")).registerInspect,
  patchelf: async () => (await import("./patchelf.js")).registerPatchelf,
  run: async () => (await import("./run.js")).registerRun,
  bundle: async () => (await import("./bundle.js")).registerBundle,
  copy: async () => (await import("./copy.js")).registerCopy,
  matrix: async () => (await import("./matrix.js")).registerMatrix,
  key: async () => (await import("./key.js")).registerKey,
  serve: async () => (await import("./serve.js")).registerServe,
  builders: async () => (await import("./builders.js")).registerBuilders,
  prefetch: async () => (await import("./prefetch.js")).registerPrefetch,
  import: async () => (await import("./import.js")).registerImport,
};
/** Commands registered by another command's module. */
export const aliases: Record<string, string> = { search: "list" };

/** The command an argument list names: the first word that is not an option or its value. */
export function commandName(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-f" || a === "--overlay") i++;
    else if (!a.startsWith("-")) return a;
  }
  return null;
}
