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

function entries(): Entry[] {
  const set = openUniverse().nativeSet();
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
    .action((opts: { json?: boolean }) => print(entries(), opts.json === true));
  program
    .command("search")
    .argument("<text>", "words to look for (case-insensitive; all must match)")
    .description("Find packages whose attribute name or description contains the text.")
    .option("--json", "print as JSON")
    .action((text: string, opts: { json?: boolean }) => {
      const words = text
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== "");
      const found = entries().filter((e) =>
        words.every((w) => `${e.attr} ${e.description}`.toLowerCase().includes(w)),
      );
      if (found.length === 0 && opts.json !== true) {
        throw new XpkgsError(`no package matches '${text}'; 'xpkgs list' shows them all.`);
      }
      print(found, opts.json === true);
    });
}
