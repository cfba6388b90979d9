/**
 * For tests: two network namespaces joined by a veth pair, as two machines on
 * one link: `server` at 10.232.N.1, `client` at 10.232.N.2. Nothing else is
 * reachable from either. Needs root and ip (iproute2).
 */
import { spawnSync } from "node:child_process";

export interface TwoHosts {
  server: { ns: string; address: string };
  client: { ns: string; address: string };
  /** Prefix a command with this to run it on that host. */
  exec(host: "server" | "client"): string[];
  stop(): void;
}

function ip(args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`ip ${args.join(" ")}: ${r.error?.message ?? r.stderr.trim()}`);
}

export function makeTwoHosts(): TwoHosts {
  const id = 1 + ((process.pid * 7 + Date.now()) % 250);
  const tag = `${process.pid}-${id}`;
  const server = { ns: `xpkgs-srv-${tag}`, address: `10.232.${id}.1` };
  const client = { ns: `xpkgs-cli-${tag}`, address: `10.232.${id}.2` };
  const made: string[] = [];
  const stop = () => {
    for (const ns of made.reverse()) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
    made.length = 0;
  };
  try {
    for (const h of [server, client]) {
      ip(["netns", "add", h.ns]);
      made.push(h.ns);
      ip(["-n", h.ns, "link", "set", "lo", "up"]);
    }
    ip([
      "-n",
      server.ns,
      "link",
      "add",
      "eth0",
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      client.ns,
    ]);
    for (const h of [server, client]) {
      ip(["-n", h.ns, "addr", "add", `${h.address}/24`, "dev", "eth0"]);
      ip(["-n", h.ns, "link", "set", "eth0", "up"]);
    }
  } catch (e) {
    stop();
    throw e;
  }
  return {
    server,
    client,
    exec: (host) => ["ip", "netns", "exec", (host === "server" ? server : client).ns],
    stop,
  };
}
