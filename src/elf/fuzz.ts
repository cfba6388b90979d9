/**
 * Fuzzing the ELF toolkit: mutated and truncated copies of real files go
 * through every reader and formatter. Anything thrown other than an
 * ElfFormatError is a bug, and so is an input that takes too long.
 */
import { describeElf } from "./describe.js";
import { reportElf } from "./inspect.js";
import { ET_DYN } from "./constants.js";
import { type ElfFile, ElfFormatError, parseElf } from "./parse.js";
import { ElfEditError, type PatchOptions, runPatchelf } from "./patchelf.js";
import { formatReadelf } from "./readelf.js";

/** A small, seedable generator (mulberry32), so a failure can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const interesting = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff];

/** One mutant of `seed`: a few byte, word or truncation changes, favouring the headers. */
export function mutate(seed: Uint8Array, random: () => number): Uint8Array {
  let out: Uint8Array = Uint8Array.from(seed);
  const n = 1 + Math.floor(random() * 6);
  const pick = (limit: number) => Math.floor(random() * limit);
  for (let i = 0; i < n; i++) {
    const where =
      random() < 0.5
        ? pick(Math.min(out.length, 64))
        : random() < 0.5
          ? pick(Math.min(out.length, 4096))
          : pick(out.length);
    const kind = random();
    if (kind < 0.4) {
      out[where] = pick(256);
    } else if (kind < 0.8) {
      const v = interesting[pick(interesting.length)]!;
      const width = random() < 0.5 ? 4 : 8;
      for (let k = 0; k < width && where + k < out.length; k++) {
        out[where + k] = width === 8 && k >= 4 ? (v > 0xffff ? 0xff : 0) : (v >>> (8 * k)) & 0xff;
      }
    } else {
      out = out.subarray(0, Math.max(4, pick(out.length)));
    }
  }
  return out;
}

export interface FuzzFailure {
  iteration: number;
  error: string;
  input: Uint8Array;
}

/** The file the last failing edit was given (a later one in a row edits an edited file). */
export let lastEditInput: Uint8Array | null = null;

/** One patchelf edit, picked at random; `elf` is the file it will be applied to. */
function pickEdit(elf: ElfFile, random: () => number): PatchOptions {
  const long = (c: string) => `/fuzz/${c.repeat(16 + Math.floor(random() * 200))}`;
  const some = <T>(xs: T[]): T | undefined => xs[Math.floor(random() * xs.length)];
  const rpath = elf.runpath ?? elf.rpath ?? "";
  const edits: (() => PatchOptions)[] = [
    () => ({ setInterpreter: random() < 0.5 ? "/l" : long("i") }),
    () => ({ setRpath: long("r") }),
    // the old value's tail, and the empty string: both must read back as given
    () => ({ setRpath: rpath.slice(Math.floor(random() * (rpath.length + 1))) }),
    () => ({ addRpath: long("a"), forceRpath: random() < 0.5 }),
    () => ({ removeRpath: true }),
    () => ({ shrinkRpath: { allowedPrefixes: random() < 0.5 ? [] : ["/usr"] } }),
    () => ({ addNeeded: [`libfuzz${Math.floor(random() * 4)}.so`] }),
    () => ({ removeNeeded: [some(elf.needed) ?? "libnone.so"] }),
    () => ({ replaceNeeded: [[some(elf.needed) ?? "libnone.so", "libreplaced.so.1"]] }),
    () => ({ setSoname: long("s").slice(6) }),
    () => ({ noDefaultLib: true }),
    () => ({ addDebugTag: true }),
    () => ({ clearSymbolVersion: ["memcpy", "puts"] }),
    () => ({ setOsAbi: some(["Linux", "FreeBSD", "System V"])! }),
    () => ({ execstack: random() < 0.5 }),
    () => ({ printInterpreter: true, printRpath: true, printNeeded: true, printSoname: true }),
  ];
  return edits[Math.floor(random() * edits.length)]!();
}

/** What an edit asked for that must read back: interpreter, run path, SONAME, NEEDED. */
function checkReadBack(before: ElfFile, after: ElfFile, o: PatchOptions): string | null {
  const asRead = (s: string) => s.split("\0")[0]!;
  const bad: string[] = [];
  if (o.setInterpreter !== undefined && after.interpreter !== asRead(o.setInterpreter)) {
    bad.push(`interpreter ${after.interpreter}`);
  }
  const runpath = after.runpath ?? after.rpath;
  if (o.setRpath !== undefined && runpath !== asRead(o.setRpath)) bad.push(`run path ${runpath}`);
  if (o.removeRpath === true && runpath !== null) bad.push(`run path ${runpath} not removed`);
  if (o.setSoname !== undefined && before.type === ET_DYN && after.soname !== o.setSoname) {
    bad.push(`SONAME ${after.soname}`);
  }
  for (const n of o.addNeeded ?? []) if (!after.needed.includes(n)) bad.push(`NEEDED ${n} missing`);
  for (const n of o.removeNeeded ?? []) if (after.needed.includes(n)) bad.push(`NEEDED ${n} kept`);
  const edits =
    (o.addNeeded ?? []).length + (o.removeNeeded ?? []).length + (o.replaceNeeded ?? []).length;
  // (A mutant whose PT_DYNAMIC was damaged can come out repaired: PT_DYNAMIC follows the
  // moved .dynamic. Only a dynamic section that read before must read the same after.)
  const readBefore = before.dynamic.length > 0 && before.dynstrOffset !== null;
  if (edits === 0 && readBefore && after.needed.join("\0") !== before.needed.join("\0")) {
    bad.push("NEEDED changed");
  }
  return bad.length === 0
    ? null
    : `the edit ${JSON.stringify(o)} read back wrong: ${bad.join("; ")}`;
}

/** Runs every reader over one input, then one to three patchelf edits in a row; returns what went wrong, or null. */
export function exercise(
  bytes: Uint8Array,
  random: () => number = rng(bytes.length),
): string | null {
  try {
    const elf = parseElf(bytes);
    describeElf(elf, true);
    // Every readelf view (-h -l -S -d -r -s --dyn-syms -V -n), in both layouts.
    for (const wide of [false, true]) {
      formatReadelf(elf, {
        header: true,
        segments: true,
        sections: true,
        dynamic: true,
        relocs: true,
        syms: true,
        dynSyms: true,
        versionInfo: true,
        notes: true,
        wide,
      });
    }
    reportElf(elf, "fuzz", "/xpkgs/store");
  } catch (e) {
    if (!(e instanceof ElfFormatError)) return failure(e);
  }
  // Edits in a row on the same file: grow, grow again, shrink. Each one that succeeds must
  // read back, through parse.ts (not the reader the edit checks itself with), as asked.
  let current = bytes;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    let before: ElfFile;
    try {
      before = parseElf(current);
    } catch {
      return null;
    }
    const o = pickEdit(before, random);
    let r;
    try {
      r = runPatchelf(current, o);
    } catch (e) {
      if (e instanceof ElfEditError || e instanceof ElfFormatError) return null;
      return failure(e);
    }
    if (!r.changed) continue;
    let after: ElfFile;
    try {
      after = parseElf(r.bytes);
    } catch (e) {
      lastEditInput = current;
      return `the edit ${JSON.stringify(o)} made a file that does not parse: ${(e as Error).message}`;
    }
    const wrong = checkReadBack(before, after, o);
    if (wrong !== null) {
      lastEditInput = current;
      return wrong;
    }
    current = r.bytes;
  }
  return null;
}

function failure(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
}

export interface FuzzStats {
  iterations: number;
  rejected: number;
  slowestMs: number;
  failures: FuzzFailure[];
}

/** `iterations` mutants of the seeds; each must finish within `slowLimitMs`. */
export function fuzz(
  seeds: Uint8Array[],
  iterations: number,
  seed = 1,
  slowLimitMs = 2000,
): FuzzStats {
  const random = rng(seed);
  const stats: FuzzStats = { iterations, rejected: 0, slowestMs: 0, failures: [] };
  for (let i = 0; i < iterations; i++) {
    const input = mutate(seeds[i % seeds.length]!, random);
    const start = performance.now();
    let error = exercise(input, random);
    const ms = performance.now() - start;
    stats.slowestMs = Math.max(stats.slowestMs, ms);
    if (error === null && ms > slowLimitMs) error = `took ${ms.toFixed(0)} ms`;
    if (error !== null) {
      stats.failures.push({ iteration: i, error, input });
      if (stats.failures.length >= 5) break;
    }
    try {
      parseElf(input);
    } catch {
      stats.rejected++;
    }
  }
  return stats;
}
