// xpkgs readelf against GNU readelf 2.40 on small made-up ELF files, one per
// machine, so that each machine's own words (e_flags, st_other, relocation
// types, processor-specific section, segment and dynamic types) stay held even
// when this machine has no C library of that architecture installed.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gnuReadelf, inPool } from "./corpus-testing.js";
import { parseElf } from "./parse.js";
import { formatReadelf, readelfViewOptions } from "./readelf.js";

interface Machine {
  name: string;
  machine: number;
  is64: boolean;
  le: boolean;
  /** e_flags values, one file each. */
  flags: number[];
  /** st_other values of the symbols (GNU readelf refuses some on some machines). */
  others: number[];
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

const machines: Machine[] = [
  { name: "alpha", machine: 0x9026, is64: true, le: true, flags: [0, 1], others: [0, 0x80, 0x88] },
  {
    name: "arc",
    machine: 195,
    is64: false,
    le: true,
    flags: [0x406, 0x206, 0x305, 0x2, 0x4, 0x103, 0x600, 0x7],
    others: all(256),
  },
  { name: "arcompact", machine: 93, is64: false, le: true, flags: [0x3, 0x9], others: [0, 4] },
  {
    name: "sparcv9",
    machine: 43,
    is64: true,
    le: false,
    flags: [0x2, 0x202, 0x1, 0xb00, 0x800403, 0x3],
    others: all(256),
  },
  {
    name: "m68k",
    machine: 4,
    is64: false,
    le: false,
    flags: [0x01000000, 0x00810000, 0x02000000, 0x12, 0x57, 0x24, 0x8000, 0x0f],
    others: all(256),
  },
  { name: "i386", machine: 3, is64: false, le: true, flags: [0], others: all(256) },
  {
    name: "mips64el",
    machine: 8,
    is64: true,
    le: true,
    flags: [0x80000007, 0x60000027, 0xa0000400, 0x008b0000 | 0x20000000, 0x0c005000],
    others: all(256),
  },
  { name: "mips64", machine: 8, is64: true, le: false, flags: [0x80000007], others: [0, 8] },
  {
    name: "arm",
    machine: 40,
    is64: false,
    le: true,
    flags: [0x05000400, 0x05000200, 0x04800000, 0x02000018, 0x404, 0x21, 0x07000001],
    others: all(256),
  },
  { name: "aarch64", machine: 183, is64: true, le: true, flags: [0], others: all(256) },
  { name: "riscv", machine: 243, is64: true, le: true, flags: [0x5, 0x11], others: all(256) },
  { name: "ppc64", machine: 21, is64: true, le: false, flags: [1, 2, 3], others: all(256) },
  { name: "loongarch", machine: 258, is64: true, le: true, flags: [0x43, 0x1], others: [0] },
];

/** A relocatable-looking file with one of everything GNU readelf names per machine. */
function build(m: Machine, flags: number): Buffer {
  const { is64, le } = m;
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  };
  const word = (v: number | bigint) => {
    if (!is64) return u32(Number(v));
    const b = Buffer.alloc(8);
    if (le) b.writeBigUInt64LE(BigInt(v));
    else b.writeBigUInt64BE(BigInt(v));
    return b;
  };
  const u8 = (v: number) => Buffer.from([v]);

  // Symbols: one per st_other value, one per type (0 to 15), a section symbol.
  let strtab = Buffer.from("\0");
  const sym = (name: string, info: number, other: number, shndx: number) => {
    const at = strtab.length;
    strtab = Buffer.concat([strtab, Buffer.from(`${name}\0`)]);
    return is64
      ? Buffer.concat([u32(at), u8(info), u8(other), u16(shndx), word(0x10), word(4)])
      : Buffer.concat([u32(at), word(0x10), word(4), u8(info), u8(other), u16(shndx)]);
  };
  const syms = [Buffer.alloc(is64 ? 24 : 16), sym("f", 0x12, 0, 1)];
  for (const o of m.others) syms.push(sym(`o${o.toString(16)}`, 0x12, o, 1));
  for (const t of all(16)) syms.push(sym(`t${t}`, 0x10 | t, 0, 1));
  // Relocations of every 8-bit type against symbol 1 (and, for 64-bit MIPS, second and third types).
  const relas: Buffer[] = [];
  for (const t of all(256)) {
    let info: Buffer;
    if (is64 && m.machine === 8) {
      const sym = le ? u32(1) : Buffer.from([0, 0, 0, 1]);
      info = Buffer.concat([sym, Buffer.from([0, t % 7, (t * 3) % 256, t])]);
    } else info = word(is64 ? (1n << 32n) | BigInt(t) : (1 << 8) | t);
    // Some negative addends; Alpha's LITUSE (5) takes a kind, JSR, as its addend.
    const addend = t === 5 ? 3 : t % 5 === 0 ? -8 : 8;
    relas.push(
      Buffer.concat([word(t * 4), info, word(BigInt.asUintN(is64 ? 64 : 32, BigInt(addend)))]),
    );
  }
  // Dynamic tags: the first processor-specific ones.
  const dyn = Buffer.concat([
    ...all(0x40).map((k) => Buffer.concat([word(0x70000000 + k), word(0x10)])),
    word(0),
    word(0),
  ]);

  interface Sec {
    name: string;
    type: number;
    data: Buffer;
    flags?: number;
    link?: number;
    info?: number;
    entsize?: number;
  }
  const secs: Sec[] = [
    { name: "", type: 0, data: Buffer.alloc(0) },
    { name: ".text", type: 1, flags: 6, data: Buffer.alloc(16) },
    {
      name: ".symtab",
      type: 2,
      data: Buffer.concat(syms),
      link: 3,
      info: 1,
      entsize: is64 ? 24 : 16,
    },
    { name: ".strtab", type: 3, data: strtab },
    {
      name: ".rela.text",
      type: 4,
      data: Buffer.concat(relas),
      link: 2,
      info: 1,
      entsize: is64 ? 24 : 12,
      flags: 0x40,
    },
    { name: ".dynamic", type: 6, flags: 3, data: dyn, entsize: is64 ? 16 : 8 },
    ...all(8).map((k) => ({ name: `.p${k}`, type: 0x70000000 + k, data: Buffer.alloc(0) })),
  ];
  let shstr = Buffer.from("\0");
  const names = secs.map((s) => {
    if (s.name === "") return 0;
    const at = shstr.length;
    shstr = Buffer.concat([shstr, Buffer.from(`${s.name}\0`)]);
    return at;
  });
  names.push(shstr.length);
  shstr = Buffer.concat([shstr, Buffer.from(".shstrtab\0")]);
  secs.push({ name: ".shstrtab", type: 3, data: shstr });

  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const phdrTypes = [2, ...all(4).map((k) => 0x70000000 + k)];
  let off = ehsize + phdrTypes.length * phentsize;
  const offsets = secs.map((s) => {
    off = (off + 7) & ~7;
    const at = off;
    off += s.data.length;
    return at;
  });
  const shoff = (off + 7) & ~7;
  const dynIndex = 5;
  const head = Buffer.concat([
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, 0]),
    Buffer.alloc(8),
    u16(1),
    u16(m.machine),
    u32(1),
    word(0),
    word(ehsize),
    word(shoff),
    u32(flags),
    u16(ehsize),
    u16(phentsize),
    u16(phdrTypes.length),
    u16(shentsize),
    u16(secs.length),
    u16(secs.length - 1),
  ]);
  const phdrs = phdrTypes.map((t) => {
    const o = t === 2 ? offsets[dynIndex]! : 0;
    const size = t === 2 ? dyn.length : 0;
    return is64
      ? Buffer.concat([u32(t), u32(4), word(o), word(0), word(0), word(size), word(size), word(8)])
      : Buffer.concat([u32(t), word(o), word(0), word(0), word(size), word(size), u32(4), u32(8)]);
  });
  const out = Buffer.alloc(shoff + secs.length * shentsize);
  Buffer.concat([head, ...phdrs]).copy(out, 0);
  secs.forEach((s, i) => {
    s.data.copy(out, offsets[i]!);
    const at = i === 0 ? 0 : offsets[i]!;
    const fields = is64
      ? [
          u32(names[i]!),
          u32(s.type),
          word(s.flags ?? 0),
          word(0),
          word(at),
          word(s.data.length),
          u32(s.link ?? 0),
          u32(s.info ?? 0),
          word(8),
          word(s.entsize ?? 0),
        ]
      : [
          u32(names[i]!),
          u32(s.type),
          word(s.flags ?? 0),
          word(0),
          word(at),
          word(s.data.length),
          u32(s.link ?? 0),
          u32(s.info ?? 0),
          word(8),
          word(s.entsize ?? 0),
        ];
    Buffer.concat(fields).copy(out, shoff + i * shentsize);
  });
  return out;
}

const VIEWS = ["-h", "-l", "-S", "-s", "-r", "-d"];

describe("readelf views of each machine, against GNU readelf, byte for byte", () => {
  it(`${machines.map((m) => m.name).join(", ")}: ${VIEWS.join(" ")}, narrow and -W`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-readelf-machines-"));
    const cases = machines.flatMap((m) => m.flags.map((f) => ({ m, f })));
    const differ: string[] = [];
    let compared = 0;
    await inPool(cases, 2, async ({ m, f }) => {
      const path = join(dir, `${m.name}-${f.toString(16)}`);
      const bytes = build(m, f);
      writeFileSync(path, bytes);
      const elf = parseElf(bytes);
      for (const view of VIEWS) {
        for (const wide of [false, true]) {
          const g = await gnuReadelf([view, ...(wide ? ["-W"] : []), path]);
          assert.equal(g.status, 0, `${path} ${view}: ${g.stderr}`);
          assert.doesNotMatch(g.stderr, /Error:/, `${path} ${view}`);
          compared++;
          const ours = formatReadelf(elf, readelfViewOptions([view], wide));
          if (ours === g.stdout) continue;
          const a = g.stdout.split("\n");
          const b = ours.split("\n");
          const i = a.findIndex((l, k) => l !== b[k]);
          differ.push(
            `${path} ${view}${wide ? " -W" : ""} line ${i + 1}\n  gnu:  ${a[i]}\n  ours: ${b[i]}`,
          );
        }
      }
    });
    assert.deepEqual(differ, []);
    assert.equal(compared, cases.length * VIEWS.length * 2);
  });
});
