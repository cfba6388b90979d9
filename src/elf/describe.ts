/**
 * What a file is, in the words of file(1). ELF files get file(1)'s full
 * description (its ELF magic and the facts it reads from the headers, notes
 * and sections, in the same order); other files get a short type without
 * libmagic: directory, symbolic link, script with its interpreter, text, data.
 */
import { closeSync, lstatSync, openSync, readSync, readlinkSync } from "node:fs";
import { readElfFile } from "./read-file.js";
import {
  DT_FLAGS_1,
  DF_1_PIE,
  DT_NEEDED,
  EM_68K,
  EM_ARM,
  EM_MIPS,
  EM_PPC64,
  EM_RISCV,
  ET_CORE,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  PT_DYNAMIC,
  PT_INTERP,
  SHT_SYMTAB,
  fileOsabiNames,
  machineNames,
} from "./constants.js";
import { type ElfFile, ElfFormatError, isElf, parseElf, readerOf } from "./parse.js";
import { abiTagOs, type Note, readNotes } from "./tables.js";

const typeWords: Readonly<Record<number, string>> = {
  0: "no file type,",
  1: "relocatable,",
  2: "executable,",
  4: "core file,",
};

function mipsIsa(flags: number): string | null {
  const isa = [
    "MIPS-I",
    "MIPS-II",
    "MIPS-III",
    "MIPS-IV",
    "MIPS-V",
    "MIPS32",
    "MIPS64",
    "MIPS32 rel2",
    "MIPS64 rel2",
    "MIPS32 rel6",
    "MIPS64 rel6",
  ];
  return isa[(flags >>> 28) & 0xf] ?? null;
}

/** The words file(1)'s ELF magic prints for the machine, with the e_flags it decodes. */
function machineWords(elf: ElfFile): string[] {
  const f = elf.flags;
  const name = machineNames[elf.machine];
  const words = [name !== undefined ? `${name},` : `*unknown arch 0x${elf.machine.toString(16)}*`];
  const is32 = elf.class === 32;
  switch (elf.machine) {
    case EM_68K:
      if (is32) {
        if ((f & 0x01000000) === 0x01000000) words.push("68000,");
        if ((f & 0x00810000) === 0x00810000) words.push("CPU32,");
        if (f === 0) words.push("68020,");
      }
      break;
    case EM_MIPS:
      if (is32 && (f & 0x20) !== 0) words.push("N32");
      if (mipsIsa(f) !== null) words.push(mipsIsa(f)!);
      break;
    case EM_PPC64: {
      const abi = [
        "Unspecified or Power ELF V1 ABI,",
        "Power ELF V1 ABI,",
        "OpenPOWER ELF V2 ABI,",
      ];
      if (abi[f] !== undefined) words.push(abi[f]!);
      break;
    }
    case EM_ARM:
      if (is32) {
        if ((f & 0xff000000) === 0x04000000) words.push("EABI4");
        if ((f & 0xff000000) === 0x05000000) words.push("EABI5");
        if ((f & 0x00800000) !== 0) words.push("BE8");
        if ((f & 0x00400000) !== 0) words.push("LE8");
      }
      break;
    case EM_RISCV:
      if ((f & 1) !== 0) words.push("RVC,");
      if ((f & 8) !== 0) words.push("RVE,");
      words.push(
        ["soft-float ABI,", "single-float ABI,", "double-float ABI,", "quad-float ABI,"][
          (f >> 1) & 3
        ]!,
      );
      break;
    case 2:
    case 18:
    case 43:
      if ((elf.machine === 18 && is32) || (elf.machine === 43 && !is32)) {
        const ext: Record<number, string> = {
          0x100: "V8+ Required,",
          0x200: "Sun UltraSPARC1 Extensions Required,",
          0x400: "HaL R1 Extensions Required,",
          0x800: "Sun UltraSPARC3 Extensions Required,",
        };
        if (ext[f & 0x00ffff00] !== undefined) words.push(ext[f & 0x00ffff00]!);
        const mm = ["total store ordering,", "partial store ordering,", "relaxed memory ordering,"];
        if (mm[f & 3] !== undefined) words.push(mm[f & 3]!);
      }
      break;
  }
  return words;
}

/** What file(1)'s note reader prints for these notes: the OS tag and the build ID, once each. */
function noteWords(elf: ElfFile, notes: Note[], done: { os: boolean; id: boolean }): string {
  const r = readerOf(elf);
  let out = "";
  for (const n of notes) {
    if (!done.os && n.owner === "GNU" && n.type === 1 && n.descSize === 16) {
      done.os = true;
      const at = n.descOffset;
      const os = abiTagOs[r.u32(at, "the ABI tag")] ?? "<unknown>";
      const v = [4, 8, 12].map((k) => r.u32(at + k, "the ABI tag"));
      out += `, for GNU/${os} ${v.join(".")}`;
      continue;
    }
    if (!done.id && n.owner === "GNU" && n.type === 3 && n.descSize >= 4 && n.descSize <= 20) {
      done.id = true;
      const kind = { 8: "xxHash", 16: "md5/uuid", 20: "sha1" }[n.descSize] ?? "unknown";
      const hex = Buffer.from(r.bytes(n.descOffset, n.descSize, "the build ID")).toString("hex");
      out += `, BuildID[${kind}]=${hex}`;
    }
  }
  return out;
}

/**
 * file(1)'s description of a parsed ELF file. `executableMode` stands for the
 * file's execute bits, which file(1) uses to call a shared object without a
 * dynamic section a "pie executable".
 */
export function describeElf(elf: ElfFile, executableMode = false): string {
  let pie = executableMode;
  const hasDynamic = elf.programHeaders.some((p) => p.type === PT_DYNAMIC);
  if (hasDynamic) {
    const f1 = elf.dynamic.filter((e) => e.tag === BigInt(DT_FLAGS_1));
    pie = f1.length > 0 && (f1[f1.length - 1]!.value & BigInt(DF_1_PIE)) !== 0n;
  }
  const words = ["ELF", `${elf.class}-bit`, elf.endianness === "little" ? "LSB" : "MSB"];
  if (elf.type === ET_DYN) words.push(pie ? "pie executable," : "shared object,");
  else if (typeWords[elf.type] !== undefined) words.push(typeWords[elf.type]!);
  else if ((elf.type & 0xff00) !== 0) words.push("processor-specific,");
  words.push(...machineWords(elf));
  if (elf.version === 0) words.push("invalid version");
  else if (elf.version === 1) words.push("version 1");
  const os = fileOsabiNames[elf.osabi];
  if (os !== undefined) words.push(`(${os})`);
  let text = words.join(" ");
  if (elf.type === ET_CORE) return text;
  const done = { os: false, id: false };
  if (elf.type === ET_EXEC || elf.type === ET_DYN) {
    if (elf.programHeaders.length === 0) text += ", no program header";
    else {
      if (elf.sections.length === 0) {
        text += noteWords(
          elf,
          readNotes(elf).filter((n) => n.section === null),
          done,
        );
      }
      const needs =
        elf.dynamic.filter((e) => e.tag === BigInt(DT_NEEDED)).length +
        elf.programHeaders.filter((p) => p.type === PT_INTERP).length;
      const flags1 = elf.dynamic.some((e) => e.tag === BigInt(DT_FLAGS_1));
      const style = !hasDynamic
        ? "statically"
        : flags1 && needs === 0
          ? "static-pie"
          : "dynamically";
      text += `, ${style} linked`;
      if (elf.programHeaders.some((p) => p.type === PT_INTERP)) {
        text += `, interpreter ${elf.interpreter === "" || elf.interpreter === null ? "*empty*" : elf.interpreter}`;
      }
    }
  }
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN && elf.type !== ET_REL) return text;
  if (elf.sections.length === 0) return `${text}, no section header`;
  let stripped = true;
  let debugInfo = false;
  for (const s of elf.sections) {
    if (s.name === ".debug_info") {
      debugInfo = true;
      stripped = false;
    }
    if (s.type === SHT_SYMTAB) stripped = false;
  }
  const sectionNotes = readNotes(elf).filter((n) => n.section !== null);
  text += noteWords(elf, sectionNotes, done);
  if (debugInfo) text += ", with debug_info";
  text += `, ${stripped ? "" : "not "}stripped`;
  // file(1) reads at most 256 notes, and says so.
  const noteCount = sectionNotes.length;
  return noteCount >= 256 ? `${text}, too many notes (256)` : text;
}

function printable(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 9 || b === 10 || b === 13 || b === 12) continue;
    if (b < 32 || b > 126) return false;
  }
  return true;
}

/** One line about any path, as `xpkgs file` prints it (without the "PATH: " prefix). */
export function describePath(path: string): string {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return `symbolic link to ${readlinkSync(path)}`;
  if (st.isDirectory()) return "directory";
  if (st.isFIFO()) return "fifo (named pipe)";
  if (st.isSocket()) return "socket";
  if (st.isCharacterDevice()) return "character special";
  if (st.isBlockDevice()) return "block special";
  if (st.size === 0) return "empty";
  const head = Buffer.alloc(Math.min(st.size, 4096));
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (isElf(head)) {
    try {
      // file(1) names the set-id and sticky bits before the type.
      const modes = [
        [0o4000, "setuid "],
        [0o2000, "setgid "],
        [0o1000, "sticky "],
      ] as const;
      const prefix = modes.map(([bit, w]) => ((st.mode & bit) !== 0 ? w : "")).join("");
      return prefix + describeElf(parseElf(readElfFile(path)), (st.mode & 0o111) !== 0);
    } catch (e) {
      if (e instanceof ElfFormatError) return `ELF, corrupt: ${e.message}`;
      throw e;
    }
  }
  const exec = (st.mode & 0o111) !== 0 ? " executable" : "";
  if (head[0] === 0x23 && head[1] === 0x21) {
    const line = head.toString(
      "latin1",
      2,
      head.indexOf(10) === -1 ? head.length : head.indexOf(10),
    );
    return `script, interpreter ${line.trim()}, ${printable(head) ? "ASCII text" : "data"}${exec}`;
  }
  if (head.toString("latin1", 0, 8) === "!<arch>\n") return "current ar archive";
  if (printable(head)) return `ASCII text${exec}`;
  return "data";
}
