/** Runs the built `xpkgs` command as a user would, for the CLI tests. */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("./main.js", import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string | Buffer,
): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    input,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like runCli, without blocking the event loop (for tests that serve HTTP themselves). */
export function runCliAsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(cwd !== undefined ? { cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/**
 * The store for end-to-end package builds: the one scripts/run-tests.mjs made
 * for this run (shared by the test files), or a fresh one under `root`.
 */
export function e2eStoreEnv(root: string): Record<string, string> {
  return {
    XPKGS_STORE_DIR: process.env.XPKGS_E2E_STORE ?? `${root}/store`,
    XPKGS_CACHE_DIR: process.env.XPKGS_E2E_CACHE ?? `${root}/cache`,
  };
}
