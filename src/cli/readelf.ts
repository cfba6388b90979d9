import type { Command } from "commander";
import { readelfMachineNames } from "../elf/constants.js";
import type { ElfFile } from "../elf/parse.js";
import { fileTypeName, formatReadelf, machineFlagWords, segmentTypeName } from "../elf/readelf.js";
import {
  buildId,
  readelfNotes,
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
  relocs?: boolean;
  headers?: boolean;
  wide?: boolean;
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
    out.notes = readelfNotes(elf).map((n) => ({
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
  if (o.relocs === true) {
    out.relocationSections = elf.sections
      .filter((s) => s.type === 4 || s.type === 9 || s.type === 19)
      .map((s) => ({
        name: s.name,
        type: s.type,
        offset: s.offset,
        size: s.size,
        entsize: s.entsize,
      }));
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
    .option("-r, --relocs", "the relocation sections")
    .option("-e, --headers", "the file, program and section headers: -h -l -S")
    .option("-W, --wide", "lines wider than 80 columns, names never cut")
    .option("-a, --all", "all of -h -l -S -s -r -d -n -V")
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
        if (o.headers === true) {
          Object.assign(o, { fileHeader: true, programHeaders: true, sectionHeaders: true });
        }
        if (o.all === true) {
          Object.assign(o, {
            relocs: true,
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
          o.relocs,
        ];
        if (!views.some((v) => v === true)) {
          cmd.error(
            "error: say what to show: -h, -l, -S, -d, -r, -n, -s, --dyn-syms, -V, -e or -a (see --help).",
          );
        }
        const json: Record<string, unknown>[] = [];
        for (const f of files) {
          // Symbol tables (-s) and relocations (-r) are the views that need the whole file.
          const elf = readElf(f, o.syms === true || o.relocs === true);
          if (o.json === true) {
            json.push({ file: f, ...readelfJson(elf, o) });
            continue;
          }
          const text = formatReadelf(elf, {
            header: o.fileHeader === true,
            segments: o.programHeaders === true,
            sections: o.sectionHeaders === true,
            dynamic: o.dynamic === true,
            relocs: o.relocs === true,
            syms: o.syms === true,
            dynSyms: o.dynSyms === true,
            versionInfo: o.versionInfo === true,
            notes: o.notes === true,
            wide: o.wide === true,
          });
          process.stdout.write(files.length > 1 ? `\nFile: ${f}\n${text}` : text);
        }
        if (o.json === true) {
          const bigints = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
          process.stdout.write(
            `${JSON.stringify(json.length === 1 ? json[0] : json, bigints, 2)}\n`,
          );
        }
      },
    );
}
