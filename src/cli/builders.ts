/** `xpkgs builders check`: can each remote builder build for us, and how busy is it? */
import type { Command } from "commander";
import { readCacheSettings } from "../cache/config.js";
import { XpkgsError } from "../errors.js";
import { connectMachine, runOnMachine } from "../remote/connect.js";
import { type Machine, machineName, parseMachines } from "../remote/machines.js";
import { Store } from "../store/store.js";
import { hostToolchainFeatures } from "../remote/toolchain-features.js";

export interface MachineReport {
  name: string;
  ok: boolean;
  lines: string[];
}

/** Probes one machine: the serve protocol and its store dir, then Nix's settings and the load. */
export async function checkMachine(m: Machine, storeDir: string): Promise<MachineReport> {
  const name = machineName(m);
  const lines: string[] = [];
  let ok = true;
  try {
    const client = await connectMachine(m, { connectTimeout: 10 });
    try {
      lines.push(
        `reachable: yes (serve protocol ${client.remoteVersion >> 8}.${client.remoteVersion & 0xff})`,
      );
      try {
        await client.queryValidPaths([`${storeDir}/${"0".repeat(32)}-xpkgs-probe`], {
          lock: false,
          substitute: false,
        });
        lines.push(`store dir: ${storeDir} (the same as here)`);
      } catch (e) {
        ok = false;
        const said = (e as Error).message.split("\n").slice(1).join(" ").trim();
        lines.push(
          `store dir: its Nix refuses paths of ${storeDir}${said !== "" ? ` (${said})` : ""}. ` +
            "Give it a store with that store dir (?remote-store=local?store=… in its URI; docs/remote.md)",
        );
      }
    } finally {
      await client.close().catch(() => client.kill());
    }
  } catch (e) {
    return { name, ok: false, lines: [`reachable: no: ${(e as Error).message}`] };
  }
  const info = await runOnMachine(
    m,
    "nix-store --version; echo ::; nix --extra-experimental-features nix-command show-config 2>/dev/null | " +
      "grep -E '^(system-features|trusted-users|sandbox) '; echo ::; id -un; nproc; cat /proc/loadavg",
    30_000,
  );
  if (info.status !== 0) {
    ok = false;
    lines.push(
      `settings: could not be read (${info.stderr.trim().split("\n").pop() ?? "no answer"})`,
    );
    return { name, ok, lines };
  }
  const [version = "", config = "", who = ""] = info.stdout.split("::\n");
  lines.push(`nix: ${version.trim()}`);
  const setting = (k: string) => new RegExp(`^${k} = (.*)$`, "m").exec(config)?.[1]?.trim() ?? "";
  const [user = "", cores = "", load = ""] = who.trim().split("\n");
  const trustedUsers = setting("trusted-users").split(/\s+/);
  const trusted = user === "root" || trustedUsers.includes(user) || trustedUsers.includes("*");
  lines.push(
    `trusted: ${trusted ? "yes" : "no"} (user ${user}${trusted ? "" : `; trusted-users = ${trustedUsers.join(" ")}`})`,
  );
  if (!trusted) ok = false;
  if (setting("sandbox") !== "true") {
    ok = false;
    lines.push(
      `sandbox: ${setting("sandbox") || "unknown"}: builds there must run in Nix's sandbox (sandbox = true)`,
    );
  }
  const features = setting("system-features")
    .split(/\s+/)
    .filter((f) => f !== "");
  lines.push(`system features: ${features.join(" ") || "(none)"}`);
  const ours = hostToolchainFeatures();
  const missing = ours.filter((f) => !features.includes(f) || !m.supportedFeatures.includes(f));
  // Every xpkgs build requires a toolchain feature: a machine with none of ours builds nothing.
  if (ours.length > 0 && missing.length === ours.length) ok = false;
  if (missing.length > 0) {
    lines.push(
      `toolchains: lacks ${missing.length} of this machine's (${missing.join(", ")}) in its system-features ` +
        "or its machines line: builds with those compilers never go there",
    );
  } else {
    lines.push("toolchains: the same as here");
  }
  lines.push(
    `load: ${load.split(" ")[0] ?? "?"} on ${cores} cores; max jobs ${m.maxJobs}, speed factor ${m.speedFactor}`,
  );
  return { name, ok, lines };
}

export function registerBuilders(program: Command): void {
  const b = program
    .command("builders")
    .description(
      "Remote Nix machines that build for xpkgs over Nix's serve protocol (docs/remote.md).",
    );
  b.command("check")
    .description(
      "Connect to each builder and report: reachable, Nix version, store dir, trusted or not, " +
        "its system features (the toolchains it offers), and its load. Exits 1 when one is not usable.\n" +
        "Example: xpkgs builders check --builders @/etc/xpkgs/machines",
    )
    .option(
      "--builders <specs>",
      "the machines (Nix's machines format, ';'-separated, or @FILE); default: builders in the config",
    )
    .action(async (opts: { builders?: string }) => {
      const spec = opts.builders ?? readCacheSettings().builders;
      const machines = parseMachines(
        spec,
        "x86_64-linux",
        opts.builders !== undefined ? "--builders" : "builders",
      );
      if (machines.length === 0) {
        throw new XpkgsError(
          "No builders to check: give --builders 'ssh://root@host x86_64-linux …' or set builders in the config (docs/remote.md).",
        );
      }
      const store = Store.fromEnv();
      const storeDir = store.storeDir;
      store.close();
      const reports = await Promise.all(machines.map((m) => checkMachine(m, storeDir)));
      for (const r of reports) {
        process.stdout.write(
          `${r.name}: ${r.ok ? "usable" : "NOT USABLE"}\n${r.lines.map((l) => `  ${l}`).join("\n")}\n`,
        );
      }
      if (reports.some((r) => !r.ok)) process.exitCode = 1;
    });
}
