/**
 * For tests: a real OpenSSH server (Debian's openssh-server) in a network
 * namespace of its own, reached over a veth pair whose two addresses exist
 * only on that pair. Throwaway host and client keys; a read-only folder and a
 * tiny tmpfs on the "device" for the failure cases. Needs root, ip and sshd.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SshdFixture {
  /** The device's address and port. */
  address: string;
  port: number;
  /** An address on the same link where nothing answers. */
  deadAddress: string;
  /** The client key to log in with, and the ssh options that trust the throwaway host key. */
  identity: string;
  sshOptions: string[];
  /** Folders on the device: writable, read-only, and a 64 KiB tmpfs. */
  home: string;
  readOnly: string;
  small: string;
  /** The bare busybox device, when `startSshd` was given a busybox. */
  busybox: BusyboxDevice | null;
  stop(): void;
}

export function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: ${r.error?.message ?? r.stderr.trim()}`);
  }
}

export function waitForPort(host: string, port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect({ host, port });
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${host}:${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * A second device on the same address: sshd chrooted into a folder that holds
 * only a static busybox (sh and its applets) and /dev/null. No C library, no
 * bash, no coreutils: the bare edge device of the seed.
 */
export interface BusyboxDevice {
  port: number;
  /** The device's / here; its folder /home is `join(root, "home")`. */
  root: string;
}

function busyboxRoot(busybox: string, mounts: string[]): string {
  // sshd wants every component of a chroot owned by root and writable by no one else (not /tmp).
  const root = mkdtempSync("/run/xpkgs-busybox-device-");
  chmodSync(root, 0o755);
  for (const d of ["bin", "dev", "root", "home"]) mkdirSync(join(root, d));
  copyFileSync(busybox, join(root, "bin/busybox"));
  chmodSync(join(root, "bin/busybox"), 0o755);
  const applets = ["sh", "cat", "chmod", "mkdir", "mv", "rm", "tar", "sha256sum", "uname"];
  for (const a of [...applets, "readlink", "ls", "true", "false"]) {
    symlinkSync("busybox", join(root, "bin", a));
  }
  // sshd starts root's login shell, /bin/bash: here, busybox's sh under that name.
  writeFileSync(join(root, "bin/bash"), '#!/bin/sh\nexec /bin/sh "$@"\n', { mode: 0o755 });
  writeFileSync(join(root, "dev/null"), "");
  sh("mount", ["--bind", "/dev/null", join(root, "dev/null")]);
  mounts.push(join(root, "dev/null"));
  return root;
}

export async function startSshd(opts: { busybox?: string } = {}): Promise<SshdFixture> {
  const id = (process.pid % 200) + 20;
  const ns = `xpkgs-test-${process.pid}`;
  const outer = `xpk${process.pid}a`.slice(0, 15);
  const inner = `xpk${process.pid}b`.slice(0, 15);
  const address = `10.231.${id}.2`;
  const port = 2222;
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-sshd-"));
  const mounts: string[] = [];
  const servers: ChildProcess[] = [];
  let bareRoot: string | null = null;
  let nsMade = false;
  const stop = () => {
    for (const s of servers) if (s.exitCode === null) s.kill("SIGTERM");
    for (const m of mounts.reverse()) spawnSync("umount", ["-l", m]);
    if (nsMade) spawnSync("ip", ["netns", "del", ns]);
    spawnSync("ip", ["link", "del", outer], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
    if (bareRoot !== null) rmSync(bareRoot, { recursive: true, force: true });
  };
  try {
    sh("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "xpkgs-test-host",
      "-f",
      join(dir, "host_key"),
    ]);
    sh("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "xpkgs-test-client",
      "-f",
      join(dir, "client_key"),
    ]);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
    const hostPub = readFileSync(join(dir, "host_key.pub"), "utf8").trim();
    writeFileSync(join(dir, "known_hosts"), `[${address}]:${port} ${hostPub}\n`);
    const home = join(dir, "device");
    const readOnly = join(dir, "device-ro");
    const small = join(dir, "device-small");
    for (const d of [home, readOnly, small]) mkdirSync(d);
    sh("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "xpkgs-test-ro", readOnly]);
    mounts.push(readOnly);
    sh("mount", ["-t", "tmpfs", "-o", "size=64k", "xpkgs-test-small", small]);
    mounts.push(small);
    const config = (p: number, extra: string[]) =>
      [
        `Port ${p}`,
        `ListenAddress ${address}`,
        `HostKey ${join(dir, "host_key")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        `PidFile ${join(dir, `sshd-${p}.pid`)}`,
        "StrictModes no",
        "UsePAM no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "LogLevel ERROR",
        ...extra,
        "",
      ].join("\n");
    writeFileSync(join(dir, "sshd_config"), config(port, []));
    if (opts.busybox !== undefined) {
      bareRoot = busyboxRoot(opts.busybox, mounts);
      writeFileSync(
        join(dir, "sshd_config_busybox"),
        config(port + 1, [`ChrootDirectory ${bareRoot}`]),
      );
    }
    mkdirSync("/run/sshd", { recursive: true });
    sh("ip", ["netns", "add", ns]);
    nsMade = true;
    sh("ip", ["link", "add", outer, "type", "veth", "peer", "name", inner]);
    sh("ip", ["link", "set", inner, "netns", ns]);
    sh("ip", ["addr", "add", `10.231.${id}.1/24`, "dev", outer]);
    sh("ip", ["link", "set", outer, "up"]);
    sh("ip", ["-n", ns, "addr", "add", `${address}/24`, "dev", inner]);
    sh("ip", ["-n", ns, "link", "set", inner, "up"]);
    sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
    const serve = (configFile: string, p: number) => {
      const log = openSync(join(dir, `sshd-${p}.log`), "w");
      servers.push(
        spawn("ip", ["netns", "exec", ns, "/usr/sbin/sshd", "-D", "-e", "-f", configFile], {
          stdio: ["ignore", "ignore", log],
        }),
      );
      closeSync(log);
      return waitForPort(address, p, 10_000);
    };
    await serve(join(dir, "sshd_config"), port);
    if (bareRoot !== null) await serve(join(dir, "sshd_config_busybox"), port + 1);
    // A known_hosts line for the second port too (same host key).
    writeFileSync(join(dir, "known_hosts"), `[${address}]:${port + 1} ${hostPub}\n`, { flag: "a" });
    return {
      address,
      port,
      deadAddress: `10.231.${id}.3`,
      identity: join(dir, "client_key"),
      sshOptions: [`UserKnownHostsFile=${join(dir, "known_hosts")}`, "StrictHostKeyChecking=yes"],
      home,
      readOnly,
      small,
      busybox: bareRoot === null ? null : { port: port + 1, root: bareRoot },
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}
