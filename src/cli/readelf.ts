import type { Command } from "commander";
import { readelfMachineNames } from "../elf/constants.js";
import type { ElfFile } from "../elf/parse.js";
import {
  fileTypeName,
  formatDynamic,
  formatHeader,
  formatNotes,
  formatProgramHeaders,
  formatSections,
  formatSymbols,
  formatVersions,
  machineFlagWords,
  segmentTypeName,
} from "../elf/readelf.js";
import {
  buildId,
  readNotes,
  readSymbols,
  readVersionDefs,
  readVersionNeeds,
  symbolTables,
} from "../elf/tables.js";
import { readElf } from "./elf-input.js";

interface ReadelfOptions {
  fileHeader?: boolean;
  programHeaders?: boolean;
  sectionHeaders?: boolean;
  dynamic?: boolean;
  notes?: boolean;
  syms?: boolean;
  dynSyms?: boolean;
  versionInfo?: boolean;
  all?: boolean;
  json?: boolean;
}

/** The same facts as the text views, as data (bigints as decimal strings). */
export function readelfJson(elf: ElfFile, o: ReadelfOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.fileHeader === true) {
    out.header = {
      class: `ELF${elf.class}`,
      endianness: elf.endianness,
      osabi: elf.osabi,
      abiVersion: elf.abiVersion,
      type: elf.type,
      typeName: fileTypeName(elf),
      machine: elf.machine,
      machineName: readelfMachineNames[elf.machine] ?? null,
      version: elf.version,
      entry: elf.entry,
      phoff: elf.phoff,
      shoff: elf.shoff,
      flags: elf.flags,
      flagWords: machineFlagWords(elf.machine, elf.flags),
      ehsize: elf.ehsize,
      phentsize: elf.phentsize,
      phnum: elf.programHeaders.length,
      shentsize: elf.shentsize,
      shnum: elf.shnum,
      shstrndx: elf.shstrndx,
    };
  }
  if (o.programHeaders === true) {
    out.programHeaders = elf.programHeaders.map((p) => ({
      ...p,
      typeName: segmentTypeName(elf.machine, p.type),
    }));
    out.interpreter = elf.interpreter;
  }
  if (o.sectionHeaders === true) out.sections = elf.sections;
  if (o.dynamic === true) {
    out.dynamic = elf.dynamic.map((e) => ({ tag: e.tag.toString(), value: e.value.toString() }));
    out.needed = elf.needed;
    out.soname = elf.soname;
    out.rpath = elf.rpath;
    out.runpath = elf.runpath;
  }
  if (o.notes === true) {
    out.notes = readNotes(elf).map((n) => ({
      owner: n.owner,
      type: n.type,
      size: n.descSize,
      section: n.section,
    }));
    out.buildId = buildId(elf);
  }
  if (o.syms === true || o.dynSyms === true) {
    const tables: Record<string, unknown[]> = {};
    for (const t of symbolTables(elf)) {
      if (o.syms !== true && t.type !== 11) continue;
      tables[t.name] = readSymbols(elf, t).map((s) => ({
        ...s,
        value: s.value.toString(),
        size: s.size.toString(),
      }));
    }
    out.symbols = tables;
  }
  if (o.versionInfo === true) {
    out.versionNeeds = readVersionNeeds(elf);
    out.versionDefs = readVersionDefs(elf);
  }
  return out;
}

export function registerReadelf(program: Command): void {
  program
    .command("readelf")
    .description(
      "Show the headers, segments, sections, dynamic section, notes, symbols and versions of ELF " +
        "files, laid out as GNU readelf lays them out (or as JSON). Any architecture, either " +
        "byte order; the file is never run.\n" +
        "Example: xpkgs readelf -h -l -d result/bin/readelf",
    )
    .helpOption("--help", "display help for command")
    .argument("<files...>", "ELF files")
    .option("-h, --file-header", "the ELF file header")
    .option("-l, --program-headers", "the program headers (also --segments)")
    .option("--segments", "the program headers")
    .option("-S, --section-headers", "the section headers (also --sections)")
    .option("--sections", "the section headers")
    .option("-d, --dynamic", "the dynamic section")
    .option("-n, --notes", "the notes")
    .option("-s, --syms", "the symbol tables (also --symbols)")
    .option("--symbols", "the symbol tables")
    .option("--dyn-syms", "the dynamic symbol table")
    .option("-V, --version-info", "the symbol version sections")
    .option("-a, --all", "all of -h -l -S -s -d -n -V")
    .option("--json", "print the same facts as JSON, one object per file")
    .action(
      (
        files: string[],
        opts: ReadelfOptions & { segments?: boolean; sections?: boolean; symbols?: boolean },
        cmd: Command,
      ) => {
        const o: ReadelfOptions = {
          ...opts,
          programHeaders: opts.programHeaders === true || opts.segments === true,
          sectionHeaders: opts.sectionHeaders === true || opts.sections === true,
          syms: opts.syms === true || opts.symbols === true,
        };
        if (o.all === true) {
          Object.assign(o, {
            fileHeader: true,
            programHeaders: true,
            sectionHeaders: true,
            syms: true,
            dynamic: true,
            notes: true,
            versionInfo: true,
          });
        }
        const views = [
          o.fileHeader,
          o.programHeaders,
          o.sectionHeaders,
          o.dynamic,
          o.notes,
          o.syms,
          o.dynSyms,
          o.versionInfo,
        ];
        if (!views.some((v) => v === true)) {
          cmd.error(
            "error: say what to show: -h, -l, -S, -d, -n, -s, --dyn-syms, -V or -a (see --help).",
          );
        }
        const json: Record<string, unknown>[] = [];
        for (const f of files) {
          // Symbol tables (-s) are the only view that needs the whole file.
          const elf = readElf(f, o.syms === true);
          if (o.json === true) {
            json.push({ file: f, ...readelfJson(elf, o) });
            continue;
          }
          let text = files.length > 1 ? `\nFile: ${f}\n` : "";
          if (o.fileHeader === true) text += formatHeader(elf);
          if (o.sectionHeaders === true) text += formatSections(elf);
          if (o.programHeaders === true) text += formatProgramHeaders(elf, o.fileHeader === true);
          if (o.dynamic === true) text += formatDynamic(elf);
          if (o.syms === true || o.dynSyms === true) text += formatSymbols(elf, o.syms !== true);
          if (o.versionInfo === true) text += formatVersions(elf);
          if (o.notes === true) text += formatNotes(elf);
          process.stdout.write(text);
        }
        if (o.json === true) {
          process.stdout.write(`${JSON.stringify(json.length === 1 ? json[0] : json, null, 2)}\n`);
        }
      },
    );
}
