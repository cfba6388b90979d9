import type { Command } from "commander";
import { platformToJSON } from "../systems/elaborate.js";
import { openUniverse } from "./universe.js";

export function registerShow(program: Command): void {
  program
    .command("show")
    .argument(
      "<attr>",
      "an attribute path, such as pkgsCross.aarch64-multiplatform.pkgsStatic.hello",
    )
    .description(
      "Evaluate an attribute path and print its package: name, version, .drv path, output paths, " +
        "and build and host platforms. Nothing is built or written.",
    )
    .option("--json", "print as JSON")
    .action(async (attr: string, opts: { json?: boolean }, cmd: Command) => {
      const pkg = (await openUniverse(cmd)).resolve(attr);
      const info = {
        attrPath: attr,
        name: pkg.name,
        pname: pkg.pname,
        version: pkg.version,
        drvPath: pkg.drvPath,
        outputs: pkg.outputs,
        buildPlatform: platformToJSON(pkg.buildPlatform),
        hostPlatform: platformToJSON(pkg.hostPlatform),
        meta: pkg.meta,
      };
      if (opts.json === true) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const lines = [
        `${attr}`,
        `  name:     ${pkg.name}`,
        `  version:  ${pkg.version}`,
        `  drvPath:  ${pkg.drvPath}`,
        ...Object.entries(pkg.outputs).map(([id, p]) => `  output ${id}: ${p}`),
        `  build:    ${pkg.buildPlatform.config}`,
        `  host:     ${pkg.hostPlatform.config}${pkg.hostPlatform.isStatic ? " (static)" : ""}`,
      ];
      if (pkg.meta.description !== undefined) lines.push(`  about:    ${pkg.meta.description}`);
      for (const n of pkg.meta.notes ?? []) lines.push(`  note:     ${n}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
