import type { Command } from "commander";
import { addBuilderOptions } from "./builder-options.js";
import { addSubstituterOptions } from "./cache-options.js";
import { mkdtempSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { type BundleManifest, makeBundle, manifestName } from "../deploy/bundle.js";
import { writeTarball } from "../deploy/tarball.js";
import { XpkgsError } from "../errors.js";
import { shipInput } from "./ship-input.js";
import { human } from "./table.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** One line of what a bundle holds, then its warnings. */
export function describeBundle(m: BundleManifest, where: string): string {
  const size = m.files.reduce((s, f) => s + f.size, 0);
  const kind = m.static ? "static" : `dynamic, loader ${m.interpreter}`;
  const lines = [
    `bundled ${Object.keys(m.programs).join(", ")} (${m.arch}, ${kind}): ` +
      `${m.files.length} files and ${manifestName}, ${human(size)} → ${where}`,
    ...m.warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join("\n")}\n`;
}

export function registerBundle(program: Command): void {
  addBuilderOptions(addSubstituterOptions(program.command("bundle")))
    .description(
      "Make programs portable to any Linux of their architecture. A dynamic program gets its " +
        "loader and the closure of its NEEDED libraries (found by reading the ELF files, never by " +
        "running them), its RUNPATH rewritten to $ORIGIN/../lib, and a launcher bin/NAME that " +
        "starts it through the bundled loader. A static program bundles to itself. The bundle's " +
        "xpkgs-bundle.json lists every file with its size and sha256, and the portability report.\n" +
        "Example: xpkgs bundle pkgsCross.aarch64-multiplatform.binutils-unwrapped --bin readelf -o readelf.tar.gz",
    )
    .argument("<what>", "an attribute path, an ELF program, or a package output folder")
    .option(
      "--bin <name>",
      "a program of bin/ to bundle (repeat for more; default meta.mainProgram)",
      collect,
    )
    .option("-o, --output <file>", "write the bundle as a .tar.gz")
    .option("--dir <dir>", "write the bundle as a folder (default ./<program>-bundle)")
    .option("--sysroot <dir>", "where the loader and C library are (default: / or /usr/<triple>)")
    .option("-q, --quiet", "no build progress")
    .action(
      async (
        what: string,
        opts: { bin?: string[]; output?: string; dir?: string; sysroot?: string; quiet?: boolean },
        cmd: Command,
      ) => {
        if (opts.output !== undefined && opts.dir !== undefined) {
          throw new XpkgsError("give either -o FILE.tar.gz or --dir DIR, not both.");
        }
        const input = await shipInput(cmd, what, opts);
        if (input.bundle !== null) {
          throw new XpkgsError(`${what} is a bundle already; copy it with xpkgs copy.`);
        }
        const request = {
          programs: input.programs,
          sysroot: input.sysroot,
          storeDir: input.storeDir,
          source: input.source,
        };
        const name = `${input.programs[0]!.name}-bundle`;
        if (opts.output !== undefined) {
          const out = resolve(opts.output);
          // Made in a scratch folder beside the output, then packed: the folder's name is the tarball's top.
          const scratch = mkdtempSync(join(dirname(out), ".xpkgs-bundle-"));
          try {
            const top = join(scratch, basename(out).replace(/\.(tar\.gz|tgz)$/, "") || name);
            const m = makeBundle(request, top);
            writeTarball(top, out);
            process.stderr.write(describeBundle(m, opts.output));
          } finally {
            rmSync(scratch, { recursive: true, force: true });
          }
        } else {
          const dir = opts.dir ?? name;
          const m = makeBundle(request, resolve(dir));
          process.stderr.write(describeBundle(m, dir));
        }
      },
    );
}
