import type { Command } from "commander";
import { addSubstituterOptions, substitutersFor } from "./cache-options.js";
import { addBuilderOptions, buildersFor, localJobs } from "./builder-options.js";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { inspectTree, summaryLine } from "../elf/inspect.js";
import { ProgressReporter, type Verbosity } from "../build/progress.js";
import { realise } from "../build/scheduler.js";
import { checkDerivation } from "../build/check.js";
import { readDerivationFile } from "../derivation/drv-file.js";
import { writeDerivations } from "../derivation/instantiate.js";
import { XpkgsError } from "../errors.js";
import { openUniverse } from "./universe.js";
import { createOutLink } from "../store/gc.js";
import { Store } from "../store/store.js";
import { isStorePath } from "../store/store-path.js";
import { requiredFeatures } from "../remote/machines.js";

interface BuildOpts {
  attr: string[];
  /** The link name, or false for --no-out-link. */
  outLink: string | false;
  jobs: string;
  cores?: string;
  keepGoing?: boolean;
  dryRun?: boolean;
  check?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  pushTo?: string;
  secretKey?: string[];
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new XpkgsError(`${flag} takes a whole number of at least 1, not '${text}'.`);
  return n;
}

/** nix-build's names: result, result-dev, result-2, result-2-dev… */
export function outLinkName(base: string, index: number, output: string): string {
  return `${base}${index === 0 ? "" : `-${index + 1}`}${output === "out" ? "" : `-${output}`}`;
}

export function registerBuild(program: Command): void {
  addBuilderOptions(addSubstituterOptions(program.command("build")))
    .argument(
      "[targets...]",
      "attribute paths (pkgsCross.aarch64-multiplatform.hello) or .drv files in the store",
    )
    .option(
      "-A, --attr <path>",
      "an attribute path, as with nix-build -A (may be repeated)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .description(
      "Build attribute paths or .drv files: fetch sources, run each builder in the sandbox, register " +
        "the outputs, and link them as ./result (result-dev, result-2… for more). A valid output is never rebuilt.",
    )
    .option("-o, --out-link <name>", "name of the out-link", "result")
    .option("--no-out-link", "do not create out-links (the outputs may then be garbage-collected)")
    .option("-j, --jobs <n>", "derivations to build at once", String(availableParallelism()))
    .option("--cores <n>", "NIX_BUILD_CORES for each build (make -j); default: all cores")
    .option("-k, --keep-going", "after a failure, build everything that does not depend on it")
    .option(
      "-n, --dry-run",
      "list what would be substituted (from which cache), fetched and built, and do none of it",
    )
    .option("--check", "rebuild valid outputs and compare them with the registered ones")
    .option(
      "--push-to <cache>",
      "after a successful build, push the outputs' closures to this binary cache (once: what it " +
        "has is skipped), e.g. the cache the builders substitute from (docs/remote.md)",
    )
    .option(
      "--secret-key <file>",
      "sign what --push-to pushes with this key (repeat for more; default: secret-key-files of the config)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("-q, --quiet", "print only the output paths and errors")
    .option("-v, --verbose", "stream build logs")
    .action(async (positional: string[], opts: BuildOpts, cmd: Command) => {
      const targets = [...opts.attr, ...positional];
      if (targets.length === 0) {
        throw new XpkgsError(
          "Name what to build: an attribute path such as 'hello' (or -A hello), or a .drv path.",
        );
      }
      const jobs = localJobs(cmd, positiveInt(opts.jobs, "--jobs"));
      const builders = buildersFor(cmd, jobs);
      const cores =
        opts.cores === undefined ? availableParallelism() : positiveInt(opts.cores, "--cores");
      const store = Store.fromEnv();
      try {
        store.cleanup();
        const universe = await openUniverse(cmd, store.storeDir);
        const drvPaths = targets.map((t) => {
          if (t.endsWith(".drv") || t.includes("/")) {
            if (!isStorePath(t, store.storeDir) || !store.isValid(t)) {
              throw new XpkgsError(
                `${t} is not a derivation in the store ${store.storeDir}. Add it with 'xpkgs derivation add', ` +
                  `or give an attribute path.`,
              );
            }
            return t;
          }
          const pkg = universe.resolve(t);
          writeDerivations(store, universe.graph.closure(pkg.drvPath), universe.graph);
          return pkg.drvPath;
        });
        const verbosity: Verbosity =
          opts.quiet === true ? "quiet" : opts.verbose === true ? "verbose" : "normal";
        const reporter = new ProgressReporter(process.stderr, verbosity);
        if (opts.check === true) {
          const reports = await checkDerivation(store, drvPaths, { cores, reporter });
          for (const r of reports) process.stdout.write(`${r}\n`);
          return;
        }
        const result = await realise(store, drvPaths, {
          jobs,
          cores,
          keepGoing: opts.keepGoing === true,
          dryRun: opts.dryRun === true,
          reporter,
          substituters: substitutersFor(cmd, store.storeDir),
          builders,
        });
        if (opts.dryRun === true && builders !== null) {
          for (const p of result.toBuild) {
            const drv = readDerivationFile(p);
            const names = builders.pool
              .capable(drv.system, requiredFeatures(drv.env))
              .map((s) => s.name);
            const local =
              jobs > 0 && requiredFeatures(drv.env).every((f) => builders.localFeatures.has(f));
            const where = [...names, ...(local ? ["here"] : [])];
            process.stderr.write(
              `  ${basename(p)} would build on: ${where.length > 0 ? where.join(", ") : "nothing (no machine has its features)"}\n`,
            );
          }
        }
        if (opts.dryRun === true) {
          if (result.toFetch.length + result.toBuild.length + result.toSubstitute.length === 0)
            process.stderr.write("nothing to build: every output is valid\n");
          return;
        }
        if (result.failed.length > 0) {
          const [first, ...rest] = result.failed;
          const more =
            rest.length > 0 || result.skipped.length > 0
              ? `\n${result.failed.length} derivation(s) failed` +
                (result.skipped.length > 0
                  ? `, and ${result.skipped.length} were not built because they depend on one`
                  : "") +
                `:\n${result.failed.map((f) => `  ${f.drvPath}`).join("\n")}`
              : "";
          if (first!.error instanceof XpkgsError) throw new XpkgsError(first!.error.message + more);
          throw first!.error;
        }
        if (opts.pushTo !== undefined) {
          const outputs = drvPaths.flatMap((p) =>
            Object.values(readDerivationFile(p).outputs).map((o) => o.path),
          );
          const { pushToCache } = await import("./copy-cache.js");
          const pushed = await pushToCache(store, outputs, {
            ...(cmd.opts() as object),
            to: opts.pushTo,
            quiet: opts.quiet === true,
          });
          if (opts.quiet !== true)
            process.stderr.write(
              `pushed ${pushed.length} path${pushed.length === 1 ? "" : "s"} to ${opts.pushTo}\n`,
            );
        }
        targets.forEach((_, i) => {
          const drv = readDerivationFile(drvPaths[i]!);
          for (const [id, o] of Object.entries(drv.outputs)) {
            if (opts.outLink !== false)
              createOutLink(store, outLinkName(opts.outLink, i, id), o.path);
            process.stdout.write(`${o.path}\n`);
            // The portability report's one line (stderr: stdout stays the paths).
            if (opts.quiet !== true) {
              const { reports } = inspectTree(o.path, store.storeDir);
              if (reports.length > 0) {
                process.stderr.write(`${basename(o.path).slice(33)}: ${summaryLine(reports)}\n`);
              }
            }
          }
        });
      } finally {
        store.close();
      }
    });
}
