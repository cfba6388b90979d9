import type { Command } from "commander";
import { chmodSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { ElfEditError, type PatchOptions, patchElf, printInterpreter } from "../elf/patchelf.js";
import { readElf } from "./elf-input.js";

interface PatchelfFlags {
  printInterpreter?: boolean;
  setInterpreter?: string;
  printRpath?: boolean;
  setRpath?: string;
  addRpath?: string;
  removeRpath?: boolean;
  shrinkRpath?: boolean;
  allowedRpathPrefixes?: string;
  forceRpath?: boolean;
  printNeeded?: boolean;
  addNeeded?: string[];
  removeNeeded?: string[];
  replaceNeeded?: string[];
  printSoname?: boolean;
  setSoname?: string;
  output?: string;
}

const collect = (v: string, acc: string[] = []) => [...acc, v];

/** Writes `bytes` to `target` atomically: a temporary file beside it, then a rename. */
export function writeAtomically(target: string, bytes: Uint8Array, mode: number): void {
  const tmp = join(dirname(target), `.${basename(target)}.xpkgs-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes, { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new XpkgsError(`cannot write ${target}: ${(e as Error).message}. The file is unchanged.`);
  }
}

export function registerPatchelf(program: Command): void {
  program
    .command("patchelf")
    .description(
      "Print or change an ELF file's interpreter, RPATH/RUNPATH, NEEDED libraries and SONAME, " +
        "with patchelf's flags. Strings that do not fit go into a new segment; the file is " +
        "replaced atomically, with its permissions, or left untouched on any error.\n" +
        "Example: xpkgs patchelf --set-interpreter /lib64/ld-linux-x86-64.so.2 ./hello",
    )
    .argument("<file...>", "the ELF file (last)")
    .option("--print-interpreter", "print the interpreter (PT_INTERP)")
    .option("--set-interpreter <path>", "set the interpreter")
    .option("--print-rpath", "print DT_RUNPATH (or DT_RPATH)")
    .option("--set-rpath <path>", "set DT_RUNPATH (DT_RPATH with --force-rpath)")
    .option("--add-rpath <path>", "append to the RUNPATH")
    .option("--remove-rpath", "remove DT_RPATH and DT_RUNPATH")
    .option("--shrink-rpath", "keep only the RUNPATH directories that hold a NEEDED library")
    .option(
      "--allowed-rpath-prefixes <prefixes>",
      "with --shrink-rpath: only consider these (colon-separated)",
    )
    .option("--force-rpath", "write DT_RPATH instead of DT_RUNPATH")
    .option("--print-needed", "print the NEEDED libraries")
    .option("--add-needed <lib>", "add a NEEDED library (may be repeated)", collect)
    .option("--remove-needed <lib>", "remove a NEEDED library (may be repeated)", collect)
    .option("--replace-needed <old> <new>", "replace a NEEDED library (also in the version needs)")
    .option("--print-soname", "print DT_SONAME")
    .option("--set-soname <name>", "set DT_SONAME")
    .option("--output <file>", "write the result here instead of replacing the input")
    .action((args: string[], flags: PatchelfFlags, cmd: Command) => {
      // --replace-needed takes two values; commander leaves the second among the arguments.
      const file = args[args.length - 1]!;
      const extra = args.slice(0, -1);
      const replace: [string, string][] = [];
      if (flags.replaceNeeded !== undefined) {
        const neu = extra.shift();
        if (neu === undefined) cmd.error("error: --replace-needed needs two values: OLD NEW");
        replace.push([flags.replaceNeeded as unknown as string, neu!]);
      }
      if (extra.length > 0) cmd.error(`error: one file at a time; unexpected: ${extra.join(" ")}`);
      const elf = readElf(file, true);
      const out: string[] = [];
      try {
        if (flags.printInterpreter === true) out.push(printInterpreter(elf));
        if (flags.printRpath === true) out.push(elf.runpath ?? elf.rpath ?? "");
        if (flags.printNeeded === true) out.push(...elf.needed);
        if (flags.printSoname === true) {
          if (elf.soname === null) throw new ElfEditError("the file has no DT_SONAME.");
          out.push(elf.soname);
        }
        const o: PatchOptions = {};
        if (flags.setInterpreter !== undefined) o.setInterpreter = flags.setInterpreter;
        if (flags.setRpath !== undefined) o.setRpath = flags.setRpath;
        if (flags.addRpath !== undefined) o.addRpath = flags.addRpath;
        if (flags.removeRpath === true) o.removeRpath = true;
        if (flags.forceRpath === true) o.forceRpath = true;
        if (flags.shrinkRpath === true) {
          o.shrinkRpath = { fileDir: dirname(file) };
          if (flags.allowedRpathPrefixes !== undefined) {
            o.shrinkRpath.allowedPrefixes = flags.allowedRpathPrefixes.split(":");
          }
        }
        if (flags.addNeeded !== undefined) o.addNeeded = flags.addNeeded;
        if (flags.removeNeeded !== undefined) o.removeNeeded = flags.removeNeeded;
        if (replace.length > 0) o.replaceNeeded = replace;
        if (flags.setSoname !== undefined) o.setSoname = flags.setSoname;
        if (out.length > 0) process.stdout.write(`${out.join("\n")}\n`);
        if (Object.keys(o).length === 0) {
          if (out.length === 0 && flags.printRpath !== true) {
            cmd.error("error: say what to print or change (see --help).");
          }
          return;
        }
        const patched = patchElf(elf.bytes, o);
        const mode = statSync(file).mode & 0o7777;
        writeAtomically(flags.output ?? file, patched, mode);
      } catch (e) {
        if (e instanceof ElfEditError) throw new XpkgsError(`${file}: ${e.message}`);
        throw e;
      }
    });
}
