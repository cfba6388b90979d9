/**
 * For the cache tests: the two other parties of a binary cache. Nix itself
 * (Debian's nix-bin, with its store dir set to ours) and a fresh xpkgs store
 * at the same store dir, as on another machine: the CLI runs in a mount
 * namespace of its own where an empty folder is bound over the store dir.
 * Needs root (unshare -m) and nix.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { cliPath, type CliResult } from "../../cli/testing.js";

export function nixAvailable(): string | null {
  if (spawnSync("nix", ["--version"]).status !== 0)
    return "nix (Debian's nix-bin) is not installed";
  if (process.getuid?.() !== 0) return "needs root, for unshare -m";
  return null;
}

const nixFlags = [
  "--extra-experimental-features",
  "nix-command",
  "--option",
  "build-users-group",
  "",
];

function collect(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

export interface NixClient {
  env: NodeJS.ProcessEnv;
  /** `local?…` URL of a Nix store of its own with our store dir. */
  localStore: string;
  realDir: string;
  run(args: string[]): CliResult;
  /** As run, without blocking this process (for a server in it). */
  runAsync(args: string[]): Promise<CliResult>;
}

export function nixClient(root: string, storeDir: string): NixClient {
  const dir = mkdtempSync(join(root, "nix-"));
  for (const d of ["state", "log", "conf", "xdg", "real", "home"]) mkdirSync(join(dir, d));
  const env = {
    ...process.env,
    NIX_STORE_DIR: storeDir,
    NIX_STATE_DIR: join(dir, "state"),
    NIX_LOG_DIR: join(dir, "log"),
    NIX_CONF_DIR: join(dir, "conf"),
    XDG_CACHE_HOME: join(dir, "xdg"),
    HOME: join(dir, "home"),
  };
  const realDir = join(dir, "real");
  const localStore = `local?store=${storeDir}&real=${realDir}&state=${join(dir, "lstate")}&log=${join(dir, "llog")}`;
  return {
    env,
    localStore,
    realDir,
    run(args) {
      const r = spawnSync("nix", [...nixFlags, ...args], { env, encoding: "utf8" });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    runAsync(args) {
      return collect(
        spawn("nix", [...nixFlags, ...args], { env, stdio: ["ignore", "pipe", "pipe"] }),
      );
    },
  };
}

export interface FreshClient {
  /** Where the fresh store's files are, seen from outside its namespace. */
  storeFiles: string;
  stateDir: string;
  env: Record<string, string>;
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
}

/** An empty xpkgs store at `storeDir`, as another machine would have; each `run` is a CLI call there. */
export function freshClient(root: string, storeDir: string, prefix: string[] = []): FreshClient {
  const dir = mkdtempSync(join(root, "fresh-"));
  const storeFiles = join(dir, "store");
  const stateDir = join(dir, "var");
  mkdirSync(storeFiles);
  const env = { XPKGS_STORE_DIR: storeDir, XPKGS_STATE_DIR: stateDir };
  return {
    storeFiles,
    stateDir,
    env,
    run(args, extraEnv = {}) {
      const script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"';
      const argv = [
        ...prefix,
        "unshare",
        "-m",
        "sh",
        "-c",
        script,
        "sh",
        storeFiles,
        storeDir,
        process.execPath,
        cliPath,
        ...args,
      ];
      return collect(
        spawn(argv[0]!, argv.slice(1), {
          env: { ...process.env, ...env, ...extraEnv },
          stdio: ["ignore", "pipe", "pipe"],
        }),
      );
    },
  };
}
