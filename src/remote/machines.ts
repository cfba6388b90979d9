/**
 * Remote build machines in Nix's machines format: one machine per line (or
 * per `;`-separated item), whitespace-separated columns
 *
 *   URI  systems  ssh-key  max-jobs  speed-factor  supported-features  mandatory-features  host-key
 *
 * where any column after the URI may be `-` (or missing) for its default,
 * lists are comma-separated, and the host key is the base64 of a
 * `known_hosts` key (`ssh-ed25519 AAAA…`). `@FILE` reads a file of them.
 */
import { readFileSync } from "node:fs";
import { XpkgsError } from "../errors.js";

export class MachinesError extends XpkgsError {
  override name = "MachinesError";
}

export interface Machine {
  /** The URI as written, for messages and logs. */
  uri: string;
  user: string | null;
  host: string;
  port: number | null;
  systems: string[];
  sshKey: string | null;
  maxJobs: number;
  speedFactor: number;
  supportedFeatures: string[];
  mandatoryFeatures: string[];
  /** The decoded host key (`ssh-ed25519 AAAA…`), or null to use ssh's own known_hosts. */
  hostKey: string | null;
  /** `?remote-store=`: the store URI Nix opens on the far side (`--store`). */
  remoteStore: string | null;
  /** `?remote-program=`: the program run there, `nix-store` by default. */
  remoteProgram: string;
}

const columns = [
  "URI",
  "systems",
  "ssh key",
  "max jobs",
  "speed factor",
  "supported features",
  "mandatory features",
  "host key",
];

function parseUri(
  uri: string,
  where: string,
): Pick<Machine, "user" | "host" | "port" | "remoteStore" | "remoteProgram"> {
  if (/^ssh-ng:\/\//.test(uri)) {
    throw new MachinesError(
      `${where}: ${uri} uses ssh-ng://, Nix's daemon protocol; xpkgs speaks the serve protocol of ssh:// builders. ` +
        "Write it as ssh://… (the same machine and user work).",
    );
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//.test(uri) ? uri : `ssh://${uri}`;
  if (!withScheme.startsWith("ssh://")) {
    throw new MachinesError(
      `${where}: ${uri} is not an ssh:// machine. A builder is written ssh://[user@]host[:port][?remote-store=URI].`,
    );
  }
  const m =
    /^ssh:\/\/(?:([^@/?\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^:/?@\s[\]]+)(?::(\d+))?\/?(?:\?(.*))?$/.exec(
      withScheme,
    );
  if (m === null) {
    throw new MachinesError(
      `${where}: ${uri} is not a machine address. Write it as ssh://[user@]host[:port][?remote-store=URI].`,
    );
  }
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535))
    throw new MachinesError(`${where}: port ${port} of ${uri} is not between 1 and 65535.`);
  const params = new URLSearchParams(m[4] ?? "");
  for (const k of params.keys()) {
    if (!["remote-store", "remote-program", "ssh-key", "base64-ssh-public-host-key"].includes(k)) {
      throw new MachinesError(
        `${where}: ${uri} has the setting '${k}', which xpkgs does not know. It knows remote-store, remote-program, ssh-key and base64-ssh-public-host-key.`,
      );
    }
  }
  return {
    user: m[1] ?? null,
    host: m[2]!.replace(/^\[(.*)\]$/, "$1"),
    port,
    remoteStore: params.get("remote-store"),
    remoteProgram: params.get("remote-program") ?? "nix-store",
  };
}

function parseLine(line: string, where: string, defaultSystem: string): Machine {
  const f = line.trim().split(/\s+/);
  if (f.length > columns.length) {
    throw new MachinesError(
      `${where}: '${line.trim()}' has ${f.length} columns; a machine has at most ${columns.length}: ${columns.join(", ")}.`,
    );
  }
  const col = (i: number): string | null =>
    f[i] === undefined || f[i] === "-" || f[i] === "" ? null : f[i]!;
  const uri = f[0]!;
  const num = (i: number, dflt: number, what: string, integer: boolean): number => {
    const v = col(i);
    if (v === null) return dflt;
    const n = Number(v);
    if (
      !Number.isFinite(n) ||
      n < (integer ? 0 : Number.MIN_VALUE) ||
      (integer && !Number.isInteger(n))
    ) {
      throw new MachinesError(
        `${where}: the ${what} of ${uri} is '${v}'; it must be ${integer ? "a whole number, 0 or more" : "a positive number"}.`,
      );
    }
    return n;
  };
  const list = (i: number) => (col(i) ?? "").split(",").filter((s) => s !== "");
  const parsed = parseUri(uri, where);
  const params = new URLSearchParams(/\?(.*)$/.exec(uri)?.[1] ?? "");
  const keyB64 = col(7) ?? params.get("base64-ssh-public-host-key");
  let hostKey: string | null = null;
  if (keyB64 !== null) {
    hostKey = Buffer.from(keyB64, "base64").toString("utf8").trim();
    if (!/^(ssh|ecdsa|sk)-[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?$/.test(hostKey)) {
      throw new MachinesError(
        `${where}: the host key of ${uri} does not decode to an SSH public key. ` +
          "Write the base64 of the key line: base64 -w0 /etc/ssh/ssh_host_ed25519_key.pub",
      );
    }
  }
  const systems = list(1);
  return {
    uri,
    ...parsed,
    systems: systems.length > 0 ? systems : [defaultSystem],
    sshKey: col(2) ?? params.get("ssh-key"),
    maxJobs: num(3, 1, "max jobs", true),
    speedFactor: num(4, 1, "speed factor", false),
    supportedFeatures: list(5),
    mandatoryFeatures: list(6),
    hostKey,
  };
}

/**
 * Machines from a `--builders` value or the config's `builders`: specs
 * separated by `;` or newlines, `@FILE` for a file of them, `#` comments.
 */
export function parseMachines(
  spec: string,
  defaultSystem = "x86_64-linux",
  where = "--builders",
): Machine[] {
  const out: Machine[] = [];
  for (const raw of spec.split(/[;\n]/)) {
    const item = raw.replace(/#.*$/, "").trim();
    if (item === "") continue;
    if (item.startsWith("@")) {
      const file = item.slice(1);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw new MachinesError(
          `${where}: cannot read the machines file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}). ` +
            "Write one machine per line, in Nix's machines format.",
        );
      }
      out.push(...parseMachines(text, defaultSystem, file));
      continue;
    }
    out.push(parseLine(item, where, defaultSystem));
  }
  return out;
}

/** The features a derivation requires (`requiredSystemFeatures`, space-separated). */
export function requiredFeatures(env: Record<string, string>): string[] {
  return (env.requiredSystemFeatures ?? "").split(/\s+/).filter((s) => s !== "");
}

/** Nix's rule: the system matches, every required feature is offered, every mandatory one is required. */
export function machineCanBuild(m: Machine, system: string, features: string[]): boolean {
  const offered = new Set([...m.supportedFeatures, ...m.mandatoryFeatures]);
  const wanted = new Set(features);
  return (
    m.maxJobs > 0 &&
    m.systems.includes(system) &&
    features.every((f) => offered.has(f)) &&
    m.mandatoryFeatures.every((f) => wanted.has(f))
  );
}

/** A machine's name for logs: its URI without settings. */
export function machineName(m: Machine): string {
  return m.uri.replace(/\?.*$/, "");
}
