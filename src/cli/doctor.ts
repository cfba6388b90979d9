import type { Command } from "commander";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { XpkgsError } from "../errors.js";
import { findProgram } from "../host/find-program.js";
import { buildMachinePlatform } from "../systems/elaborate.js";
import { NoEmulatorError, emulatorFor, qemuUserPackage } from "../systems/emulator.js";
import { exampleNames } from "../systems/examples.js";
import { platformFromUserInput } from "../systems/named.js";
import { examplePlatform } from "../systems/named.js";
import type { Platform } from "../systems/elaborate.js";
import { debianArchOfTriple, debianPackagesFor, debianTriple } from "../toolchains/debian-cross.js";
import { debianVersion } from "../host/debian-packages.js";
import { baseToolPackages, hostTools } from "../pkgs/host-tools.js";
import { renderTable } from "./table.js";

/** The Debian packages of the base tools and of every host tool that this machine lacks. */
function missingToolPackages(): { base: string[]; tools: Map<string, string[]> } {
  const base = baseToolPackages.filter((p) => debianVersion(p) === null);
  const tools = new Map<string, string[]>();
  for (const [name, spec] of Object.entries(hostTools)) {
    for (const p of spec.debian) {
      if (debianVersion(p) !== null) continue;
      tools.set(p, [...(tools.get(p) ?? []), name]);
    }
  }
  return { base, tools };
}

/** Programs every build needs, and their Debian packages. */
const basics: [string, string][] = [
  ["bwrap", "bubblewrap"],
  ["make", "make"],
  ["tar", "tar"],
  ["xz", "xz-utils"],
  ["bzip2", "bzip2"],
  ["gcc", "gcc"],
];

interface TargetStatus {
  name: string;
  triple: string;
  packages: string[];
  missing: string[];
  qemu: string;
  note?: string;
}

function installed(pkg: string, host: Platform, build: Platform): boolean {
  const triple = debianTriple(host)!;
  const native = triple === debianTriple(build);
  if (pkg.startsWith("gcc")) return findProgram(native ? "gcc" : `${triple}-gcc`) !== null;
  if (pkg.startsWith("libc6-dev"))
    return existsSync(native ? `/usr/lib/${triple}/crt1.o` : `/usr/${triple}/lib/crt1.o`);
  if (pkg === qemuUserPackage) return findProgram(`qemu-${host.qemuArch}-static`) !== null;
  return false;
}

function status(name: string, host: Platform, build: Platform): TargetStatus {
  const triple = debianTriple(host);
  if (triple === null) {
    return {
      name,
      triple: host.config,
      packages: [],
      missing: [],
      qemu: "-",
      note: "no Debian cross compiler for this CPU",
    };
  }
  const packages = debianPackagesFor(host, build);
  let qemu = "native";
  try {
    const e = emulatorFor(host, build);
    if (e !== null) {
      qemu = host.qemuCpu !== null ? `${e} -cpu ${host.qemuCpu}` : e;
      packages.push(qemuUserPackage);
    }
  } catch (err) {
    if (!(err instanceof NoEmulatorError)) throw err;
    qemu = "none exists";
  }
  void debianArchOfTriple;
  const missing = [...new Set(packages)].filter((p) => !installed(p, host, build));
  return { name, triple: host.config, packages: [...new Set(packages)], missing, qemu };
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .argument("[targets...]", "platform names or triples to check (default: every named platform)")
    .description(
      "Check what builds need on this machine: the sandbox and build tools, and per target the Debian " +
        "cross compiler, its C library and qemu-user. Prints the apt-get line for whatever is missing.",
    )
    .option(
      "--install",
      "install the missing build, base and host tools, and what the given targets are missing (runs apt-get as root)",
    )
    .action((targets: string[], opts: { install?: boolean }) => {
      const build = buildMachinePlatform();
      const chosen =
        targets.length === 0
          ? exampleNames.map((n) => [n, examplePlatform(n)] as const)
          : targets.map((t) => [t, platformFromUserInput(t)] as const);
      const missingBasics = basics
        .filter(([prog]) => findProgram(prog) === null)
        .map(([, pkg]) => pkg);
      const rows = chosen.map(([n, p]) => status(n, p, build));
      process.stdout.write(
        `build tools: ${missingBasics.length === 0 ? "all present" : `missing ${missingBasics.join(", ")}`}\n`,
      );
      const tools = missingToolPackages();
      process.stdout.write(
        `base tools (every build sees them): ${tools.base.length === 0 ? "all present" : `missing ${tools.base.join(", ")}`}\n`,
      );
      process.stdout.write(
        `host tools (recipes declare them): ${
          tools.tools.size === 0
            ? "all present"
            : `missing ${[...tools.tools].map(([p, names]) => `${p} (for ${names.join(", ")})`).join(", ")}`
        }\n\n`,
      );
      process.stdout.write(
        renderTable(
          ["TARGET", "TRIPLE", "QEMU", "STATUS"],
          rows.map((r) => [
            r.name,
            r.triple,
            r.qemu,
            r.note ??
              (r.missing.length === 0
                ? "ready"
                : `missing: apt-get install ${r.missing.join(" ")}`),
          ]),
        ),
      );
      const toInstall = [
        ...new Set([
          ...missingBasics,
          ...tools.base,
          ...tools.tools.keys(),
          ...(opts.install === true && targets.length === 0 ? [] : rows.flatMap((r) => r.missing)),
        ]),
      ];
      if (opts.install !== true) {
        if (toInstall.length > 0)
          process.stdout.write(
            `\nTo install everything missing: apt-get install ${toInstall.join(" ")}\n`,
          );
        return;
      }
      if (toInstall.length === 0) {
        process.stdout.write("\nnothing to install\n");
        return;
      }
      if (process.getuid?.() !== 0) {
        throw new XpkgsError(
          `Installing needs root. Run as root: apt-get install ${toInstall.join(" ")}`,
        );
      }
      process.stderr.write(`installing ${toInstall.join(" ")}\n`);
      const r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...toInstall], {
        stdio: "inherit",
        env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      });
      if (r.status !== 0) {
        throw new XpkgsError(
          `apt-get install failed (exit ${r.status}). If it could not find the packages, run 'apt-get update' first.`,
        );
      }
    });
}
