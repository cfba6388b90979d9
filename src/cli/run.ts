import type { Command } from "commander";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";
import { findProgram } from "../host/find-program.js";
import { Store } from "../store/store.js";
import { buildMachinePlatform } from "../systems/elaborate.js";
import { qemuUserPackage } from "../systems/emulator.js";
import { programRunner } from "../toolchains/runner.js";
import { ensureBuilt } from "./realise-attr.js";
import { addBuilderOptions } from "./builder-options.js";
import { addSubstituterOptions } from "./cache-options.js";
import { openUniverse } from "./universe.js";

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A folder with one script per program of `out`/bin/, each running it through `runner`. */
function writeWrappers(out: string, runner: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-run-shell-"));
  const bin = join(out, "bin");
  for (const name of existsSync(bin) ? readdirSync(bin) : []) {
    const program = join(bin, name);
    if (!statSync(program).isFile()) continue;
    const line = [...runner, program].map(quote).join(" ");
    writeFileSync(join(dir, name), `#!/bin/sh\nexec ${line} "$@"\n`, { mode: 0o755 });
  }
  return dir;
}

export function registerRun(program: Command): void {
  addBuilderOptions(addSubstituterOptions(program.command("run")))
    .description(
      "Build an attribute if needed, then run its main program (meta.mainProgram, or --bin) with " +
        "the arguments after --: natively when this machine runs the host platform's programs, " +
        "otherwise under qemu-user, on the platform's own CPU model (-cpu, as `xpkgs platforms` " +
        "lists it, never qemu's default, which accepts every instruction), with -L to the C " +
        "library's sysroot for dynamic glibc programs. Exit status, stdin, stdout and stderr " +
        "pass through.\n" +
        "Example: xpkgs run pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped --bin readelf -- -h /bin/ls",
    )
    .argument("<attr>", "an attribute path")
    .argument("[args...]", "arguments for the program (after --)")
    .option("--bin <name>", "the program under bin/ to run, instead of meta.mainProgram")
    .option(
      "--shell",
      "instead, open $SHELL with a wrapper for each program of bin/ first on PATH (each calls " +
        "qemu when needed, no binfmt); arguments after -- go to the shell",
    )
    .option("-q, --quiet", "no build progress")
    .action(
      async (
        attr: string,
        args: string[],
        opts: { bin?: string; quiet?: boolean; shell?: boolean },
        cmd: Command,
      ) => {
        const store = Store.fromEnv();
        let out: string;
        let command: string[];
        let wrappers: string | null = null;
        try {
          store.cleanup();
          const universe = await openUniverse(cmd, store.storeDir);
          const pkg = universe.resolve(attr);
          const name = opts.bin ?? pkg.meta.mainProgram;
          if (name === undefined && opts.shell !== true) {
            throw new XpkgsError(
              `${attr} has no main program (meta.mainProgram). Name one with --bin, e.g. --bin ${pkg.pname}.`,
            );
          }
          const build = buildMachinePlatform();
          const runner = programRunner(pkg.hostPlatform, build);
          if (runner === null) {
            throw new XpkgsError(
              `This machine cannot run ${pkg.hostPlatform.config} programs: no qemu-user emulates that CPU. ` +
                "Copy the program to such a machine instead.",
            );
          }
          if (runner.length > 0 && findProgram(runner[0]!) === null) {
            throw new XpkgsError(
              `${attr} is for ${pkg.hostPlatform.config}, which this machine runs under ${runner[0]}, ` +
                `and that is not installed. Install it: apt-get install ${qemuUserPackage}`,
            );
          }
          await ensureBuilt(store, universe, pkg, opts.quiet === true, cmd);
          out = pkg.out;
          if (opts.shell === true) {
            wrappers = writeWrappers(out, runner);
            command = [process.env.SHELL ?? "/bin/sh", ...args];
          } else {
            // bin/, else sbin/ (network and system tools install there).
            const programPath = ["bin", "sbin"]
              .map((d) => join(out!, d, name!))
              .reduce((found, p) => (existsSync(found) ? found : p));
            if (!existsSync(programPath)) {
              const bins = existsSync(join(out, "bin")) ? readdirSync(join(out, "bin")).sort() : [];
              throw new XpkgsError(
                `${attr} has no bin/${name}. ` +
                  (bins.length > 0
                    ? `Its programs: ${bins.slice(0, 30).join(", ")}.`
                    : "It has no bin/ at all."),
              );
            }
            command = [...runner, programPath, ...args];
          }
        } finally {
          store.close();
        }
        const env =
          wrappers === null
            ? process.env
            : { ...process.env, PATH: `${wrappers}:${process.env.PATH ?? ""}` };
        const r = spawnSync(command[0]!, command.slice(1), { stdio: "inherit", env });
        if (wrappers !== null) rmSync(wrappers, { recursive: true, force: true });
        if (r.error !== undefined)
          throw new XpkgsError(`cannot run ${command[0]}: ${r.error.message}`);
        // A program killed by a signal exits as a shell reports it: 128 + the signal's number.
        process.exitCode = r.status ?? 128 + (r.signal === null ? 0 : constants.signals[r.signal]);
      },
    );
}
