/** `xpkgs import debian:NAME`: a recipe from Debian's source packages, and `--try` to build it. */
import type { Command } from "commander";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { XpkgsError } from "../errors.js";
import { importSuite } from "../import/apt-suite.js";
import { loadSourcesIndex } from "../import/debian-index.js";
import { importDebian, likelyCause, ranHostProgram } from "../import/import.js";
import { addToOverlay, overlayEntry } from "../import/recipe.js";
import { compareWithIndex, sourceUrlOf } from "../import/outdated.js";
import { collectionPackages } from "../pkgs/collection.js";
import { openUniverse } from "./universe.js";

interface ImportOpts {
  output?: string;
  try?: string;
  outdated?: boolean;
  json?: boolean;
}

/** `--outdated`: every recipe of the collection against the suite's source index. */
async function listOutdated(cmd: Command, json: boolean): Promise<void> {
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const suite = importSuite(process.env);
  const index = await loadSourcesIndex(suite, log);
  const universe = await openUniverse(cmd);
  const recipes = collectionPackages().map((attr) => {
    const pkg = universe.resolve(attr);
    return { attr, version: pkg.version, url: sourceUrlOf(universe, pkg) };
  });
  const rows = compareWithIndex(recipes, index);
  if (json) {
    process.stdout.write(`${JSON.stringify({ suite: suite.suite, recipes: rows }, null, 2)}\n`);
    return;
  }
  const outdated = rows.filter((r) => r.status === "outdated");
  if (outdated.length > 0) {
    const w = Math.max(...outdated.map((r) => r.attr.length), 4);
    const v = Math.max(...outdated.map((r) => r.ours.length), 4);
    process.stdout.write(`${"NAME".padEnd(w)}  ${"OURS".padEnd(v)}  DEBIAN ${suite.suite}\n`);
    for (const r of outdated)
      process.stdout.write(`${r.attr.padEnd(w)}  ${r.ours.padEnd(v)}  ${r.debian} (${r.source})\n`);
  }
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  const others = rows.filter((r) => r.status === "not-in-suite").map((r) => r.attr);
  process.stderr.write(
    `${rows.length} recipes: ${outdated.length} older than Debian ${suite.suite}'s, ${count("current")} current, ` +
      `${count("ahead")} newer, ${count("not-from-debian")} not from Debian's pool` +
      (others.length > 0 ? `, ${others.length} not in the suite (${others.join(", ")})` : "") +
      ".\n",
  );
}

/** Runs xpkgs in a process group of its own, killed whole (qemu included) after `ms`. */
function runBounded(
  args: string[],
  ms: number,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ status: code, stdout, stderr });
    });
  });
}

export function registerImport(program: Command): void {
  program
    .command("import")
    .argument("[what]", "debian:NAME or debian:NAME=VERSION (a source or a binary package name)")
    .option(
      "--outdated",
      "instead: list the collection's recipes whose Debian version (in apt's suite) is newer",
    )
    .option("--json", "with --outdated: every recipe, as JSON")
    .option(
      "-o, --output <file>",
      "write a new overlay file with this one recipe; without it, the recipe is added to the " +
        "--overlay FILE given (default ./xpkgs-imported.ts)",
    )
    .option(
      "--try <prefix>",
      "then build PREFIX.NAME (e.g. pkgsCross.aarch64-multiplatform.pkgsStatic) and run its program",
    )
    .description(
      "Write a recipe from Debian's source index (the suite apt's sources name, checked against its Release " +
        "file): the upstream tarball and its sha256, the build system (autotools, autoreconf, meson, cmake, make), " +
        "Build-Depends mapped to host tools and the collection's libraries (the rest as comments), Debian's " +
        "configure flags, description, homepage and licence. The recipe goes into an overlay file: load it with " +
        "xpkgs -f FILE.\n" +
        "Example: xpkgs import debian:pv --try pkgsCross.aarch64-multiplatform.pkgsStatic",
    )
    .action(async (what: string | undefined, opts: ImportOpts, cmd: Command) => {
      if (opts.outdated !== true && opts.json === true)
        throw new XpkgsError(
          "--json goes with --outdated (the collection's recipes as JSON); an import writes a recipe file, whose path it prints.",
        );
      if (opts.outdated === true && (opts.output !== undefined || opts.try !== undefined))
        throw new XpkgsError(
          "--outdated only reads the collection: it takes neither -o nor --try. Import a package (xpkgs import debian:NAME) to use them.",
        );
      if (opts.outdated === true) {
        if (what !== undefined)
          throw new XpkgsError(
            `--outdated checks the whole collection and takes no package; drop '${what}', or drop --outdated to import it.`,
          );
        await listOutdated(cmd, opts.json === true);
        return;
      }
      if (what === undefined)
        throw new XpkgsError(
          "Name what to import, e.g. 'xpkgs import debian:pv', or give --outdated to check the collection.",
        );
      // --overlay FILE (xpkgs' own option, -f): the overlay file the recipe is added to.
      const overlays = (cmd.optsWithGlobals() as { overlay?: string[] }).overlay ?? [];
      const file = resolve(opts.output ?? overlays.at(-1) ?? "xpkgs-imported.ts");
      const r = await importDebian(what, {
        overlay: file,
        fresh: opts.output !== undefined,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      const f = r.facts;
      process.stderr.write(
        `wrote ${f.attr} ${f.version} (${f.buildSystem}) to ${r.file}` +
          (f.deps.unmapped.length > 0 ? `; not mapped: ${f.deps.unmapped.join(", ")}` : "") +
          "\n",
      );
      process.stdout.write(`${r.file}\n`);
      if (opts.try === undefined) return;
      const attr = `${opts.try.replace(/\.$/, "")}.${f.attr}`;
      const self = [process.argv[1]!, "-f", r.file];
      const run = (args: string[]) =>
        spawnSync(process.execPath, [...self, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
          encoding: "utf8",
        });
      const build = () => {
        const b = run(["build", "--no-out-link", attr]);
        process.stderr.write(b.stderr);
        process.stderr.write(b.stdout);
        if (b.status === 0) return { built: b, tail: "", log: "" };
        const log =
          spawnSync(process.execPath, [...self, "log", attr], { encoding: "utf8" }).stdout ?? "";
        return { built: b, log, tail: `${log.split("\n").slice(-80).join("\n")}\n${b.stderr}` };
      };
      let { built, tail, log } = build();
      if (built.status !== 0 && f.emulateHostPrograms !== true && ranHostProgram(tail)) {
        // It ran a program it had just built for the host platform: once more, with qemu at hand.
        process.stderr.write(
          `${f.attr} runs a program it has built (Exec format error): trying again with emulateHostPrograms: true\n`,
        );
        f.emulateHostPrograms = true;
        replaceFile(r.file, addToOverlay(readFileSync(r.file, "utf8"), f.attr, overlayEntry(f)));
        ({ built, tail, log } = build());
      }
      if (built.status !== 0) {
        const cause = likelyCause(tail);
        const last = log
          .split("\n")
          .filter((l) => /error|Error|No rule|cannot|not found|failed/.test(l))
          .slice(-1)[0]
          ?.trim();
        throw new XpkgsError(
          `${attr} did not build.` +
            (cause !== null
              ? ` Likely cause: ${cause}.`
              : last !== undefined
                ? ` Its log says: ${last.slice(0, 200)}.`
                : "") +
            ` Edit ${r.file} and try again.`,
        );
      }
      // The program Debian's package name suggested, or else what the build installed.
      const out = built.stdout.trim().split("\n")[0] ?? "";
      const installed = ["bin", "sbin"].flatMap((d) =>
        existsSync(join(out, d)) ? readdirSync(join(out, d)).sort() : [],
      );
      if (installed.length > 0 && (f.mainProgram === null || !installed.includes(f.mainProgram))) {
        const pick = installed.find((p) => p.startsWith(f.pname.slice(0, 3))) ?? installed[0]!;
        process.stderr.write(
          `its program is ${pick} (the build installed ${installed.slice(0, 8).join(", ")})\n`,
        );
        const text = readFileSync(r.file, "utf8");
        const begin = text.indexOf(`// xpkgs-import: ${f.attr}\n`);
        const stop = text.indexOf(`// xpkgs-import-end: ${f.attr}`, begin);
        const entry = text.slice(begin, stop);
        const fixed = /mainProgram: "[^"]*",/.test(entry)
          ? entry.replace(/mainProgram: "[^"]*",/, `mainProgram: ${JSON.stringify(pick)},`)
          : entry.replace("meta: {", `meta: {\n        mainProgram: ${JSON.stringify(pick)},`);
        replaceFile(r.file, text.slice(0, begin) + fixed + text.slice(stop));
        f.mainProgram = pick;
      }
      if (f.mainProgram === null) return;
      // It runs on its CPU when --version (or else --help) answers; some tools exit 1 after their usage.
      for (const flag of ["--version", "--help"]) {
        // Bounded: an interactive program may wait for a terminal instead of answering.
        const ran = await runBounded([...self, "run", attr, "--", flag], 30_000);
        const said = `${ran.stdout}${ran.stderr}`.trim();
        // Ran: it answered (even with a non-zero status, as tools that need root do), and neither
        // qemu nor the CPU stopped it (a signal, an illegal instruction, status 126 and up).
        const crashed =
          ran.status === null ||
          ran.status >= 126 ||
          /qemu: |Illegal instruction|Segmentation fault|^error: /m.test(ran.stderr);
        if (ran.status === 0 || (!crashed && said !== "")) {
          process.stderr.write(`${f.mainProgram} ${flag}: ${said.split("\n")[0]}\n`);
          return;
        }
      }
      throw new XpkgsError(
        `${attr} built, but '${f.mainProgram} --version' and '--help' failed (or did not answer within 30 s) under its platform's emulator. ` +
          `Check meta.mainProgram (and add meta.smokeTest) in ${r.file}.`,
      );
    });
}

/** Writes `text` in place of `file`, whole or not at all. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
