import type { Command } from "commander";
import { compilerFor } from "../toolchains/debian-cross.js";
import { findProgram } from "../host/find-program.js";
import { buildMachinePlatform } from "../systems/elaborate.js";
import { NoEmulatorError, emulatorFor } from "../systems/emulator.js";
import { exampleNames } from "../systems/examples.js";
import { examplePlatform } from "../systems/named.js";
import { renderTable } from "./table.js";

export interface PlatformRow {
  name: string;
  triple: string;
  system: string;
  libc: string;
  /** The qemu-user command that runs it here; null when it runs natively. */
  qemu: string | null;
  qemuInstalled: boolean;
  /** qemu's -cpu model of the platform's CPU, and its instruction-set baseline. */
  qemuCpu: string | null;
  baseline: string | null;
  /** Why no qemu can run it, when none can. */
  qemuMissingReason?: string;
  compiler: string | null;
  compilerPackage: string | null;
  compilerInstalled: boolean;
}

export function platformRows(): PlatformRow[] {
  const build = buildMachinePlatform();
  return exampleNames.map((name) => {
    const p = examplePlatform(name);
    let qemu: string | null = null;
    let qemuMissingReason: string | undefined;
    try {
      qemu = emulatorFor(p, build);
    } catch (e) {
      if (!(e instanceof NoEmulatorError)) throw e;
      qemuMissingReason = e.message;
    }
    const cc = compilerFor(p, build);
    const row: PlatformRow = {
      name,
      triple: p.config,
      system: p.system,
      libc: p.libc,
      qemu,
      qemuInstalled: qemu !== null && findProgram(qemu) !== null,
      qemuCpu: p.qemuCpu,
      baseline: p.cpu?.baseline ?? null,
      compiler: cc.command,
      compilerPackage: cc.package,
      compilerInstalled: cc.path !== null,
    };
    if (qemuMissingReason !== undefined) row.qemuMissingReason = qemuMissingReason;
    return row;
  });
}

export function registerPlatforms(program: Command): void {
  program
    .command("platforms")
    .description(
      "List the named platforms of pkgsCross: triple, libc, the qemu-user binary that runs " +
        "their programs here and the CPU model it emulates for them (-cpu: checks, smoke tests " +
        "and xpkgs run use it), the instruction-set baseline, and whether a cross compiler for " +
        "each is installed.",
    )
    .option("--json", "print the table as JSON")
    .action((opts: { json?: boolean }) => {
      const rows = platformRows();
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const table = rows.map((r) => [
        r.name,
        r.triple,
        r.libc,
        r.qemu === null
          ? r.qemuMissingReason === undefined
            ? "native"
            : "none"
          : `${r.qemu}${r.qemuInstalled ? "" : " (missing)"}`,
        r.qemu === null ? "-" : (r.qemuCpu ?? "default"),
        r.baseline ?? "-",
        r.compilerPackage === null
          ? "none in Debian"
          : r.compilerInstalled
            ? `yes (${r.compiler})`
            : `no (apt-get install ${r.compilerPackage})`,
      ]);
      process.stdout.write(
        renderTable(["NAME", "TRIPLE", "LIBC", "QEMU", "CPU", "BASELINE", "CROSS COMPILER"], table),
      );
    });
}
