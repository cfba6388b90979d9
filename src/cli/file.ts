import type { Command } from "commander";
import { describePath } from "../elf/describe.js";

export function registerFile(program: Command): void {
  program
    .command("file")
    .description(
      "Say what each file is, in file(1)'s words for ELF files (machine, linking, interpreter, " +
        "build ID, stripped); a short type for others. Never runs the file.\n" +
        "Example: xpkgs file result/bin/readelf",
    )
    .argument("<paths...>", "files to describe")
    .option("-b, --brief", "do not prefix each line with the file name")
    .action((paths: string[], opts: { brief?: boolean }) => {
      let failed = false;
      for (const p of paths) {
        let words: string;
        try {
          words = describePath(p);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          words = `cannot open \`${p}' (${code === "ENOENT" ? "No such file or directory" : (e as Error).message})`;
          failed = true;
        }
        process.stdout.write(opts.brief === true ? `${words}\n` : `${p}: ${words}\n`);
      }
      if (failed) process.exitCode = 1;
    });
}
