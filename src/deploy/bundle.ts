/**
 * A bundle: programs made portable to any Linux of their architecture. A
 * dynamic program travels with its loader and the closure of its NEEDED
 * libraries (found with the ELF toolkit, never by running it), its RUNPATH
 * rewritten to $ORIGIN-relative directories, and a launcher script that
 * starts it through the bundled loader. A static program bundles to itself.
 *
 *   bin/NAME          the launcher (or the static program itself)
 *   libexec/NAME      the dynamic program, RUNPATH $ORIGIN/../lib
 *   lib/…             the loader and libraries, under their NEEDED names
 *   xpkgs-bundle.json the manifest: files, sizes, sha256, portability report
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { type ElfReport, archOf, reportElf } from "../elf/inspect.js";
import { ldd } from "../elf/ldd.js";
import { type ElfFile, ElfFormatError, isElf, parseElf } from "../elf/parse.js";
import { ElfEditError, patchElf } from "../elf/patchelf.js";
import type { SmokeTest } from "../pkgs/smoke.js";

export const manifestName = "xpkgs-bundle.json";
export const bundleFormat = "xpkgs-bundle/1";

export interface BundleProgram {
  /** The name it gets in bin/. */
  name: string;
  /** The ELF file. */
  path: string;
  /** What proves it runs (the recipe's meta.smokeTest), kept in the manifest for `xpkgs copy`. */
  smokeTest?: SmokeTest | undefined;
}

export interface BundleRequest {
  programs: BundleProgram[];
  /** Where the loader and the C library of a dynamic program are looked for: "/" natively. */
  sysroot: string;
  /** The store whose paths the portability report names. */
  storeDir: string;
  /** What the bundle was made from, for the manifest: an attribute path or a file. */
  source: string;
}

export interface BundleFile {
  path: string;
  size: number;
  sha256: string;
  /** Permission bits, octal: "755". */
  mode: string;
  /** Where the bytes came from (before any RUNPATH rewrite). */
  from: string;
}

export interface BundleManifest {
  format: typeof bundleFormat;
  source: string;
  arch: string;
  static: boolean;
  /** The loader, relative to the bundle, or null for static programs. */
  interpreter: string | null;
  /** Program name → { run: what to start (bin/NAME), elf: the ELF file itself }. */
  programs: Record<string, { run: string; elf: string; smokeTest?: SmokeTest | undefined }>;
  files: BundleFile[];
  /** The portability report of every ELF file in the bundle, as `xpkgs inspect` makes it. */
  report: ElfReport[];
  /** Things the bundle cannot carry, in words: store paths the programs still name, and so on. */
  warnings: string[];
}

function readElf(path: string, what: string): { bytes: Buffer; elf: ElfFile } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new XpkgsError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  if (!isElf(bytes)) {
    throw new XpkgsError(
      `${path} is not an ELF file, so it cannot be bundled. ` +
        "Bundle a compiled program (scripts need their interpreter on the device).",
    );
  }
  try {
    return { bytes, elf: parseElf(bytes) };
  } catch (e) {
    if (e instanceof ElfFormatError) throw new XpkgsError(`${path}: ${e.message}`);
    throw e;
  }
}

const isStatic = (elf: ElfFile) => elf.interpreter === null && elf.needed.length === 0;

/**
 * Does the loader understand `option` when started as a command? glibc ≥ 2.33
 * has the string "--argv0"; musl (≥ 1.1.16) keeps its option names without the dashes.
 */
function loaderKnows(loader: Uint8Array, name: string, option: string): boolean {
  const bytes = Buffer.from(loader.buffer, loader.byteOffset, loader.byteLength);
  if (name.startsWith("ld-musl-")) {
    return option === "--argv0" && bytes.includes(Buffer.from(`\0${option.slice(2)}\0`));
  }
  return bytes.includes(Buffer.from(`${option}\0`));
}

function launcher(name: string, loader: string, options: string[]): string {
  const opts = options.map((o) => ` ${o}`).join("");
  return `#!/bin/sh
# Made by xpkgs bundle: starts libexec/${name} with this bundle's own loader and libraries.
self=$0
case $self in */*) ;; *) self=$(command -v -- "$self") || exit 127 ;; esac
if real=$(readlink -f -- "$self" 2>/dev/null) && [ -n "$real" ]; then self=$real; fi
here=\${self%/*}/..
exec "$here/lib/${loader}" --library-path "$here/lib"${opts} "$here/libexec/${name}" "$@"
`;
}

interface Staged {
  path: string;
  bytes: Uint8Array;
  mode: number;
  from: string;
}

function plan(req: BundleRequest): {
  staged: Staged[];
  interpreter: string | null;
  arch: string;
  static: boolean;
} {
  if (req.programs.length === 0) throw new XpkgsError("nothing to bundle: no programs were named");
  const staged: Staged[] = [];
  const libs = new Map<string, string>();
  let interpreter: string | null = null;
  let loaderBytes: Uint8Array | null = null;
  let arch: string | null = null;
  let allStatic = true;
  const mains = req.programs.map((p) => ({ ...p, ...readElf(p.path, "program") }));
  for (const p of mains) {
    const a = archOf(p.elf);
    if (arch !== null && a !== arch) {
      throw new XpkgsError(
        `cannot bundle ${arch} and ${a} programs together (${p.path}): a bundle is for one architecture.`,
      );
    }
    arch = a;
    if (!isStatic(p.elf)) allStatic = false;
  }
  for (const p of mains) {
    const mode = (statSync(p.path).mode & 0o777) | 0o700;
    if (isStatic(p.elf)) {
      staged.push({ path: `bin/${p.name}`, bytes: p.bytes, mode, from: p.path });
      continue;
    }
    const found = ldd(p.path, req.sysroot);
    const missing = found.libraries.filter((l) => l.path === null);
    if (found.interpreter !== null && found.interpreterPath === null) {
      throw new XpkgsError(
        `${p.path} needs the loader ${found.interpreter}, which is not under ${req.sysroot}. ` +
          "Name the folder that holds this architecture's C library with --sysroot " +
          "(for Debian's cross libraries: /usr/<triple>).",
      );
    }
    if (missing.length > 0) {
      throw new XpkgsError(
        `${p.path} needs ${missing.map((l) => `${l.name} (named by ${l.neededBy})`).join(", ")}, ` +
          `found neither under ${req.sysroot} nor in the RUNPATH. ` +
          "Name the sysroot with --sysroot, or build the program static (pkgsStatic) instead.",
      );
    }
    if (found.interpreterPath !== null) {
      const name = basename(found.interpreter!);
      if (interpreter !== null && interpreter !== name) {
        throw new XpkgsError(
          `the programs use different loaders (${interpreter}, ${name}); bundle them separately.`,
        );
      }
      interpreter = name;
      loaderBytes = readFileSync(found.interpreterPath);
      libs.set(name, found.interpreterPath);
    }
    for (const l of found.libraries) {
      // A library that is the loader itself (musl's libc.so) travels once, as the loader.
      if (l.path === found.interpreterPath) continue;
      if (!libs.has(l.name)) libs.set(l.name, l.path!);
    }
    // A loader named by its store path (musl's) gets its usual name, so the program names no store
    // path, and on a device with that loader it also starts without the launcher.
    const interp = p.elf.interpreter;
    const bytes = patchElf(p.bytes, {
      setRpath: "$ORIGIN/../lib",
      ...(interp !== null && interp.startsWith(`${req.storeDir}/`)
        ? { setInterpreter: `/lib/${basename(interp)}` }
        : {}),
    });
    staged.push({ path: `libexec/${p.name}`, bytes, mode, from: p.path });
    if (interpreter === null) {
      throw new XpkgsError(
        `${p.path} is dynamically linked but names no loader (PT_INTERP); it cannot be started on its own.`,
      );
    }
    const options = ["--argv0", "--inhibit-cache"]
      .filter((o) => loaderKnows(loaderBytes!, interpreter!, o))
      .map((o) => (o === "--argv0" ? `--argv0 "$0"` : o));
    staged.push({
      path: `bin/${p.name}`,
      bytes: Buffer.from(launcher(p.name, interpreter, options)),
      mode: 0o755,
      from: p.path,
    });
  }
  for (const [name, path] of [...libs].sort(([a], [b]) => a.localeCompare(b))) {
    let bytes: Uint8Array = readFileSync(path);
    const elf = parseElf(bytes);
    // Libraries from the store name their own lib/ folder: point them at the bundle's instead.
    if (elf.runpath !== null || elf.rpath !== null)
      bytes = patchElf(bytes, { setRpath: "$ORIGIN" });
    const mode = name === interpreter ? 0o755 : 0o644;
    staged.push({ path: `lib/${name}`, bytes, mode, from: path });
  }
  return { staged, interpreter, arch: arch!, static: allStatic };
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Makes the bundle in folder `dir`, which must not exist yet. It is written
 * under a temporary name beside `dir` and renamed when complete, so a failure
 * leaves nothing under `dir`.
 */
export function makeBundle(req: BundleRequest, dir: string): BundleManifest {
  if (existsSync(dir)) {
    throw new XpkgsError(`${dir} exists already. Remove it, or name another folder.`);
  }
  const names = new Set<string>();
  for (const p of req.programs) {
    if (names.has(p.name)) throw new XpkgsError(`program ${p.name} is named twice`);
    names.add(p.name);
  }
  let planned: ReturnType<typeof plan>;
  try {
    planned = plan(req);
  } catch (e) {
    if (e instanceof ElfEditError) throw new XpkgsError(`cannot rewrite RUNPATH: ${e.message}`);
    throw e;
  }
  const { staged, interpreter } = planned;
  const manifest: BundleManifest = {
    format: bundleFormat,
    source: req.source,
    arch: planned.arch,
    static: planned.static,
    interpreter: interpreter === null ? null : `lib/${interpreter}`,
    programs: Object.fromEntries(
      req.programs.map((p) => [
        p.name,
        {
          run: `bin/${p.name}`,
          elf: staged.some((s) => s.path === `libexec/${p.name}`)
            ? `libexec/${p.name}`
            : `bin/${p.name}`,
          ...(p.smokeTest !== undefined ? { smokeTest: p.smokeTest } : {}),
        },
      ]),
    ),
    files: staged
      .map((s) => ({
        path: s.path,
        size: s.bytes.byteLength,
        sha256: sha256(s.bytes),
        mode: s.mode.toString(8),
        from: s.from,
      }))
      .sort((a, b) => a.path.localeCompare(b.path)),
    report: [],
    warnings: [],
  };
  for (const s of staged) {
    if (!isElf(s.bytes)) continue;
    const r = reportElf(parseElf(s.bytes), s.path, req.storeDir);
    manifest.report.push(r);
    for (const ref of r.storeReferences) {
      manifest.warnings.push(
        `${s.path} still names ${ref}: files it opens there must exist on the device too`,
      );
    }
  }
  manifest.report.sort((a, b) => a.path.localeCompare(b.path));

  const tmp = join(dirname(dir), `.${basename(dir)}.xpkgs-partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const s of staged) {
      const target = join(tmp, s.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, s.bytes);
      chmodSync(target, s.mode);
    }
    writeFileSync(join(tmp, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new XpkgsError(`cannot write the bundle to ${dir}: ${(e as Error).message}`);
  }
  return manifest;
}

/** The manifest of the bundle in `dir`, or null when `dir` is not a bundle. */
export function readManifest(dir: string): BundleManifest | null {
  const file = join(dir, manifestName);
  if (!existsSync(file)) return null;
  const m = JSON.parse(readFileSync(file, "utf8")) as BundleManifest;
  if (m.format !== bundleFormat) {
    throw new XpkgsError(`${file} is not a bundle manifest this xpkgs reads (format ${m.format}).`);
  }
  return m;
}
