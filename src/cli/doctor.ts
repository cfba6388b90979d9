import { builderNixConfLines, chrootStoreUri } from "../remote/builder-setup.js";
import type { Command } from "commander";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
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
import { hostToolchainFeatures } from "../remote/toolchain-features.js";
import { storeDirFromEnv } from "../store/store-dir.js";
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
  if (pkg.startsWith("g++")) return findProgram(native ? "g++" : `${triple}-g++`) !== null;
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

/**
 * The Debian packages a remote builder needs: Nix and the SSH server, and of
 * the packages xpkgs builds with (base tools, host tools, every named
 * platform's compilers) those this machine has installed, since their
 * versions are in the derivations the builder gets.
 */
export function builderPackages(build: Platform): string[] {
  const used = new Set<string>([
    ...basics.map(([, pkg]) => pkg).filter((p) => p !== "bubblewrap"),
    ...baseToolPackages,
    ...Object.values(hostTools).flatMap((t) => t.debian),
    ...exampleNames.flatMap((n) => debianPackagesFor(examplePlatform(n), build)),
  ]);
  const installedHere = [...used].filter((p) => debianVersion(p) !== null).sort();
  return ["nix-bin", "openssh-server", ...installedHere];
}

/** A Nix chroot store whose logical store dir is ours, kept beside it (`/xpkgs/nix/…`). */
export function builderStoreUri(storeDir: string): string {
  return chrootStoreUri(storeDir, join(dirname(storeDir), "nix"));
}

/** What `xpkgs doctor --builder` prints: the set-up of a remote builder for this machine. */
export function builderSetup(env: NodeJS.ProcessEnv = process.env): string {
  const build = buildMachinePlatform();
  const storeDir = storeDirFromEnv(env);
  const features = hostToolchainFeatures();
  const key = join(homedir(), ".ssh", "id_ed25519");
  const uri = `ssh://root@HOST?remote-store=${encodeURIComponent(builderStoreUri(storeDir))}`;
  const machine = [
    uri,
    build.system,
    key,
    "1",
    "1",
    features.length > 0 ? features.join(",") : "-",
    "-",
    "HOSTKEY",
  ].join(" ");
  return [
    `A remote builder for this machine (store dir ${storeDir}, system ${build.system}).`,
    "docs/remote.md explains each step.",
    "",
    "1. On the builder, as root: Nix, the SSH server, and the toolchains and tools this machine",
    "   has installed. Take them from the same Debian release: their versions are in the store paths.",
    "",
    `apt-get install --no-install-recommends ${builderPackages(build).join(" ")}`,
    "",
    "2. On the builder: Nix's settings. The SSH user must be trusted (root is; any other goes in",
    "   trusted-users). substituters may instead name caches of this store dir (docs/cache.md).",
    "",
    "cat >> /etc/nix/nix.conf <<'EOF'",
    ...builderNixConfLines(features),
    "EOF",
    "",
    "3. On this machine: let root on the builder accept this machine's key",
    ...(existsSync(`${key}.pub`)
      ? []
      : [`   (make it first: ssh-keygen -t ed25519 -N '' -f ${key})`]),
    "",
    `ssh-copy-id -i ${key}.pub root@HOST`,
    "",
    "   and write one line per builder in /etc/xpkgs/machines, with HOST its address and HOSTKEY",
    "   what 'base64 -w0 /etc/ssh/ssh_host_ed25519_key.pub' prints on it:",
    "",
    machine,
    "",
    "4. Check that each builder answers and can build for this machine:",
    "",
    "xpkgs builders check --builders @/etc/xpkgs/machines",
    "",
  ].join("\n");
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
    .option(
      "--builder",
      "print how to set up a remote Nix builder for this machine: its apt-get line, nix.conf and machines line",
    )
    .action((targets: string[], opts: { install?: boolean; builder?: boolean }) => {
      if (opts.builder === true) {
        if (opts.install === true || targets.length > 0)
          throw new XpkgsError("doctor --builder takes no targets and no --install.");
        process.stdout.write(builderSetup());
        return;
      }
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
