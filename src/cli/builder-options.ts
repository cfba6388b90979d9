/** The remote-builder options of every command that realises (build, run, bundle). */
import { binfmtFeature } from "../systems/binfmt.js";
import type { Command } from "commander";
import { configFilePath, readCacheSettings } from "../cache/config.js";
import type { RemoteBuilders } from "../build/scheduler.js";
import { XpkgsError } from "../errors.js";
import { connectMachine } from "../remote/connect.js";
import { parseMachines } from "../remote/machines.js";
import { BuilderPool } from "../remote/pool.js";
import { hostToolchainFeatures } from "../remote/toolchain-features.js";
import { buildMachinePlatform } from "../systems/elaborate.js";

export function addBuilderOptions(cmd: Command): Command {
  return cmd
    .option(
      "--builders <specs>",
      "remote Nix machines to build on, in Nix's machines format, ';'-separated, or @FILE " +
        `(docs/remote.md); '' for none; default: builders in ${configFilePath()}`,
    )
    .option(
      "--max-jobs <n>",
      "local builds at once (as -j); 0: build only on the builders (fetches stay local)",
    )
    .option(
      "--builders-use-substitutes",
      "let builders fetch missing inputs from their own binary caches instead of receiving them " +
        "(on already when substituters are configured here)",
    );
}

interface BuilderFlags {
  builders?: string;
  maxJobs?: string;
  buildersUseSubstitutes?: boolean;
  substituters?: string;
}

/** The local job count: --max-jobs over -j; 0 only makes sense with builders. */
export function localJobs(cmd: Command, jobs: number): number {
  const o = cmd.opts() as BuilderFlags;
  if (o.maxJobs === undefined) return jobs;
  const n = Number(o.maxJobs);
  if (!Number.isInteger(n) || n < 0)
    throw new XpkgsError(`--max-jobs takes a whole number, 0 or more, not '${o.maxJobs}'.`);
  return n;
}

/** The builders the options and the config name, or null for none. */
export function buildersFor(cmd: Command, jobs: number): RemoteBuilders | null {
  const o = cmd.opts() as BuilderFlags;
  const settings = readCacheSettings();
  const spec = o.builders ?? settings.builders;
  const where = o.builders !== undefined ? "--builders" : `builders in ${settings.configFile}`;
  const system = buildMachinePlatform().system;
  const machines = spec.trim() === "" ? [] : parseMachines(spec, system, where);
  if (machines.length === 0) {
    if (jobs === 0) {
      throw new XpkgsError(
        "--max-jobs 0 builds nothing here, and no builders are configured. " +
          "Give --builders (docs/remote.md), or a --max-jobs of 1 or more.",
      );
    }
    return null;
  }
  const useSubstitutes =
    o.buildersUseSubstitutes === true ||
    settings.buildersUseSubstitutes ||
    (o.substituters ?? settings.substituters.join(" ")).trim() !== "";
  return {
    pool: new BuilderPool(machines),
    connect: (m, onStderrLine) => connectMachine(m, { onStderrLine }),
    useSubstitutes,
    localFeatures: new Set([
      ...hostToolchainFeatures(),
      binfmtFeature,
      "benchmark",
      "big-parallel",
      "nixos-test",
    ]),
    localSystem: system,
  };
}
