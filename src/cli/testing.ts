/** Runs the built `xpkgs` command as a user would, for the CLI tests. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("./main.js", import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    input,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
