import type { Command } from "commander";
import { existsSync, realpathSync } from "node:fs";
import { inspectTree } from "../elf/inspect.js";
import { XpkgsError } from "../errors.js";
import { storeDirFromEnv } from "../store/store-dir.js";
import { openUniverse } from "./universe.js";

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description(
      "The portability report: for every ELF file of a build output (an attribute or a path), its " +
        "machine, static or dynamic, interpreter, libraries, RUNPATH, store references, the " +
        "newest glibc it needs, and a verdict.\n" +
        "Example: xpkgs inspect pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped",
    )
    .argument("<path-or-attr>", "a file, a folder, an out-link, or an attribute path")
    .option("--json", "print the reports as JSON")
    .action(async (arg: string, opts: { json?: boolean }, cmd: Command) => {
      const storeDir = storeDirFromEnv();
      let root = arg;
      if (!existsSync(arg)) {
        if (arg.includes("/")) throw new XpkgsError(`${arg}: no such file or directory.`);
        const pkg = (await openUniverse(cmd, storeDir)).resolve(arg);
        root = pkg.out;
        if (!existsSync(root)) {
          throw new XpkgsError(
            `${arg} is not built (${root} does not exist). Run 'xpkgs build ${arg}' first.`,
          );
        }
      } else root = realpathSync(arg);
      const { reports, problems } = inspectTree(root, storeDir);
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify({ root, reports, problems }, null, 2)}\n`);
      } else {
        for (const r of reports) {
          const lines = [
            `${r.path}: ${r.machine} (${r.arch}), ${r.class}-bit ${r.endianness}-endian ${r.kind}, ${r.static ? "static" : "dynamic"}${r.stripped ? ", stripped" : ""}`,
          ];
          if (r.interpreter !== null) lines.push(`  interpreter: ${r.interpreter}`);
          if (r.needed.length > 0) lines.push(`  needed: ${r.needed.join(", ")}`);
          if (r.runpath !== null) lines.push(`  runpath: ${r.runpath}`);
          if (r.glibc !== null) lines.push(`  newest glibc symbol version: GLIBC_${r.glibc}`);
          if (r.glibcxx !== null)
            lines.push(`  newest libstdc++ symbol version: GLIBCXX_${r.glibcxx}`);
          if (r.storeReferences.length > 0) {
            lines.push(`  store references: ${r.storeReferences.join(", ")}`);
          }
          lines.push(`  ${r.verdict}`);
          process.stdout.write(`${lines.join("\n")}\n`);
        }
        for (const p of problems) process.stdout.write(`${p.path}: corrupt ELF: ${p.error}\n`);
        if (reports.length === 0 && problems.length === 0)
          process.stdout.write(`${root}: no ELF files\n`);
      }
      if (problems.length > 0) process.exitCode = 1;
    });
}
