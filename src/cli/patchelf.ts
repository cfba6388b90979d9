/**
 * `xpkgs patchelf`: patchelf's command line, parsed as patchelf parses it
 * (options in any order and repeated, `@file` values, several files,
 * `--output` copying even when nothing changes), so that scripts and
 * patchelf's own test suite can call it in patchelf's place. Errors are
 * patchelf's words, with the file named, on stderr, and exit status 1.
 */
import type { Command } from "commander";
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { ElfEditError, type PatchOptions, runPatchelf } from "../elf/patchelf.js";

/** The patchelf release whose command line and behaviour this follows. */
export const PATCHELF_COMPAT = "0.14.3";

const usage = `Usage: xpkgs patchelf [OPTION]... FILENAME...
patchelf ${PATCHELF_COMPAT}'s command line: print or change ELF interpreters, RPATHs, NEEDED, SONAMEs.
  [--set-interpreter FILENAME]
  [--page-size SIZE]
  [--print-interpreter]
  [--print-soname]\t\tPrints 'DT_SONAME' entry of .dynamic section.
  [--set-soname SONAME]\t\tSets 'DT_SONAME' entry to SONAME.
  [--set-rpath RPATH]
  [--add-rpath RPATH]
  [--remove-rpath]
  [--shrink-rpath]
  [--allowed-rpath-prefixes PREFIXES]\t\tWith '--shrink-rpath', reject rpath entries not starting with the allowed prefix
  [--print-rpath]
  [--force-rpath]
  [--add-needed LIBRARY]
  [--remove-needed LIBRARY]
  [--replace-needed LIBRARY NEW_LIBRARY]
  [--print-needed]
  [--no-default-lib]
  [--add-debug-tag]
  [--print-os-abi]		Prints the OS ABI (EI_OSABI) by name.
  [--set-os-abi ABI]		Sets it: System V, HP-UX, NetBSD, Linux, GNU Hurd, Solaris, AIX, IRIX, FreeBSD, Tru64, OpenBSD, OpenVMS.
  [--print-execstack]		Prints whether the stack is executable: X, - or ? (no PT_GNU_STACK).
  [--set-execstack]
  [--clear-execstack]
  [--no-sort]		Do not sort the program and section headers.
  [--clear-symbol-version SYMBOL]
  [--output FILE]
  [--debug]
  [--version]
  FILENAME...
A value written @FILE is read from FILE. Every edit is read back and checked
before the file is replaced (atomically, keeping its permissions); on any
error the file is left as it was.
Example: xpkgs patchelf --set-interpreter /lib64/ld-linux-x86-64.so.2 ./hello
`;

class UsageError extends Error {}

function resolveArgument(arg: string): string {
  if (!arg.startsWith("@")) return arg;
  const path = arg.slice(1);
  try {
    statSync(path);
    return readFileSync(path).toString("latin1");
  } catch (e) {
    throw new UsageError(`getting info about '${path}': ${errnoText(e)}`);
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "No such file or directory";
  if (code === "EACCES") return "Permission denied";
  if (code === "EISDIR") return "Is a directory";
  return (e as Error).message;
}

/** Writes `bytes` to `target` atomically: a temporary file beside it, then a rename. */
export function writeAtomically(target: string, bytes: Uint8Array, mode: number): void {
  let existing: ReturnType<typeof statSync> | null = null;
  try {
    existing = statSync(target);
  } catch {
    existing = null;
  }
  if (existing !== null && !existing.isFile()) {
    // A device or a pipe (--output /dev/null): there is nothing to rename over.
    writeFileSync(target, bytes);
    return;
  }
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

interface Parsed {
  o: PatchOptions;
  files: string[];
  output: string | null;
  help: boolean;
  version: boolean;
}

function parseArgs(args: string[]): Parsed {
  const o: PatchOptions = {};
  const files: string[] = [];
  let output: string | null = null;
  const replace = new Map<string, string>();
  const add = new Set<string>();
  const remove = new Set<string>();
  const clear = new Set<string>();
  let setRpath = false;
  let addRpath = false;
  let rpathValue = "";
  let shrink = false;
  let allowed: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      if (++i >= args.length) throw new UsageError("missing argument");
      return args[i]!;
    };
    switch (a) {
      case "--set-interpreter":
      case "--interpreter":
        o.setInterpreter = resolveArgument(value());
        break;
      case "--page-size": {
        const n = Number.parseInt(value(), 10);
        if (!(n > 0)) throw new UsageError("invalid argument to --page-size");
        o.pageSize = n;
        break;
      }
      case "--print-interpreter":
        o.printInterpreter = true;
        break;
      case "--print-soname":
        o.printSoname = true;
        break;
      case "--set-soname":
        o.setSoname = resolveArgument(value());
        break;
      case "--remove-rpath":
        o.removeRpath = true;
        break;
      case "--shrink-rpath":
        shrink = true;
        break;
      case "--allowed-rpath-prefixes":
        allowed = value()
          .split(":")
          .filter((p) => p !== "");
        break;
      case "--set-rpath":
        setRpath = true;
        rpathValue = resolveArgument(value());
        break;
      case "--add-rpath":
        addRpath = true;
        rpathValue = resolveArgument(value());
        break;
      case "--print-rpath":
        o.printRpath = true;
        break;
      case "--force-rpath":
        o.forceRpath = true;
        break;
      case "--print-needed":
        o.printNeeded = true;
        break;
      case "--add-needed":
        add.add(resolveArgument(value()));
        break;
      case "--remove-needed":
        remove.add(resolveArgument(value()));
        break;
      case "--replace-needed":
        if (i + 2 >= args.length) throw new UsageError("missing argument(s)");
        replace.set(args[i + 1]!, args[i + 2]!);
        i += 2;
        break;
      case "--clear-symbol-version":
        clear.add(resolveArgument(value()));
        break;
      case "--output":
        output = resolveArgument(value());
        break;
      case "--debug":
        o.debug = (m) => process.stderr.write(`${m}\n`);
        break;
      case "--no-default-lib":
        o.noDefaultLib = true;
        break;
      case "--add-debug-tag":
        o.addDebugTag = true;
        break;
      case "--print-os-abi":
        o.printOsAbi = true;
        break;
      case "--set-os-abi":
        o.setOsAbi = resolveArgument(value());
        break;
      case "--print-execstack":
        o.printExecstack = true;
        break;
      case "--set-execstack":
        o.execstack = true;
        break;
      case "--clear-execstack":
        o.execstack = false;
        break;
      case "--no-sort":
        o.noSort = true;
        break;
      case "--help":
      case "-h":
        return { o, files, output, help: true, version: false };
      case "--version":
        return { o, files, output, help: false, version: true };
      default:
        files.push(a);
    }
  }
  if (shrink) o.shrinkRpath = { allowedPrefixes: allowed };
  if (setRpath) o.setRpath = rpathValue;
  if (addRpath) o.addRpath = rpathValue;
  if (add.size > 0) o.addNeeded = [...add];
  if (remove.size > 0) o.removeNeeded = [...remove];
  if (replace.size > 0) o.replaceNeeded = [...replace];
  if (clear.size > 0) o.clearSymbolVersion = [...clear];
  if (files.length === 0) throw new UsageError("missing filename");
  if (output !== null && files.length !== 1) {
    throw new UsageError("--output option only allowed with single input file");
  }
  if (setRpath && addRpath) throw new UsageError("--set-rpath option not allowed with --add-rpath");
  return { o, files, output, help: false, version: false };
}

/** The whole command; returns the exit status. */
export function patchelfMain(args: string[]): number {
  if (args.length === 0) {
    process.stderr.write(usage);
    return 1;
  }
  try {
    const p = parseArgs(args);
    if (p.help) {
      process.stdout.write(usage);
      return 0;
    }
    if (p.version) {
      process.stdout.write(`patchelf ${PATCHELF_COMPAT} (xpkgs patchelf)\n`);
      return 0;
    }
    if (process.env.PATCHELF_DEBUG !== undefined && p.o.debug === undefined) {
      p.o.debug = (m) => process.stderr.write(`${m}\n`);
    }
    for (const file of p.files) patchOne(file, p);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ElfEditError || e instanceof XpkgsError) {
      process.stderr.write(`patchelf: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function patchOne(file: string, p: Parsed): void {
  let bytes: Buffer;
  let mode: number;
  try {
    const st = statSync(file);
    mode = st.mode & 0o7777;
    bytes = readFileSync(file);
  } catch (e) {
    throw new UsageError(`getting info about '${file}': ${errnoText(e)}`);
  }
  const printing =
    p.o.printOsAbi === true ||
    p.o.printExecstack === true ||
    p.o.printInterpreter === true ||
    p.o.printRpath === true ||
    p.o.printSoname === true ||
    p.o.printNeeded === true;
  if (!printing) p.o.debug?.(`patching ELF file '${file}'`);
  let r;
  try {
    r = runPatchelf(bytes, p.o);
  } catch (e) {
    if (e instanceof ElfEditError) throw new ElfEditError(`${file}: ${e.message}`);
    throw e;
  }
  if (r.printed.length > 0) process.stdout.write(`${r.printed.join("\n")}\n`);
  const target = p.output ?? file;
  if (r.changed || p.output !== null) {
    let targetMode = mode;
    if (p.output !== null) {
      try {
        targetMode = statSync(target).mode & 0o7777;
      } catch {
        targetMode = mode;
      }
    }
    p.o.debug?.(`writing ${target}`);
    writeAtomically(target, r.bytes, targetMode);
  }
}

export function registerPatchelf(program: Command): void {
  program
    .command("patchelf")
    .description(
      "Print or change an ELF file's interpreter, RPATH/RUNPATH, NEEDED libraries and SONAME, " +
        `with patchelf ${PATCHELF_COMPAT}'s command line (xpkgs patchelf --help lists it). ` +
        "Every edit is read back and checked before the file is replaced atomically.\n" +
        "Example: xpkgs patchelf --set-interpreter /lib64/ld-linux-x86-64.so.2 ./hello",
    )
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[args...]", "patchelf's options and files")
    .action((args: string[]) => {
      process.exitCode = patchelfMain(args);
    });
}
