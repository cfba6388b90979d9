/**
 * Fuzzing the ELF toolkit: mutated and truncated copies of real files go
 * through every reader and formatter. Anything thrown other than an
 * ElfFormatError is a bug, and so is an input that takes too long.
 */
import { describeElf } from "./describe.js";
import { reportElf } from "./inspect.js";
import { ElfFormatError, parseElf } from "./parse.js";
import { ElfEditError, patchElf } from "./patchelf.js";
import {
  formatDynamic,
  formatHeader,
  formatNotes,
  formatProgramHeaders,
  formatSections,
  formatSymbols,
  formatVersions,
} from "./readelf.js";

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

/** Runs every reader over one input; returns what went wrong, or null. */
export function exercise(bytes: Uint8Array): string | null {
  try {
    const elf = parseElf(bytes);
    describeElf(elf, true);
    formatHeader(elf);
    formatProgramHeaders(elf);
    formatSections(elf);
    formatDynamic(elf);
    formatNotes(elf);
    formatSymbols(elf);
    formatVersions(elf);
    reportElf(elf, "fuzz", "/xpkgs/store");
    // The growing edits: new strings, a moved interpreter, a new segment.
    const patched = patchElf(bytes, {
      setRpath: `/fuzz/${"r".repeat(64)}`,
      ...(elf.interpreter !== null ? { setInterpreter: `/fuzz/${"i".repeat(64)}` } : {}),
    });
    parseElf(patched);
    return null;
  } catch (e) {
    if (e instanceof ElfFormatError || e instanceof ElfEditError) return null;
    return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
  }
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
    let error = exercise(input);
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
