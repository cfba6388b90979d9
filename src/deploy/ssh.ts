/**
 * Talking to a device with the system's OpenSSH client. One master
 * connection (ControlMaster) carries every command, so a copy logs in once.
 * The device needs only sshd and a POSIX shell: every command is a `sh -c`
 * script, and files travel on a command's standard input into `cat`.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";
import { findProgram } from "../host/find-program.js";

export interface SshTarget {
  user: string | null;
  host: string;
  port: number | null;
  /** The folder on the device, or null for the login folder. */
  dir: string | null;
}

export const sshUrlHelp = "ssh://[user@]host[:port][/dest/dir]";

/** Parses `ssh://[user@]host[:port][/dest/dir]`; the path is absolute on the device. */
export function parseSshUrl(url: string): SshTarget {
  const m = /^ssh:\/\/(?:([^@/\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^:/@\s[\]]+)(?::(\d+))?(\/.*)?$/.exec(
    url,
  );
  if (m === null) {
    throw new XpkgsError(
      `--to ${url} is not a device address. Write it as ${sshUrlHelp}, e.g. ssh://root@192.168.1.20/opt/bin.`,
    );
  }
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) {
    throw new XpkgsError(`--to ${url}: port ${port} is not between 1 and 65535.`);
  }
  const host = m[2]!.replace(/^\[(.*)\]$/, "$1");
  const dir = m[4] === undefined || m[4] === "/" ? (m[4] ?? null) : m[4].replace(/\/+$/, "");
  return { user: m[1] ?? null, host, port, dir };
}

export function formatTarget(t: SshTarget): string {
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  return `ssh://${t.user !== null ? `${t.user}@` : ""}${host}${t.port !== null ? `:${t.port}` : ""}${t.dir ?? ""}`;
}

/** A word quoted for a POSIX shell. */
export const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface SshOptions {
  identity?: string | undefined;
  /** Extra `-o Option=value` settings for ssh. */
  options?: string[] | undefined;
  /** Seconds to wait for the connection. */
  timeout: number;
}

export interface RemoteResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** An OpenSSH master connection to the device, and commands over it. */
export class SshSession {
  private readonly controlDir: string;
  private open = false;

  constructor(
    readonly target: SshTarget,
    private readonly opts: SshOptions,
  ) {
    if (findProgram("ssh") === null) {
      throw new XpkgsError(
        "copy needs the OpenSSH client (ssh), which is not installed. Install it: apt-get install openssh-client",
      );
    }
    this.controlDir = mkdtempSync(join(tmpdir(), "xpkgs-ssh-"));
  }

  /** The ssh arguments before the remote command. */
  args(): string[] {
    const a = [
      "-o",
      "BatchMode=yes",
      "-o",
      `ConnectTimeout=${this.opts.timeout}`,
      "-o",
      "ServerAliveInterval=10",
      "-o",
      "ServerAliveCountMax=3",
      "-o",
      `ControlPath=${join(this.controlDir, "master")}`,
    ];
    if (this.target.port !== null) a.push("-p", String(this.target.port));
    if (this.opts.identity !== undefined)
      a.push("-i", this.opts.identity, "-o", "IdentitiesOnly=yes");
    for (const o of this.opts.options ?? []) a.push("-o", o);
    a.push(this.destination());
    return a;
  }

  destination(): string {
    return `${this.target.user !== null ? `${this.target.user}@` : ""}${this.target.host}`;
  }

  /** Logs in once; later commands ride this connection. */
  connect(): void {
    const errFile = join(this.controlDir, "connect.err");
    const fd = openSync(errFile, "w");
    let r: ReturnType<typeof spawnSync>;
    try {
      // -f: background after login; its stderr goes to a file, so no pipe is left open.
      r = spawnSync("ssh", ["-M", "-N", "-f", ...this.args()], {
        stdio: ["ignore", "ignore", fd],
        timeout: (this.opts.timeout + 30) * 1000,
      });
    } finally {
      closeSync(fd);
    }
    const err = readFileSync(errFile, "utf8").trim();
    if (r.error !== undefined || r.status !== 0) {
      throw new XpkgsError(
        this.connectionError(err || (r.error?.message ?? `ssh exit ${r.status}`)),
      );
    }
    this.open = true;
  }

  private connectionError(sshSays: string): string {
    const where = formatTarget({ ...this.target, dir: null });
    let hint = "Check the address, that the device is on and runs sshd, and the network between.";
    if (/Permission denied|publickey/i.test(sshSays)) {
      hint =
        "The device refused the login: name the key it accepts with -i KEY (copy uses no passwords).";
    } else if (/Host key verification failed|REMOTE HOST IDENTIFICATION/i.test(sshSays)) {
      hint =
        "ssh does not know this device's host key yet: log in once with ssh to accept it, or pass -o StrictHostKeyChecking=accept-new.";
    } else if (/timed out/i.test(sshSays)) {
      hint = `Nothing answered within ${this.opts.timeout} s (--timeout). ${hint}`;
    }
    return `cannot reach the device at ${where}: ${sshSays.split("\n").slice(-3).join(" ")}. ${hint}`;
  }

  /** Runs a POSIX shell script on the device, with `input` on its standard input. */
  run(script: string, input?: Uint8Array, timeoutSeconds = 300): RemoteResult {
    if (!this.open) throw new Error("SshSession.run before connect");
    const r = spawnSync("ssh", ["-o", "ControlMaster=no", ...this.args(), `sh -c ${shq(script)}`], {
      input: input ?? Buffer.alloc(0),
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutSeconds * 1000,
    });
    if (r.error !== undefined) {
      throw new XpkgsError(
        `the command on the device did not finish: ${r.error.message}. The connection may have dropped; try again.`,
      );
    }
    const stderr = r.stderr.toString("utf8");
    if (r.status === 255 && /^(ssh|mux_client|Control socket|kex_exchange)/m.test(stderr)) {
      throw new XpkgsError(this.connectionError(stderr.trim()));
    }
    return { status: r.status ?? 128, stdout: r.stdout.toString("utf8"), stderr };
  }

  close(): void {
    if (this.open) {
      spawnSync("ssh", ["-O", "exit", ...this.args()], { stdio: "ignore", timeout: 10_000 });
      this.open = false;
    }
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}
