/**
 * A package's smoke test: run its main program, on this machine or under
 * qemu-user, and match what it prints against what its recipe expects.
 * Without `meta.smokeTest`, `--version` must print the package's version.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildMachinePlatform, type Platform } from "../systems/elaborate.js";
import { programRunner } from "../toolchains/runner.js";
import type { Package } from "./package.js";

export interface SmokeTest {
  args: string[];
  /** A regular expression over stdout followed by stderr. */
  expect: string;
}

export interface SmokeResult {
  ok: boolean;
  /** The command line that ran (or would have). */
  command: string[];
  /** What went wrong, in a few words; empty when ok. */
  reason: string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function smokeTestOf(pkg: Package): SmokeTest | null {
  if (pkg.meta.mainProgram === undefined) return null;
  return pkg.meta.smokeTest ?? { args: ["--version"], expect: escapeRegExp(pkg.version) };
}

/**
 * How the command line is made from the runner (qemu and its flags, or nothing),
 * the program and its arguments: as is by default; the matrix puts it in an empty root.
 */
export type SmokeCommandLine = (runner: string[], program: string, args: string[]) => string[];

const directly: SmokeCommandLine = (runner, program, args) => [...runner, program, ...args];

/** Runs the smoke test of `pkg`, whose output is at `outPath` (default: its store path). */
export function runSmokeTest(
  pkg: Package,
  outPath: string = pkg.out,
  build: Platform = buildMachinePlatform(),
  commandLine: SmokeCommandLine = directly,
): SmokeResult {
  const test = smokeTestOf(pkg);
  if (test === null) {
    return {
      ok: false,
      command: [],
      reason: `${pkg.pname} has no main program (meta.mainProgram)`,
    };
  }
  const program = join(outPath, "bin", pkg.meta.mainProgram!);
  const runner = programRunner(pkg.hostPlatform, build);
  const command = commandLine(runner ?? [], program, test.args);
  if (runner === null) {
    return {
      ok: false,
      command,
      reason: `this machine cannot run ${pkg.hostPlatform.config} programs`,
    };
  }
  const r = spawnSync(command[0]!, command.slice(1), {
    encoding: "utf8",
    timeout: 60_000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.error !== undefined) return { ok: false, command, reason: r.error.message };
  if (r.status !== 0) {
    const first = output.trim().split("\n")[0] ?? "";
    return { ok: false, command, reason: `exit ${r.status ?? r.signal}: ${first}` };
  }
  if (!new RegExp(test.expect).test(output)) {
    return {
      ok: false,
      command,
      reason: `output ${JSON.stringify(output.slice(0, 80))} does not match /${test.expect}/`,
    };
  }
  return { ok: true, command, reason: "" };
}
