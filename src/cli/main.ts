#!/usr/bin/env node
/**
 * The `xpkgs` command. Each subcommand lives in its own file; this one wires
 * them up and turns errors into one clear paragraph (a stack trace only with --debug).
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { XpkgsError } from "../errors.js";
import { registerBuild } from "./build.js";
import { registerDerivationAdd } from "./derivation-add.js";
import { registerDoctor } from "./doctor.js";
import { registerFile } from "./file.js";
import { registerInspect } from "./inspect.js";
import { registerLdd } from "./ldd.js";
import { registerPatchelf } from "./patchelf.js";
import { registerReadelf } from "./readelf.js";
import { registerGc } from "./gc.js";
import { registerList } from "./list.js";
import { registerLog } from "./log.js";
import { registerPathInfo } from "./path-info.js";
import { registerStore } from "./store.js";
import { registerPlatforms } from "./platforms.js";
import { registerShow } from "./show.js";
import { registerShowDerivation } from "./show-derivation.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export function makeProgram(): Command {
  const program = new Command();
  program
    .name("xpkgs")
    .description(
      "Cross-compile and statically link real open-source packages, with Nix-compatible store paths.\n" +
        "Example: xpkgs show pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped",
    )
    .version(pkg.version, "--version", "print the xpkgs version")
    .option("--debug", "print stack traces on errors")
    .option(
      "-f, --overlay <file>",
      "load an overlay file (TypeScript or JavaScript); may be repeated. xpkgs.config.ts in the " +
        "project directory or ~/.config/xpkgs/config.ts is loaded first when present",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: true });
  registerPlatforms(program);
  registerShow(program);
  registerShowDerivation(program);
  registerDerivationAdd(program);
  registerBuild(program);
  registerGc(program);
  registerPathInfo(program);
  registerStore(program);
  registerLog(program);
  registerDoctor(program);
  registerList(program);
  registerFile(program);
  registerReadelf(program);
  registerLdd(program);
  registerInspect(program);
  registerPatchelf(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram();
  program.exitOverride();
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed the usage message (or the help) already.
      return e.exitCode;
    }
    if (e instanceof XpkgsError) {
      process.stderr.write(`error: ${e.message}\n`);
      if (debug && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
      return 1;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(
      `error: internal error: ${err.message}\n` +
        (debug
          ? `${err.stack ?? ""}\n`
          : "This is a bug in xpkgs. Run the command again with --debug for the stack trace and report it.\n"),
    );
    return 70;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${String(e)}\n`);
    process.exitCode = 70;
  },
);
