import type { Command } from "commander";
import { existsSync } from "node:fs";
import { XpkgsError } from "../errors.js";
import { ldd } from "../elf/ldd.js";
import { readElf } from "./elf-input.js";

export function registerLdd(program: Command): void {
  program
    .command("ldd")
    .description(
      "List the interpreter and the shared libraries an ELF file loads, resolved as the dynamic " +
        "loader would (RPATH, RUNPATH, ld.so.conf, default directories) under a sysroot. Never " +
        "runs the file, so it works on foreign binaries.\n" +
        "Example: xpkgs ldd --root /usr/aarch64-linux-gnu result/bin/readelf",
    )
    .argument("<file>", "an ELF executable or shared library")
    .option("--root <dir>", "the sysroot the libraries are looked up in", "/")
    .option("--json", "print the result as JSON")
    .action((file: string, opts: { root: string; json?: boolean }) => {
      const elf = readElf(file);
      if (!existsSync(opts.root)) throw new XpkgsError(`--root ${opts.root}: no such directory.`);
      if (elf.dynamic.length === 0 && elf.interpreter === null) {
        if (opts.json === true) {
          process.stdout.write(`${JSON.stringify({ static: true, libraries: [] }, null, 2)}\n`);
        } else process.stdout.write("\tstatically linked\n");
        return;
      }
      const r = ldd(file, opts.root);
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify({ static: false, ...r }, null, 2)}\n`);
      } else {
        for (const l of r.libraries) {
          process.stdout.write(`\t${l.name} => ${l.path ?? "not found"}\n`);
        }
        if (r.interpreter !== null) {
          process.stdout.write(
            `\t${r.interpreterPath ?? `${r.interpreter} (not found under ${opts.root})`}\n`,
          );
        }
      }
      if (r.libraries.some((l) => l.path === null)) process.exitCode = 1;
    });
}
