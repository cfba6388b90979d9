/**
 * What `bundle` and `copy` ship, from what the user named: an attribute
 * (built if needed), an ELF file, a package output folder, or a bundle
 * folder made earlier. Says which programs, where their C library lives
 * (the sysroot), and which smoke test proves each one runs.
 */
import type { Command } from "commander";
import { existsSync, readdirSync, statSync } from "node:fs";
import { machine } from "node:os";
import { basename, join, resolve } from "node:path";
import { type BundleManifest, type BundleProgram, readManifest } from "../deploy/bundle.js";
import { archOf } from "../elf/inspect.js";
import { isElf, parseElf } from "../elf/parse.js";
import { readElfFile } from "../elf/read-file.js";
import { XpkgsError } from "../errors.js";
import { type SmokeTest, smokeTestOf } from "../pkgs/smoke.js";
import { Store } from "../store/store.js";
import { storeDirFromEnv } from "../store/store-dir.js";
import { ensureBuilt } from "./realise-attr.js";
import { openUniverse } from "./universe.js";
import type { PackageUniverse } from "../pkgs/top-level.js";

export interface ShipInput {
  /** What the user named: an attribute path or a file. */
  source: string;
  /** The programs, when the input is not a bundle already. */
  programs: BundleProgram[];
  /** An existing bundle folder, when that is what was named. */
  bundle: { dir: string; manifest: BundleManifest } | null;
  sysroot: string;
  storeDir: string;
  /** The smoke test of each program, by name. */
  smoke: Record<string, SmokeTest>;
}

const versionTest: SmokeTest = { args: ["--version"], expect: "" };

function elfProgramsIn(bin: string): string[] {
  if (!existsSync(bin)) return [];
  return readdirSync(bin)
    .filter((n) => {
      try {
        return statSync(join(bin, n)).isFile() && isElf(readElfFile(join(bin, n)));
      } catch {
        return false;
      }
    })
    .sort();
}

function pickPrograms(out: string, bins: string[], label: string): BundleProgram[] {
  const bin = join(out, "bin");
  for (const b of bins) {
    if (!existsSync(join(bin, b))) {
      const have = existsSync(bin) ? readdirSync(bin).sort() : [];
      throw new XpkgsError(
        `${label} has no bin/${b}. ` +
          (have.length > 0 ? `Its programs: ${have.slice(0, 30).join(", ")}.` : "It has no bin/."),
      );
    }
  }
  return bins.map((name) => requireElf({ name, path: join(bin, name) }));
}

/**
 * Where the loader and C library of the program `file` live: "/" for this
 * machine's own architecture, else the /usr/<triple> folder of Debian's cross
 * libraries that holds its loader.
 */
export function guessSysroot(file: string): string {
  const elf = parseElf(readElfFile(file));

  if (archOf(elf) === machine() || elf.interpreter === null) return "/";
  const loader = basename(elf.interpreter);
  if (!existsSync("/usr")) return "/";
  for (const d of readdirSync("/usr").sort()) {
    if (!d.includes("-linux-")) continue;
    for (const lib of ["lib", "lib64"]) {
      if (existsSync(join("/usr", d, lib, loader))) return join("/usr", d);
    }
  }
  return "/";
}

/** Refuses a program that is not an ELF file (a script, a text file): it cannot be bundled or checked. */
function requireElf(p: BundleProgram): BundleProgram {
  let ok = false;
  try {
    ok = statSync(p.path).isFile() && isElf(readElfFile(p.path));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new XpkgsError(
      `${p.path} is not an ELF file, so it cannot be bundled, checked or copied as a program. ` +
        "Name a compiled program (a script needs its interpreter on the device).",
    );
  }
  return p;
}

export async function shipInput(
  cmd: Command,
  what: string,
  opts: { bin?: string[]; sysroot?: string; quiet?: boolean },
): Promise<ShipInput> {
  const bins = opts.bin ?? [];
  // A path has a slash (./readelf); anything else is an attribute path.
  if (what.includes("/")) {
    const path = resolve(what);
    if (!existsSync(path)) throw new XpkgsError(`${what}: no such file or folder.`);
    const storeDir = storeDirFromEnv();
    if (statSync(path).isDirectory()) {
      const manifest = readManifest(path);
      if (manifest !== null) {
        const smoke = Object.fromEntries(
          Object.entries(manifest.programs).map(([n, p]) => [n, p.smokeTest ?? versionTest]),
        );
        return {
          source: what,
          programs: [],
          bundle: { dir: path, manifest },
          sysroot: "/",
          storeDir,
          smoke,
        };
      }
      const names = bins.length > 0 ? bins : elfProgramsIn(join(path, "bin"));
      if (names.length === 0) {
        throw new XpkgsError(`${what} has no ELF programs in bin/. Name a program file instead.`);
      }
      const programs = pickPrograms(path, names, what);
      const sysroot = opts.sysroot ?? guessSysroot(programs[0]!.path);
      const smoke = Object.fromEntries(names.map((n) => [n, versionTest]));
      return { source: what, programs, bundle: null, sysroot, storeDir, smoke };
    }
    const name = bins[0] ?? basename(path);
    requireElf({ name, path });
    const sysroot = opts.sysroot ?? guessSysroot(path);
    return {
      source: what,
      programs: [requireElf({ name, path })],
      bundle: null,
      sysroot,
      storeDir,
      smoke: { [name]: versionTest },
    };
  }
  const store = Store.fromEnv();
  try {
    store.cleanup();
    const universe = await openUniverse(cmd, store.storeDir);
    let pkg: ReturnType<PackageUniverse["resolve"]>;
    try {
      pkg = universe.resolve(what);
    } catch (e) {
      if (e instanceof XpkgsError && existsSync(what)) {
        throw new XpkgsError(`${e.message} (To name the file or folder ${what}, write ./${what}.)`);
      }
      throw e;
    }
    const names =
      bins.length > 0 ? bins : pkg.meta.mainProgram !== undefined ? [pkg.meta.mainProgram] : [];
    if (names.length === 0) {
      throw new XpkgsError(
        `${what} has no main program (meta.mainProgram). Name one with --bin, e.g. --bin ${pkg.pname}.`,
      );
    }
    await ensureBuilt(store, universe, pkg, opts.quiet === true, cmd);
    const programs = pickPrograms(pkg.out, names, what);
    const sysroot = opts.sysroot ?? guessSysroot(programs[0]!.path);
    const main = smokeTestOf(pkg);
    const smoke = Object.fromEntries(
      names.map((n) => [n, n === pkg.meta.mainProgram && main !== null ? main : versionTest]),
    );
    for (const p of programs) p.smokeTest = smoke[p.name];
    return { source: what, programs, bundle: null, sysroot, storeDir: store.storeDir, smoke };
  } finally {
    store.close();
  }
}
