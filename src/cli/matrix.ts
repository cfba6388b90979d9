import type { Command } from "commander";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { ProgressReporter, type Verbosity } from "../build/progress.js";
import {
  type Linkage,
  MatrixInputError,
  checkNames,
  defaultTargets,
  listOption,
  planCells,
  publishCells,
} from "../matrix/cells.js";
import {
  type MatrixFile,
  countByStatus,
  mergeCells,
  readMatrixFile,
  statuses,
  writeFileAtomic,
} from "../matrix/record.js";
import { renderHtml, renderMarkdown, statusLook } from "../matrix/render.js";
import { runMatrix, runOrigin } from "../matrix/run.js";
import { collectionPackages } from "../pkgs/collection.js";
import { Store } from "../store/store.js";
import { buildMachinePlatform, muslArch } from "../systems/elaborate.js";
import { exampleNames } from "../systems/examples.js";
import { examplePlatform } from "../systems/named.js";
import { openUniverse } from "./universe.js";

interface MatrixOpts {
  packages?: string;
  targets?: string;
  static?: boolean;
  dynamic?: boolean;
  publish?: boolean;
  jobs: string;
  cores?: string;
  keepGoing?: boolean;
  dryRun?: boolean;
  render?: boolean;
  json?: string;
  html?: string;
  md?: string;
  quiet?: boolean;
  verbose?: boolean;
}

/** `--render`: the pages of the matrix file as it is. */
function renderOnly(opts: MatrixOpts): void {
  const file = readMatrixFile(resolve(opts.json!));
  if (file === null)
    throw new MatrixInputError(
      `${opts.json} does not exist: --render writes pages from a matrix file.`,
    );
  if (opts.html === undefined && opts.md === undefined)
    throw new MatrixInputError("--render writes --html FILE and/or --md FILE: name at least one.");
  const published = publishCells(collectionPackages(), buildMachinePlatform(), isStaticTarget);
  if (opts.html !== undefined) writeFileAtomic(resolve(opts.html), renderHtml(file));
  if (opts.md !== undefined) writeFileAtomic(resolve(opts.md), renderMarkdown(file, published));
  process.stdout.write(`${opts.json}: ${file.cells.length} cells rendered.\n`);
}

function linkOrBoth(links: Linkage[]): string {
  return links.length === 2 ? "dynamic or static" : links[0]!;
}

/** A target whose platform has a static (musl) variant: musl has a port to its CPU. */
function isStaticTarget(target: string): boolean {
  return target === "native" || muslArch(examplePlatform(target).parsed) !== null;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new MatrixInputError(`${flag} takes a whole number of at least 1, not '${text}'.`);
  return n;
}

export function registerMatrix(program: Command): void {
  program
    .command("matrix")
    .description(
      "Build and judge a matrix of packages × targets × linkage, and record it. Every cell is " +
        "built with keep-going through the scheduler (an output already valid is checked, not " +
        "rebuilt); each built cell's smoke test runs here or under qemu on the platform's own CPU " +
        "model, and a static cell's runs again in an empty root (bubblewrap: the program, qemu " +
        "if foreign, nothing else). A cell's status is one of " +
        `${statuses.join(", ")}. The cells merge into the --json file (other cells are kept), ` +
        "and --html and --md are made from the whole file.\n" +
        "Targets are 'native' and pkgsCross platform names (xpkgs platforms). By default: every " +
        "package of the collection, native and every platform with a Debian cross compiler and " +
        "qemu, dynamic and static.\n" +
        "Example: xpkgs matrix --packages hello,zlib --targets native,aarch64-multiplatform " +
        "--static --json docs/matrix.json --html docs/matrix.html --md docs/matrix.md",
    )
    .option("--packages <a,b>", "the packages (default: the whole collection)")
    .option("--targets <x,y>", "the targets: native, or pkgsCross names (default: see above)")
    .option("--static", "static cells (pkgsStatic); with neither --static nor --dynamic, both")
    .option("--dynamic", "dynamic cells")
    .option(
      "--publish",
      "the cells of the published matrix (docs/matrix.md says which); --packages, --targets, " +
        "--static and --dynamic then narrow it, so it can be built in pieces",
    )
    .option("-j, --jobs <n>", "derivations to build at once", String(availableParallelism()))
    .option("--cores <n>", "NIX_BUILD_CORES for each build (make -j); default: all cores")
    .option("-k, --keep-going", "keep going after a failure (always: a matrix records failures)")
    .option("-n, --dry-run", "evaluate every cell and print the plan; build and judge nothing")
    .option(
      "--render",
      "only write --html and --md from the --json file as it is: build and judge nothing",
    )
    .option("--json <file>", "the matrix file to merge this run's cells into (needed unless -n)")
    .option("--html <file>", "write the whole matrix as one self-contained HTML page")
    .option("--md <file>", "write the whole matrix as a markdown table")
    .option("-q, --quiet", "no build progress")
    .option("-v, --verbose", "stream build logs")
    .action(async (opts: MatrixOpts, cmd: Command) => {
      const dryRun = opts.dryRun === true;
      if (!dryRun && opts.json === undefined) {
        throw new MatrixInputError(
          "Name the matrix file with --json FILE: a run merges its cells into it (it is created " +
            "if it does not exist), and --html and --md are made from it. Use -n to see the plan only.",
        );
      }
      if (opts.render === true) {
        renderOnly(opts);
        return;
      }
      const jobs = positiveInt(opts.jobs, "--jobs");
      const cores =
        opts.cores === undefined ? availableParallelism() : positiveInt(opts.cores, "--cores");
      const build = buildMachinePlatform();
      const allPackages = collectionPackages();
      const packages = listOption(opts.packages, "--packages") ?? allPackages;
      checkNames("package", packages, allPackages);
      const targets = listOption(opts.targets, "--targets") ?? defaultTargets(build);
      checkNames("target", targets, ["native", ...exampleNames]);
      const links: Linkage[] =
        opts.static === true || opts.dynamic === true
          ? [
              ...(opts.dynamic === true ? (["dynamic"] as const) : []),
              ...(opts.static === true ? (["static"] as const) : []),
            ]
          : ["dynamic", "static"];
      const previous = opts.json !== undefined ? readMatrixFile(resolve(opts.json)) : null;
      const published = publishCells(allPackages, build, isStaticTarget);
      const ids =
        opts.publish === true
          ? published.filter(
              (c) =>
                packages.includes(c.package) &&
                (opts.targets === undefined || targets.includes(c.target)) &&
                links.includes(c.linkage),
            )
          : planCells(packages, targets, links);
      if (ids.length === 0) {
        const inSet = [...new Set(published.map((c) => `${c.target} ${c.linkage}`))].sort();
        throw new MatrixInputError(
          `No cell of the published matrix is ${linkOrBoth(links)} on ${targets.join(", ")}. ` +
            `Its targets and linkages: ${inSet.join(", ")}.`,
        );
      }

      const store = Store.fromEnv();
      try {
        store.cleanup();
        const started = Date.now();
        const universe = await openUniverse(cmd, store.storeDir);
        const verbosity: Verbosity =
          opts.quiet === true || dryRun ? "quiet" : opts.verbose === true ? "verbose" : "normal";
        const reporter = new ProgressReporter(process.stderr, verbosity);
        const run = await runMatrix(store, universe, ids, {
          jobs,
          cores,
          dryRun,
          reporter,
          previous,
        });
        if (dryRun) {
          const toBuild = new Set(run.realised.toBuild);
          const toFetch = new Set(run.realised.toFetch);
          const out: string[] = [];
          for (const c of run.evaluated) {
            const what =
              c.pkg === null
                ? c.refused !== undefined
                  ? `refused: ${c.refused}`
                  : `cannot be built here: ${c.unavailable}`
                : toBuild.has(c.pkg.drvPath)
                  ? "to build"
                  : "valid: to check";
            out.push(`${c.attr}: ${what}`);
          }
          out.push(
            `${run.evaluated.length} cells (` +
              (opts.publish === true
                ? "of the published matrix"
                : `${packages.length} packages × ${targets.length} targets × ` +
                  `${links.length} linkage${links.length === 1 ? "" : "s"}`) +
              `); ${toBuild.size} derivations ` +
              `to build and ${toFetch.size} to fetch; evaluated in ${((Date.now() - started) / 1000).toFixed(2)} s`,
          );
          if (opts.verbose === true) {
            for (const p of [...toFetch].sort()) out.push(`  fetch ${p}`);
            for (const p of [...toBuild].sort()) out.push(`  build ${p}`);
          }
          process.stdout.write(`${out.join("\n")}\n`);
          return;
        }
        const generated = runOrigin();
        const cells = run.cells.map((c) => ({ ...c, commit: generated.commit }));
        const fresh: MatrixFile = { format: 1, generated, cells };
        const merged = mergeCells(previous, fresh);
        writeFileAtomic(resolve(opts.json!), `${JSON.stringify(merged, null, 2)}\n`);
        if (opts.html !== undefined) writeFileAtomic(resolve(opts.html), renderHtml(merged));
        if (opts.md !== undefined)
          writeFileAtomic(resolve(opts.md), renderMarkdown(merged, published));
        const n = countByStatus(run.cells);
        const line = statuses
          .filter((s) => n[s] > 0)
          .map((s) => `${n[s]} ${statusLook[s].label}`)
          .join(", ");
        process.stdout.write(
          `${run.cells.length} cells judged: ${line}. ${opts.json} holds ${merged.cells.length} cells.\n`,
        );
        for (const c of run.cells) {
          if (c.status === "ran") continue;
          process.stdout.write(
            `  ${statusLook[c.status].symbol} ${c.attr}: ${c.reason ?? c.status}\n`,
          );
        }
      } finally {
        store.close();
      }
    });
}
