/**
 * For tests: real Nix builders on this machine. Each is Debian's sshd in a
 * network namespace of its own (reached over a veth pair), logging root in
 * with a throwaway key, and a Nix store of its own: a chroot store whose
 * logical store dir is ours and whose files live in the builder's folder, so
 * nothing is shared with our store. Its nix.conf comes through sshd's SetEnv.
 * A user who is not trusted can log in too; that user's builds go through
 * the builder's nix-daemon, which refuses them as Nix refuses them anywhere.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sh, waitForPort } from "../../deploy/sshd-fixture.js";
import { builderNixConf } from "./nix-builder.js";
import { chrootStoreUri } from "../builder-setup.js";

export const untrustedUser = "xpkgs-untrusted";

export interface SshBuilder {
  name: string;
  address: string;
  /** Its folder: the store lives under store/, its nix.conf under conf/. */
  root: string;
  storeUri: string;
  /** A machines-file line for root, with these features (default: the builder's own). */
  line(features?: string[], user?: string): string;
  /** Rewrites its nix.conf (adding lines such as substituters). */
  setConf(extra: string[]): void;
  /** Kills its sshd and every process in its namespace: the machine dies. */
  kill(): void;
}

export interface SshBuilders {
  builders: SshBuilder[];
  clientKey: string;
  stop(): void;
}

/** Namespaces a killed test run left behind (its pid is gone): removed, with their links. */
function sweepStaleNamespaces(): void {
  const list = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const m of list.matchAll(/^xpkgs-bld-(\d+)-\d+/gm)) {
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive) continue;
    const pids = spawnSync("ip", ["netns", "pids", m[0]], { encoding: "utf8" }).stdout ?? "";
    for (const p of pids.split("\n").filter((x) => x !== "")) spawnSync("kill", ["-9", p]);
    spawnSync("ip", ["netns", "del", m[0]]);
  }
}

export async function startSshBuilders(
  storeDir: string,
  count: number,
  features: string[],
): Promise<SshBuilders> {
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-builders-"));
  const made: { ns: string; veth: string }[] = [];
  const servers: ChildProcess[] = [];
  const stop = () => {
    for (const s of servers) if (s.exitCode === null) s.kill("SIGKILL");
    for (const m of made) {
      const pids = spawnSync("ip", ["netns", "pids", m.ns], { encoding: "utf8" }).stdout ?? "";
      for (const p of pids.split("\n").filter((x) => x !== "")) spawnSync("kill", ["-9", p]);
      spawnSync("ip", ["netns", "del", m.ns]);
      spawnSync("ip", ["link", "del", m.veth], { stdio: "ignore" });
    }
    made.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
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
    // sshd reads authorized_keys as the user logging in: the untrusted one must reach it.
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), {
      mode: 0o644,
    });
    // The untrusted user exists only for these sshds (a passwd bound over /etc/passwd).
    writeFileSync(
      join(dir, "passwd"),
      `${readFileSync("/etc/passwd", "utf8")}${untrustedUser}:x:4242:4242::/tmp:/bin/sh\n`,
    );
    writeFileSync(
      join(dir, "group"),
      `${readFileSync("/etc/group", "utf8")}${untrustedUser}:x:4242:\n`,
    );
    mkdirSync("/run/sshd", { recursive: true });
    sweepStaleNamespaces();
    const builders: SshBuilder[] = [];
    const taken = spawnSync("ip", ["-o", "-4", "addr", "show"], { encoding: "utf8" }).stdout ?? "";
    let next = 20 + ((process.pid * 2) % 200);
    const freeSubnet = (): number => {
      for (let tries = 0; tries < 230; tries++, next = 20 + ((next - 19) % 230)) {
        if (!taken.includes(`10.234.${next}.`)) return next++;
      }
      throw new Error("no free 10.234.N.0/24 subnet for a test builder");
    };
    for (let i = 0; i < count; i++) {
      const id = freeSubnet();
      const ns = `xpkgs-bld-${process.pid}-${i}`;
      const veth = `xpb${process.pid}${i}`.slice(0, 15);
      const address = `10.234.${id}.2`;
      const root = join(dir, `b${i}`);
      mkdirSync(join(root, "conf"), { recursive: true });
      sh("ssh-keygen", [
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "xpkgs-test-builder",
        "-f",
        join(root, "host_key"),
      ]);
      const storeUri = chrootStoreUri(storeDir, root);
      const socket = join(root, "daemon-socket");
      const confFile = join(root, "conf/nix.conf");
      const setConf = (extra: string[]) =>
        writeFileSync(
          confFile,
          `${builderNixConf(features)}store = ${storeUri}\n${extra.join("\n")}\n`,
        );
      setConf([]);
      writeFileSync(
        join(root, "sshd_config"),
        [
          "Port 22",
          `ListenAddress ${address}`,
          `HostKey ${join(root, "host_key")}`,
          `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
          `PidFile ${join(root, "sshd.pid")}`,
          "StrictModes no",
          "UsePAM no",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "PermitRootLogin prohibit-password",
          "LogLevel ERROR",
          `SetEnv NIX_CONF_DIR=${join(root, "conf")} NIX_DAEMON_SOCKET_PATH=${socket}`,
          "",
        ].join("\n"),
      );
      sh("ip", ["netns", "add", ns]);
      made.push({ ns, veth });
      sh("ip", ["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      sh("ip", ["addr", "add", `10.234.${id}.1/24`, "dev", veth]);
      sh("ip", ["link", "set", veth, "up"]);
      sh("ip", ["-n", ns, "addr", "add", `${address}/24`, "dev", "eth0"]);
      sh("ip", ["-n", ns, "link", "set", "eth0", "up"]);
      sh("ip", ["-n", ns, "link", "set", "lo", "up"]);
      const log = openSync(join(root, "sshd.log"), "w");
      const env = {
        ...process.env,
        NIX_CONF_DIR: join(root, "conf"),
        NIX_DAEMON_SOCKET_PATH: socket,
      };
      // The builder's daemon (for the untrusted user), and its sshd, in its namespace.
      servers.push(
        spawn("ip", ["netns", "exec", ns, "nix-daemon"], { env, stdio: ["ignore", "ignore", log] }),
      );
      servers.push(
        spawn(
          "ip",
          [
            "netns",
            "exec",
            ns,
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            `mount --bind ${join(dir, "passwd")} /etc/passwd && mount --bind ${join(dir, "group")} /etc/group && exec /usr/sbin/sshd -D -e -f ${join(root, "sshd_config")}`,
          ],
          { env, stdio: ["ignore", "ignore", log] },
        ),
      );
      closeSync(log);
      await waitForPort(address, 22, 10_000);
      const hostKey = Buffer.from(readFileSync(join(root, "host_key.pub"), "utf8").trim()).toString(
        "base64",
      );
      const name = `ssh://root@${address}`;
      builders.push({
        name,
        address,
        root,
        storeUri,
        line: (f = features, user = "root") =>
          [
            `ssh://${user}@${address}${user === "root" ? "" : `?remote-store=${encodeURIComponent(`daemon?store=${storeDir}`)}`}`,
            "x86_64-linux",
            join(dir, "client_key"),
            "1",
            "1",
            f.length > 0 ? f.join(",") : "-",
            "-",
            hostKey,
          ].join(" "),
        setConf,
        kill: () => {
          const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout ?? "";
          for (const p of pids.split("\n").filter((x) => x !== "")) spawnSync("kill", ["-9", p]);
        },
      });
    }
    return { builders, clientKey: join(dir, "client_key"), stop };
  } catch (e) {
    stop();
    throw e;
  }
}
