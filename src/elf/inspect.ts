/**
 * The portability report: for every ELF file under a path, what it needs
 * from the machine it will run on (interpreter, libraries, glibc version),
 * what ties it to this store, and a verdict a user can act on.
 */
import { closeSync, lstatSync, openSync, readFileSync, readSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { DF_1_PIE, ET_DYN, ET_EXEC, SHT_SYMTAB, machineName } from "./constants.js";
import { type ElfFile, ElfFormatError, isElf, isStaticallyLinked, parseElf } from "./parse.js";
import { readVersionNeeds } from "./tables.js";

export interface ElfReport {
  /** Relative to the inspected root ("." when the root is the file). */
  path: string;
  machine: string;
  /** Short architecture name: x86_64, aarch64, armv7… as `uname -m` would say. */
  arch: string;
  class: 32 | 64;
  endianness: "little" | "big";
  kind: "executable" | "shared library" | "object";
  static: boolean;
  interpreter: string | null;
  needed: string[];
  runpath: string | null;
  /** Store paths the file names (it breaks when copied where they do not exist). */
  storeReferences: string[];
  /** The highest GLIBC_x.y and GLIBCXX_x.y versions required, or null. */
  glibc: string | null;
  glibcxx: string | null;
  stripped: boolean;
  portable: boolean;
  verdict: string;
}

export interface InspectProblem {
  path: string;
  error: string;
}

/** `uname -m`'s word for the file's machine. */
export function archOf(elf: ElfFile): string {
  const le = elf.endianness === "little";
  switch (elf.machine) {
    case 62:
      return "x86_64";
    case 3:
      return "i686";
    case 183:
      return le ? "aarch64" : "aarch64_be";
    case 40:
      return le ? "arm" : "armeb";
    case 243:
      return elf.class === 64 ? "riscv64" : "riscv32";
    case 21:
      return le ? "ppc64le" : "ppc64";
    case 20:
      return "ppc";
    case 22:
      return elf.class === 64 ? "s390x" : "s390";
    case 8:
      return `mips${elf.class === 64 ? "64" : ""}${le ? "el" : ""}`;
    case 258:
      return "loongarch64";
    case 4:
      return "m68k";
    case 43:
      return "sparc64";
    default:
      return machineName(elf.machine);
  }
}

function highestVersion(names: string[], prefix: string): string | null {
  let best: number[] | null = null;
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const rest = n.slice(prefix.length);
    if (!/^\d+(\.\d+)*$/.test(rest)) continue;
    const v = rest.split(".").map(Number);
    if (best === null || compare(v, best) > 0) best = v;
  }
  return best === null ? null : best.join(".");
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Store paths named in the bytes: `<storeDir>/<32 chars>-<name>`, distinct, sorted. */
export function storeReferences(bytes: Uint8Array, storeDir: string): string[] {
  if (storeDir === "") return [];
  const needle = Buffer.from(`${storeDir}/`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = new Set<string>();
  for (let i = buf.indexOf(needle); i !== -1; i = buf.indexOf(needle, i + 1)) {
    let j = i + needle.length;
    while (j < buf.length && /[0-9a-zA-Z+._?=-]/.test(String.fromCharCode(buf[j]!))) j++;
    const name = buf.toString("latin1", i + needle.length, j);
    if (/^[0-9a-df-np-sv-z]{32}-/.test(name)) found.add(`${storeDir}/${name}`);
  }
  return [...found].sort();
}

const libcNames = /^(libc\.so|ld-linux|ld64\.so|ld\.so|ld-musl|libc\.musl)/;

export function reportElf(elf: ElfFile, path: string, storeDir: string): ElfReport {
  // A static-pie program has a dynamic section (to relocate itself) but no loader and no libraries.
  const pie = (elf.dtFlags1 & DF_1_PIE) !== 0;
  const staticPie = pie && elf.interpreter === null && elf.needed.length === 0;
  const isStatic = isStaticallyLinked(elf) || staticPie;
  const executable =
    elf.type === ET_EXEC || (elf.type === ET_DYN && (elf.interpreter !== null || pie));
  const kind = executable ? "executable" : elf.type === ET_DYN ? "shared library" : "object";
  const versions = readVersionNeeds(elf).flatMap((n) => n.versions.map((v) => v.name));
  const glibc = highestVersion(versions, "GLIBC_");
  const glibcxx = highestVersion(versions, "GLIBCXX_");
  const refs = storeReferences(elf.bytes, storeDir);
  const arch = archOf(elf);
  const inStore = (p: string | null) => storeDir !== "" && p !== null && p.includes(`${storeDir}/`);
  const interpInStore = inStore(elf.interpreter);
  const libs = elf.needed.filter((n) => !libcNames.test(n));
  let verdict: string;
  let portable = false;
  if (kind === "object") verdict = "object file: not run by itself";
  else if (isStatic && refs.length === 0) {
    portable = true;
    verdict = `portable: runs on any Linux/${arch}`;
  } else if (isStatic) {
    // It runs anywhere, but what it looks for under these paths (terminfo, locales, its
    // configuration) is missing on a machine without this store.
    verdict = `static, but not portable: it names ${refs.join(", ")}, where it may look for files at run time`;
  } else if (interpInStore) {
    verdict = "not portable: interpreter is inside the store";
  } else {
    const needs: string[] = [];
    if (glibc !== null) needs.push(`glibc ≥ ${glibc}`);
    else if (elf.interpreter?.includes("musl") === true) needs.push(`musl (${elf.interpreter})`);
    else if (elf.interpreter !== null) needs.push(elf.interpreter);
    if (glibcxx !== null) needs.push(`libstdc++ with GLIBCXX_${glibcxx}`);
    needs.push(...libs);
    const runpathInStore = inStore(elf.runpath ?? elf.rpath);
    verdict = `needs ${needs.length > 0 ? needs.join(" and ") : "nothing but the loader"}`;
    if (runpathInStore && libs.length > 0) verdict += " (found through a RUNPATH inside the store)";
  }
  return {
    path,
    machine: machineName(elf.machine),
    arch,
    class: elf.class,
    endianness: elf.endianness,
    kind,
    static: isStatic,
    interpreter: elf.interpreter,
    needed: elf.needed,
    runpath: elf.runpath ?? elf.rpath,
    storeReferences: refs,
    glibc,
    glibcxx,
    stripped: !elf.sections.some((s) => s.type === SHT_SYMTAB),
    portable,
    verdict,
  };
}

function hasElfMagic(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && isElf(b);
  } finally {
    closeSync(fd);
  }
}

/** Reports for every ELF file under `root` (a file or a folder), sorted by path; storeDir "" skips store checks. */
export function inspectTree(
  root: string,
  storeDir: string,
): { reports: ElfReport[]; problems: InspectProblem[] } {
  const reports: ElfReport[] = [];
  const problems: InspectProblem[] = [];
  const visit = (path: string) => {
    const st = lstatSync(path);
    if (st.isDirectory()) {
      for (const e of readdirSync(path).sort()) visit(join(path, e));
      return;
    }
    if (!st.isFile() || st.size < 52 || !hasElfMagic(path)) return;
    const rel = relative(root, path) || ".";
    try {
      reports.push(reportElf(parseElf(readFileSync(path)), rel, storeDir));
    } catch (e) {
      if (!(e instanceof ElfFormatError)) throw e;
      problems.push({ path: rel, error: e.message });
    }
  };
  visit(root);
  return { reports, problems };
}

/** One line for a whole output: how many ELF files, of what, and whether they travel. */
export function summaryLine(reports: ElfReport[]): string {
  if (reports.length === 0) return "no ELF files";
  const execs = reports.filter((r) => r.kind === "executable");
  const arches = [...new Set(reports.map((r) => r.machine))].join(", ");
  const statics = execs.filter((r) => r.static).length;
  const parts = [`${reports.length} ELF file${reports.length === 1 ? "" : "s"} (${arches})`];
  if (execs.length > 0) {
    const s = execs.length === 1 ? "" : "s";
    const unportable = execs.filter((r) => r.static && !r.portable);
    if (statics < execs.length) {
      parts.push(
        `${execs.length - statics} dynamic executable${execs.length - statics === 1 ? "" : "s"}: ${execs.find((r) => !r.static)!.verdict}`,
      );
    } else if (unportable.length === 0) {
      parts.push(`${execs.length} static executable${s}, portable`);
    } else {
      parts.push(
        `${execs.length} static executable${s}, ${unportable.length} not portable (${unportable[0]!.path}: ${unportable[0]!.verdict})`,
      );
    }
  }
  return parts.join("; ");
}
