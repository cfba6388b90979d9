/**
 * `readelf -r`: the relocation sections (REL, RELA and RELR) in GNU readelf
 * 2.40's layouts, narrow and wide, each entry with its type's name, the
 * symbol's value, name and version, and the addend (and what machines add:
 * 64-bit MIPS's second and third types, Alpha's LITUSE kinds, SPARC's OLO10).
 */
import { EM_ALPHA, EM_MIPS, EM_SPARCV9, EM_X86_64, SHT_DYNSYM, SHT_SYMTAB } from "./constants.js";
import { type ElfFile, type SectionHeader, readerOf } from "./parse.js";
import { printSymbol } from "./readelf.js";
import { relocationTypeName } from "./reloc-names.js";
import { type ElfSymbol, readSymbols, symbolVersioning } from "./tables.js";

const SHT_RELA = 4;
const SHT_REL = 9;
const SHT_RELR = 19;
const EM_IA_64 = 50;

/** Alpha's R_ALPHA_LITUSE says, in its addend, how the literal is used; GNU readelf names that. */
const alphaLituse = ["ADDR", "BASE", "BYTOFF", "JSR", "TLSGD", "TLSLDM", "JSRDIRECT"];

const hex = (n: number | bigint) => n.toString(16);
const h = (n: number | bigint, w: number) => hex(n).padStart(w, "0");

/**
 * A 64-bit MIPS r_info is a 32-bit symbol index and then four bytes (ssym, type3, type2, type),
 * which is one big-endian word only in a big-endian file. In a little-endian file GNU readelf
 * reorders the word it read into that layout, and prints it so; this does the same.
 */
function mips64Info(raw: bigint): bigint {
  return (
    ((raw & 0xffffffffn) << 32n) |
    ((raw >> 56n) & 0xffn) |
    ((raw >> 40n) & 0xff00n) |
    ((raw >> 24n) & 0xff0000n) |
    ((raw >> 8n) & 0xff000000n)
  );
}

/** The Type column: the name, cut to 17 characters unless wide, or the number. */
const typeColumn = (name: string | null, type: number, wide: boolean): string =>
  name === null
    ? `unrecognized: ${hex(type).padEnd(7)}`
    : wide
      ? name.padEnd(22)
      : name.slice(0, 17).padEnd(17);

/** The relocated addresses of a RELR section. */
export function relrAddresses(elf: ElfFile, s: SectionHeader): bigint[] {
  const r = readerOf(elf);
  const w = elf.class === 64 ? 8 : 4;
  const bits = BigInt(w * 8 - 1);
  const out: bigint[] = [];
  let base = 0n;
  const n = Math.floor(s.size / w);
  r.check(s.offset, n * w, "a RELR section");
  for (let i = 0; i < n; i++) {
    const e = r.wordBig(s.offset + i * w, "a RELR entry");
    if ((e & 1n) === 0n) {
      out.push(e);
      base = e + BigInt(w);
    } else {
      let bitmap = e >> 1n;
      for (let k = 0n; bitmap !== 0n && k < bits; k++, bitmap >>= 1n) {
        if ((bitmap & 1n) !== 0n) out.push(base + k * BigInt(w));
      }
      base += bits * BigInt(w);
    }
  }
  return out;
}

function sectionSymbolName(elf: ElfFile, sym: ElfSymbol): string {
  if (sym.type !== 3) return "<null>";
  if (sym.shndx < elf.shnum && elf.sections[sym.shndx] !== undefined) {
    return elf.sections[sym.shndx]!.name;
  }
  if (sym.shndx === 0xfff1) return "ABS";
  if (sym.shndx === 0xfff2) return "COMMON";
  if (elf.machine === EM_MIPS && sym.shndx === 0xff03) return "SCOMMON";
  if (elf.machine === EM_MIPS && sym.shndx === 0xff04) return "SUNDEF";
  if (elf.machine === EM_X86_64 && sym.shndx === 0xff02) return "LARGE_COMMON";
  if (elf.machine === EM_IA_64 && sym.shndx === 0xff00) return "ANSI_COM";
  return `<section 0x${hex(sym.shndx)}>`;
}

function relocationLines(elf: ElfFile, s: SectionHeader, wide: boolean, out: string[]): void {
  const r = readerOf(elf);
  const is64 = elf.class === 64;
  const rela = s.type === SHT_RELA;
  const w = is64 ? 8 : 4;
  const entsize = s.entsize !== 0 ? s.entsize : (rela ? 3 : 2) * w;
  const count = Math.floor(s.size / entsize);
  r.check(s.offset, count * entsize, `the relocation section ${s.name}`);
  const symsec = s.link !== 0 && s.link < elf.shnum ? elf.sections[s.link] : undefined;
  if (symsec !== undefined && symsec.type !== SHT_SYMTAB && symsec.type !== SHT_DYNSYM) return;
  const syms = symsec !== undefined ? readSymbols(elf, symsec) : null;
  const versions = symsec?.type === SHT_DYNSYM ? symbolVersioning(elf) : null;
  if (rela) {
    if (!is64) {
      out.push(
        wide
          ? " Offset     Info    Type                Sym. Value  Symbol's Name + Addend"
          : " Offset     Info    Type            Sym.Value  Sym. Name + Addend",
      );
    } else {
      out.push(
        wide
          ? "    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend"
          : "  Offset          Info           Type           Sym. Value    Sym. Name + Addend",
      );
    }
  } else if (!is64) {
    out.push(
      wide
        ? " Offset     Info    Type                Sym. Value  Symbol's Name"
        : " Offset     Info    Type            Sym.Value  Sym. Name",
    );
  } else {
    out.push(
      wide
        ? "    Offset             Info             Type               Symbol's Value  Symbol's Name"
        : "  Offset          Info           Type           Sym. Value    Sym. Name",
    );
  }
  for (let i = 0; i < count; i++) {
    const o = s.offset + i * entsize;
    const offset = r.wordBig(o, "r_offset");
    const mips64 = is64 && elf.machine === EM_MIPS;
    let info = r.wordBig(o + w, "r_info");
    if (mips64 && elf.endianness === "little") info = mips64Info(info);
    const addend = rela ? BigInt.asIntN(is64 ? 64 : 32, r.wordBig(o + 2 * w, "r_addend")) : 0n;
    // 64-bit MIPS has three types in the low bytes; 64-bit SPARC keeps data above its 8-bit type.
    const type = Number(
      !is64 || mips64 || elf.machine === EM_SPARCV9 ? info & 0xffn : info & 0xffffffffn,
    );
    const symIndex = Number(is64 ? info >> 32n : info >> 8n);
    let line = is64
      ? `${h(offset, wide ? 16 : 12)}  ${h(info, wide ? 16 : 12)} `
      : `${h(offset, 8)}  ${h(info, 8)} `;
    const name = relocationTypeName(elf.machine, type);
    line += typeColumn(name, type, wide);
    if (elf.machine === EM_ALPHA && name === "R_ALPHA_LITUSE" && rela) {
      const use =
        addend >= 0n && addend < BigInt(alphaLituse.length)
          ? alphaLituse[Number(addend)]
          : undefined;
      line +=
        use !== undefined ? ` (${use})` : ` <unknown addend: ${hex(BigInt.asUintN(64, addend))}>`;
    } else if (symIndex !== 0) {
      const sym = syms?.[symIndex];
      if (sym === undefined) {
        line += "";
      } else {
        const v = versions?.of(sym) ?? null;
        const ver = v === null ? "" : `${v.kind === "public" ? "@@" : "@"}${v.name}`;
        line += " ";
        if (sym.type === 10) {
          const width = is64 ? 14 : 8;
          const nm = sym.nameOffset === 0 || sym.name === "" ? "??" : sym.name;
          const shown = printSymbol(width, nm, wide);
          line += `${shown}${ver}()${" ".repeat(Math.max(1, shown.length <= width ? width + 1 - shown.length : 1))}`;
        } else {
          line += `${h(sym.value, is64 ? 16 : 8)}${is64 ? " " : "   "}`;
        }
        if (sym.nameOffset === 0) line += printSymbol(22, sectionSymbolName(elf, sym), wide);
        else line += printSymbol(22, sym.name, wide) + ver;
        if (rela) line += addend < 0n ? ` - ${hex(-addend)}` : ` + ${hex(addend)}`;
      }
    } else if (rela) {
      line += " ".repeat(is64 ? 20 : 12);
      line += addend < 0n ? `-${hex(-addend)}` : hex(addend);
    }
    if (elf.machine === EM_SPARCV9 && name === "R_SPARC_OLO10") {
      // The type's upper 24 bits, a signed addend of their own.
      const data = BigInt.asIntN(24, (info & 0xffffffffn) >> 8n);
      line += ` + ${hex(BigInt.asUintN(64, data))}`;
    }
    out.push(line);
    if (mips64) {
      // The second and third types of the entry, always narrow.
      for (const [label, t] of [
        ["Type2", Number((info >> 8n) & 0xffn)],
        ["Type3", Number((info >> 16n) & 0xffn)],
      ] as const) {
        out.push(
          `                    ${label}: ${typeColumn(relocationTypeName(elf.machine, t), t, false)}`,
        );
      }
    }
  }
}

/** `readelf -r`. */
export function formatRelocations(elf: ElfFile, wide = false): string {
  const out: string[] = [];
  let found = false;
  for (const s of elf.sections) {
    if (s.type !== SHT_RELA && s.type !== SHT_REL && s.type !== SHT_RELR) continue;
    if (s.size === 0) continue;
    found = true;
    const w = elf.class === 64 ? 8 : 4;
    const entsize =
      s.entsize !== 0 ? s.entsize : s.type === SHT_RELR ? w : (s.type === SHT_RELA ? 3 : 2) * w;
    const n = Math.floor(s.size / entsize);
    out.push(
      "",
      `Relocation section '${s.name}' at offset 0x${hex(s.offset)} contains ${n} ${n === 1 ? "entry" : "entries"}:`,
    );
    if (s.type === SHT_RELR) {
      const addrs = relrAddresses(elf, s);
      out.push(`  ${addrs.length} ${addrs.length === 1 ? "offset" : "offsets"}`);
      for (const a of addrs) out.push(h(a, w * 2));
    } else {
      relocationLines(elf, s, wide, out);
    }
  }
  if (!found) {
    const dynamicRelocs = elf.dynamic.some(
      (e) => e.tag === 8n || e.tag === 18n || e.tag === 2n || e.tag === 35n,
    );
    if (dynamicRelocs) {
      return "\nThere are no static relocations in this file.\nTo see the dynamic relocations add --use-dynamic to the command line.\n";
    }
    return "\nThere are no relocations in this file.\n";
  }
  return `${out.join("\n")}\n`;
}
