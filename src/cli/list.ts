import type { Command } from "commander";
import { XpkgsError } from "../errors.js";
import type { Package } from "../pkgs/package.js";
import { openUniverse } from "./universe.js";
import { renderTable } from "./table.js";

interface Entry {
  attr: string;
  version: string;
  description: string;
  platforms: string;
}

async function entries(cmd: Command): Promise<Entry[]> {
  const set = (await openUniverse(cmd)).nativeSet();
  return set.packageNames().map((attr) => {
    const p: Package = set.package(attr);
    return {
      attr,
      version: p.version,
      description: p.meta.description ?? "",
      platforms: (p.meta.platforms ?? ["linux"]).join(", "),
    };
  });
}

function print(list: Entry[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    renderTable(
      ["ATTRIBUTE", "VERSION", "PLATFORMS", "DESCRIPTION"],
      list.map((e) => [e.attr, e.version, e.platforms, e.description]),
    ),
  );
}

export function registerList(program: Command): void {
  program
    .command("list")
    .description(
      "List every package: attribute, version, the platforms it supports, and what it is.",
    )
    .option("--json", "print as JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      print(await entries(cmd), opts.json === true),
    );
  program
    .command("search")
    .argument("<text>", "words to look for (case-insensitive; all must match)")
    .description("Find packages whose attribute name or description contains the text.")
    .option("--json", "print as JSON")
    .action(async (text: string, opts: { json?: boolean }, cmd: Command) => {
      const words = text
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== "");
      const found = (await entries(cmd)).filter((e) =>
        words.every((w) => `${e.attr} ${e.description}`.toLowerCase().includes(w)),
      );
      if (found.length === 0 && opts.json !== true) {
        throw new XpkgsError(`no package matches '${text}'; 'xpkgs list' shows them all.`);
      }
      print(found, opts.json === true);
    });
}
