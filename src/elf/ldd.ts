/**
 * Which shared libraries an ELF file loads, found the way the dynamic loader
 * finds them, under a sysroot: DT_RPATH (when there is no DT_RUNPATH), then
 * DT_RUNPATH, then the directories of ld.so.conf, then the default ones.
 * The file is never run, so this works for any architecture.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type ElfFile, isElf, parseElf } from "./parse.js";

export interface LddEntry {
  /** The NEEDED name: `libc.so.6`. */
  name: string;
  /** Where it was found (a path under the root), or null. */
  path: string | null;
  /** The object whose NEEDED named it first. */
  neededBy: string;
}

export interface LddResult {
  interpreter: string | null;
  /** The interpreter's path under the root, when it exists there. */
  interpreterPath: string | null;
  libraries: LddEntry[];
}

/** The directories ld.so.conf (and what it includes) lists, under `root`. */
export function ldSoConfDirs(root: string): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const readConf = (file: string, depth: number) => {
    if (depth > 8 || seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    for (const raw of readFileSync(file, "utf8").split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      if (line === "") continue;
      const inc = /^include\s+(.+)$/.exec(line);
      if (inc !== null) {
        for (const pattern of inc[1]!.split(/\s+/)) {
          const abs = join(root, pattern.startsWith("/") ? pattern : join("/etc", pattern));
          const dir = dirname(abs);
          const base = abs.slice(dir.length + 1);
          const re = new RegExp(
            `^${base
              .replace(/[.+^${}()|[\]\\]/g, "\\$&")
              .replace(/\*/g, ".*")
              .replace(/\?/g, ".")}$`,
          );
          if (!existsSync(dir)) continue;
          for (const e of readdirSync(dir).sort())
            if (re.test(e)) readConf(join(dir, e), depth + 1);
        }
      } else {
        dirs.push(line);
      }
    }
  };
  readConf(join(root, "etc/ld.so.conf"), 0);
  return dirs;
}

function defaultDirs(elf: ElfFile): string[] {
  return elf.class === 64 ? ["/lib64", "/usr/lib64", "/lib", "/usr/lib"] : ["/lib", "/usr/lib"];
}

/** The file at `path` parsed, when it is an ELF file of the same machine and class as `like`; else null. */
export function compatibleElf(path: string, like: ElfFile): ElfFile | null {
  try {
    if (!statSync(path).isFile()) return null;
    const bytes = readFileSync(path);
    if (!isElf(bytes)) return null;
    const elf = parseElf(bytes);
    return elf.machine === like.machine && elf.class === like.class ? elf : null;
  } catch {
    return null;
  }
}

function expand(dir: string, origin: string, elf: ElfFile): string {
  return dir
    .replace(/\$(ORIGIN|\{ORIGIN\})/g, origin)
    .replace(/\$(LIB|\{LIB\})/g, elf.class === 64 ? "lib64" : "lib")
    .replace(/\$(PLATFORM|\{PLATFORM\})/g, "");
}

/** The libraries musl's loader provides itself (libc.so, libpthread.so.0, libm.so.6…). */
const muslOwnNames = /^lib(c|pthread|rt|m|dl|util|xnet|crypt)\.so(\.\d+)*$/;

/** The interpreter and the closure of NEEDED libraries of the ELF file at `path`, under `root`. */
export function ldd(path: string, root = "/"): LddResult {
  const main = parseElf(readFileSync(path));
  const conf = ldSoConfDirs(root);
  const under = (p: string) => (p.startsWith(root) ? p : join(root, p));
  const result: LddResult = {
    interpreter: main.interpreter,
    // Under the root first, then the path itself (a loader in the store is found whatever the root).
    interpreterPath:
      main.interpreter === null || main.interpreter === ""
        ? null
        : existsSync(under(main.interpreter))
          ? under(main.interpreter)
          : existsSync(main.interpreter)
            ? main.interpreter
            : null,
    libraries: [],
  };
  const found = new Map<string, string | null>();
  const muslLoader = main.interpreter !== null && /(^|\/)ld-musl-[^/]*$/.test(main.interpreter);
  const queue: { file: string; elf: ElfFile }[] = [{ file: resolve(path), elf: main }];
  while (queue.length > 0) {
    const { file, elf } = queue.shift()!;
    const origin = dirname(file);
    const rpath = elf.runpath === null && elf.rpath !== null ? elf.rpath.split(":") : [];
    const mainRpath = main.runpath === null && main.rpath !== null ? main.rpath.split(":") : [];
    const runpath = elf.runpath !== null ? elf.runpath.split(":") : [];
    for (const name of elf.needed) {
      if (found.has(name)) continue;
      let hit: string | null = null;
      let hitElf: ElfFile | null = null;
      if (muslLoader && muslOwnNames.test(name) && result.interpreterPath !== null) {
        // musl's loader is its C library: it answers for these names itself.
        found.set(name, result.interpreterPath);
        result.libraries.push({ name, path: result.interpreterPath, neededBy: file });
        continue;
      }
      if (name.includes("/")) {
        hitElf = compatibleElf(under(name), main);
        hit = hitElf !== null ? under(name) : null;
      } else {
        const dirs = [
          ...rpath.map((d) => expand(d, origin, elf)),
          ...(file === resolve(path)
            ? []
            : mainRpath.map((d) => expand(d, dirname(resolve(path)), main))),
          ...runpath.map((d) => expand(d, origin, elf)),
          ...conf,
          ...defaultDirs(main),
        ];
        // As qemu-user's -L does: the path under the root first, then the path itself
        // (so that store paths in a RUNPATH are found whatever the root).
        const candidates = dirs
          .filter((d) => d !== "")
          .flatMap((d) => [join(under(d), name), join(d, name)]);
        for (const candidate of [...new Set(candidates)]) {
          hitElf = compatibleElf(candidate, main);
          if (hitElf !== null) {
            hit = candidate;
            break;
          }
        }
      }
      found.set(name, hit);
      result.libraries.push({ name, path: hit, neededBy: file });
      if (hit !== null && hitElf !== null) queue.push({ file: hit, elf: hitElf });
    }
  }
  return result;
}
