#!/usr/bin/env node
/**
 * The `xpkgs` command. Each subcommand lives in its own file; this one wires
 * them up and turns errors into one clear paragraph (a stack trace only with --debug).
 */
import { Command, CommanderError } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { startupSnapshot } from "node:v8";
import { XpkgsError } from "../errors.js";
import { aliases, commandName, commands } from "./commands.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** The program with the commands `argv` needs: the one it names, or all of them. */
export async function makeProgram(argv: string[] = []): Promise<Command> {
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
  const named = commandName(argv);
  const wanted = named === null ? null : (aliases[named] ?? named);
  const modules =
    wanted !== null && commands[wanted] !== undefined ? [wanted] : Object.keys(commands);
  for (const register of await Promise.all(modules.map((m) => commands[m]!()))) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // patchelf's command line is patchelf's own (its --version, --debug, @file values): it
  // goes straight to the command, past the global options, and loads nothing else.
  if (argv[0] === "patchelf") return (await import("./patchelf.js")).patchelfMain(argv.slice(1));
  const program = await makeProgram(argv);
  program.exitOverride();
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync(argv, { from: "user" });
    // A command that sets process.exitCode (file, ldd, run…) keeps it.
    return typeof process.exitCode === "number" ? process.exitCode : 0;
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

// A reader that stops early (`xpkgs readelf -a … | head`) closes the pipe. The rest of the
// output is dropped, but the command finishes its work (a copy still cleans up on the device)
// instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
  });
}

function start(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: ${String(e)}\n`);
      process.exitCode = 70;
    },
  );
}

// Built into a start-up snapshot (scripts/bundle.mjs), the CLI starts when the snapshot is
// loaded: `node --snapshot-blob xpkgs.blob -- ARGS` puts ARGS from argv[1] on.
if (startupSnapshot.isBuildingSnapshot()) {
  // Load and run the ELF commands once while the snapshot is made, so that their code is
  // compiled in it; their output goes nowhere.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  const sample = ["/usr/bin/true", "/bin/true"].find((f) => existsSync(f)) ?? process.execPath;
  void (async () => {
    for (const args of [
      ["readelf", "-a", sample],
      ["file", sample],
      ["patchelf", "--print-rpath", "--print-needed", "--print-interpreter", sample],
      ["ldd", sample],
    ]) {
      await main(args);
    }
    process.stdout.write = write;
    process.exitCode = 0;
  })();
  startupSnapshot.setDeserializeMainFunction(() => start(process.argv.slice(1)));
} else {
  start(process.argv.slice(2));
}
