/**
 * Opening a serve-protocol session on a machine: `ssh … nix-store --serve
 * --write`, with the machine's key and host key, in batch mode, with
 * keep-alives so that a machine that dies is noticed within seconds.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shq } from "../deploy/ssh.js";
import { XpkgsError } from "../errors.js";
import { findProgram } from "../host/find-program.js";
import { type Machine, machineName } from "./machines.js";
import { ServeClient } from "./serve-client.js";

export interface ConnectOptions {
  onStderrLine?: (line: string) => void;
  /** Seconds to wait for the SSH connection. */
  connectTimeout?: number;
  /** Extra `-o` options (tests). */
  sshOptions?: string[];
}

/** The ssh command line that runs `command` (default: the serve protocol) on `m`. */
export function sshArgv(
  m: Machine,
  knownHosts: string | null,
  opts: ConnectOptions,
  command?: string,
): string[] {
  const args = [
    "-x",
    "-a",
    "-T",
    "-oBatchMode=yes",
    `-oConnectTimeout=${opts.connectTimeout ?? 10}`,
    "-oServerAliveInterval=5",
    "-oServerAliveCountMax=3",
    "-oLogLevel=ERROR",
  ];
  if (m.port !== null) args.push("-p", String(m.port));
  if (m.sshKey !== null) args.push("-i", m.sshKey, "-oIdentitiesOnly=yes");
  if (knownHosts !== null)
    args.push(`-oUserKnownHostsFile=${knownHosts}`, "-oStrictHostKeyChecking=yes");
  for (const o of opts.sshOptions ?? []) args.push(`-o${o}`);
  // `--` first: a host or user that starts with '-' is never read as an option.
  args.push("--", m.user !== null ? `${m.user}@${m.host}` : m.host);
  const remote = [m.remoteProgram, "--serve", "--write"];
  if (m.remoteStore !== null) remote.push("--store", m.remoteStore);
  args.push(command ?? remote.map(shq).join(" "));
  return args;
}

function knownHostsFor(m: Machine): { file: string | null; cleanup: () => void } {
  if (m.hostKey === null) return { file: null, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-builder-"));
  const file = join(dir, "known_hosts");
  const host = m.port !== null && m.port !== 22 ? `[${m.host}]:${m.port}` : m.host;
  writeFileSync(file, `${host} ${m.hostKey}\n`);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function sshProgram(): string {
  const ssh = findProgram("ssh");
  if (ssh === null) {
    throw new XpkgsError(
      "Remote builders are reached over SSH, and ssh is not installed. Install it: apt-get install openssh-client",
    );
  }
  return ssh;
}

/** Runs a shell command on `m`; its status and output, within `timeoutMs`. */
export function runOnMachine(
  m: Machine,
  command: string,
  timeoutMs = 30_000,
  opts: ConnectOptions = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const kh = knownHostsFor(m);
  const child = spawn(sshProgram(), sshArgv(m, kh.file, opts, command), {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => {
    const done = (status: number | null) => {
      clearTimeout(timer);
      kh.cleanup();
      resolve({ status, stdout, stderr });
    };
    child.once("error", (e) => {
      stderr += e.message;
      done(null);
    });
    child.once("close", (code) => done(code));
  });
}

export async function connectMachine(m: Machine, opts: ConnectOptions = {}): Promise<ServeClient> {
  const ssh = sshProgram();
  const kh = knownHostsFor(m);
  const child = spawn(ssh, sshArgv(m, kh.file, opts), { stdio: ["pipe", "pipe", "pipe"] });
  child.once("close", kh.cleanup);
  child.once("error", kh.cleanup);
  try {
    return await ServeClient.open(child, {
      name: machineName(m),
      ...(opts.onStderrLine !== undefined ? { onStderrLine: opts.onStderrLine } : {}),
    });
  } catch (e) {
    child.kill("SIGKILL");
    throw e;
  }
}
