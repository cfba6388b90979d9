/** The substituter options of every command that realises (build, run, bundle, copy). */
import type { Command } from "commander";
import { type CacheFlags, cacheSettings, configFilePath } from "../cache/config.js";
import { Substituters } from "../cache/substitute.js";

export function addSubstituterOptions(cmd: Command): Command {
  return cmd
    .option(
      "--substituters <urls>",
      "binary caches to fetch outputs from before building, space-separated " +
        `(file:///DIR, http://…, s3://…); default: substituters in ${configFilePath()}`,
    )
    .option(
      "--trusted-public-keys <keys>",
      "the keys (name:base64) whose signatures are trusted, space-separated",
    )
    .option("--no-require-sigs", "accept unsigned narinfos (trust the caches themselves)");
}

/** The substituters the command's options and the config file name, or null for none. */
export function substitutersFor(cmd: Command, storeDir: string): Substituters | null {
  const o = cmd.opts() as CacheFlags;
  return Substituters.fromSettings(cacheSettings(o), storeDir, (line) =>
    process.stderr.write(`${line}\n`),
  );
}
