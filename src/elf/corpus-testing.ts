/**
 * Test support: this machine's ELF files as a corpus (the host's programs and
 * libraries, and the C libraries of the installed cross sysroots), and GNU
 * readelf to hold the toolkit's views against. Not product code.
 */
import { execFile } from "node:child_process";
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { isElf } from "./parse.js";

/** The ELF files directly in `dir`, sorted, an even spread of at most `limit`. */
export function elfFilesIn(dir: string, limit: number): string[] {
  if (!existsSync(dir)) return [];
  const all: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (!st.isFile() || st.size < 64) continue;
    if (isElf(head(p, 4))) all.push(p);
  }
  // An even spread over the directory, not its first files.
  const step = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % step === 0).slice(0, limit);
}

/** The library folders of the cross sysroots installed under /usr. */
export const crossDirs = readdirSync("/usr")
  .filter((d) => /-linux-gnu/.test(d))
  .sort()
  .map((d) => `/usr/${d}/lib`);

/** Every regular ELF file under `dir` (recursive; symbolic links are skipped), sorted by path. */
export function elfFilesUnder(dir: string, maxBytes = Infinity): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size >= 64 && st.size <= maxBytes) {
        if (isElf(head(p, 4))) out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

/** The first `n` bytes of a file (fewer when it is shorter or unreadable). */
function head(path: string, n: number): Buffer {
  const b = Buffer.alloc(n);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } catch {
    return b.subarray(0, 0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The header bytes that tell machines apart: e_machine, class and byte order. */
export function elfKind(path: string): string {
  const b = head(path, 20);
  const little = b[5] === 1;
  const machine = little ? b.readUInt16LE(18) : b.readUInt16BE(18);
  return `${machine}/${b[4] === 2 ? 64 : 32}/${little ? "LSB" : "MSB"}`;
}

/**
 * A stable sample of `files`: every kind (machine, class, byte order) gets at
 * least `perKind` files, and the rest is every k-th file, sorted by path.
 */
export function stableSample(files: string[], size: number, perKind = 4): string[] {
  const sorted = [...files].sort();
  const kinds = new Map<string, string[]>();
  for (const f of sorted) {
    const k = elfKind(f);
    if (!kinds.has(k)) kinds.set(k, []);
    kinds.get(k)!.push(f);
  }
  const picked = new Set<string>();
  for (const group of kinds.values()) {
    const step = Math.max(1, Math.floor(group.length / perKind));
    group
      .filter((_, i) => i % step === 0)
      .slice(0, perKind)
      .forEach((f) => picked.add(f));
  }
  const rest = sorted.filter((f) => !picked.has(f));
  const want = Math.max(0, size - picked.size);
  const step = Math.max(1, Math.floor(rest.length / Math.max(1, want)));
  rest
    .filter((_, i) => i % step === 0)
    .slice(0, want)
    .forEach((f) => picked.add(f));
  return [...picked].sort();
}

export interface GnuResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** GNU readelf with these arguments, in the C locale. */
export function gnuReadelf(args: string[]): Promise<GnuResult> {
  return new Promise((resolve) => {
    execFile(
      "readelf",
      args,
      { encoding: "latin1", maxBuffer: 1 << 30, env: { ...process.env, LC_ALL: "C" } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ stdout, stderr, status: code });
      },
    );
  });
}

/** Runs `jobs` at a time (the machine's cores are shared). */
export async function inPool<T, R>(
  items: T[],
  jobs: number,
  run: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return out;
}
