/**
 * `readelf -n`: the notes of a file in GNU readelf 2.40's words: GNU notes
 * (ABI tag, build ID, gold version, hardware capabilities, the property
 * notes of x86 and AArch64), SystemTap probes, FDO packaging metadata, and
 * the raw bytes of notes it does not decode. Wide (-W) puts a note's
 * decoded description on the line of its type.
 */
import { EM_386, EM_AARCH64, EM_X86_64 } from "./constants.js";
import { type ElfFile, readerOf } from "./parse.js";
import { type Note, noteDesc, readNotes } from "./tables.js";

const gnuNoteTypes: Readonly<Record<number, string>> = {
  1: "NT_GNU_ABI_TAG (ABI version tag)",
  2: "NT_GNU_HWCAP (DSO-supplied software HWCAP info)",
  3: "NT_GNU_BUILD_ID (unique build ID bitstring)",
  4: "NT_GNU_GOLD_VERSION (gold version)",
  5: "NT_GNU_PROPERTY_TYPE_0",
  0x100: "NT_GNU_BUILD_ATTRIBUTE_OPEN",
  0x101: "NT_GNU_BUILD_ATTRIBUTE_FUNC",
};

const abiOs = ["Linux", "Hurd", "Solaris", "FreeBSD", "NetBSD", "Syllable", "NaCl"];

const hex = (n: number | bigint) => n.toString(16);
const h8 = (n: number) => hex(n).padStart(8, "0");

function noteTypeName(n: Note): string {
  if (n.owner === "GNU") return gnuNoteTypes[n.type] ?? `Unknown note type: (0x${h8(n.type)})`;
  if (n.owner === "stapsdt" && n.type === 3) return "NT_STAPSDT (SystemTap probe descriptors)";
  if (n.owner === "FDO" && n.type === 0xcafe1a7e) return "FDO_PACKAGING_METADATA";
  if (n.owner === "Go" && n.type === 4) return "GO BUILDID";
  return `Unknown note type: (0x${h8(n.type)})`;
}

function bitList(v: number, names: Record<number, string>): string {
  if (v === 0) return "<None>";
  const out: string[] = [];
  let rest = v >>> 0;
  while (rest !== 0) {
    const bit = (rest & -rest) >>> 0;
    rest = (rest & ~bit) >>> 0;
    out.push(names[bit] ?? `<unknown: ${hex(bit)}>`);
  }
  return out.join(", ");
}

const x86Isa: Record<number, string> = {
  1: "x86-64-baseline",
  2: "x86-64-v2",
  4: "x86-64-v3",
  8: "x86-64-v4",
};
const x86Feature1: Record<number, string> = { 1: "IBT", 2: "SHSTK", 4: "LAM_U48", 8: "LAM_U57" };
const x86Feature2: Record<number, string> = {
  1: "x86",
  2: "x87",
  4: "MMX",
  8: "XMM",
  0x10: "YMM",
  0x20: "ZMM",
  0x40: "FXSR",
  0x80: "XSAVE",
  0x100: "XSAVEOPT",
  0x200: "XSAVEC",
  0x400: "TMM",
  0x800: "MASK",
};
const aarch64Feature1: Record<number, string> = { 1: "BTI", 2: "PAC" };

function gnuProperties(elf: ElfFile, n: Note, wide: boolean): string {
  const r = readerOf(elf);
  const size = elf.class === 64 ? 8 : 4;
  let out = "      Properties: ";
  if (n.descSize < 8 || n.descSize % size !== 0) {
    return `${out}<corrupt GNU_PROPERTY_TYPE, size = 0x${hex(n.descSize)}>`;
  }
  let p = n.descOffset;
  const end = n.descOffset + n.descSize;
  while (p < end) {
    if (p + 8 > end) {
      out += "<corrupt descsz: 0x" + hex(n.descSize) + ">";
      break;
    }
    const type = r.u32(p, "a property type");
    const datasz = r.u32(p + 4, "a property size");
    p += 8;
    if (datasz > end - p) {
      out += `<corrupt type (0x${hex(type)}) datasz: 0x${hex(datasz)}>`;
      break;
    }
    const u32 = () => r.u32(p, "a property value");
    let text: string | null = null;
    if (type >= 0xc0000000 && type <= 0xdfffffff) {
      if (elf.machine === EM_X86_64 || elf.machine === EM_386) {
        const names: Record<number, [string, Record<number, string>]> = {
          0xc0010002: ["x86 ISA used: ", x86Isa],
          0xc0008002: ["x86 ISA needed: ", x86Isa],
          0xc0000002: ["x86 feature: ", x86Feature1],
          0xc0010001: ["x86 feature used: ", x86Feature2],
          0xc0008001: ["x86 feature needed: ", x86Feature2],
        };
        const k = names[type];
        if (k !== undefined) {
          text =
            k[0] + (datasz === 4 ? bitList(u32(), k[1]) : `<corrupt length: 0x${hex(datasz)}> `);
        } else if (type >= 0xc0008000 && type <= 0xc000ffff) {
          text = `x86 UINT32_OR (0x${hex(type)}): ${datasz === 4 ? `0x${hex(u32())}` : `<corrupt length: 0x${hex(datasz)}> `}`;
        } else if (type >= 0xc0010000 && type <= 0xc0017fff) {
          text = `x86 UINT32_OR_AND (0x${hex(type)}): ${datasz === 4 ? `0x${hex(u32())}` : `<corrupt length: 0x${hex(datasz)}> `}`;
        } else if (type >= 0xc0000000 && type <= 0xc0007fff) {
          text = `x86 UINT32_AND (0x${hex(type)}): ${datasz === 4 ? `0x${hex(u32())}` : `<corrupt length: 0x${hex(datasz)}> `}`;
        }
      } else if (elf.machine === EM_AARCH64 && type === 0xc0000000) {
        text =
          "AArch64 feature: " +
          (datasz === 4 ? bitList(u32(), aarch64Feature1) : `<corrupt length: 0x${hex(datasz)}> `);
      }
    } else if (type === 1) {
      const v = datasz === size ? (size === 8 ? r.u64big(p, "a stack size") : BigInt(u32())) : null;
      text =
        v === null ? `stack size: <corrupt length: 0x${hex(datasz)}> ` : `stack size: 0x${hex(v)}`;
    } else if (type === 2) {
      text =
        datasz === 0
          ? "no copy on protected "
          : `no copy on protected <corrupt length: 0x${hex(datasz)}> `;
    } else if (type === 0xb0008000) {
      text =
        "1_needed: " +
        (datasz === 4
          ? bitList(u32(), { 1: "indirect external access" })
          : `<corrupt length: 0x${hex(datasz)}> `);
    } else if (type >= 0xb0000000 && type <= 0xb0007fff) {
      text = `UINT32_AND (0x${hex(type)}): ${datasz === 4 ? `0x${hex(u32())}` : `<corrupt length: 0x${hex(datasz)}> `}`;
    } else if (type >= 0xb0008000 && type <= 0xb000ffff) {
      text = `UINT32_OR (0x${hex(type)}): ${datasz === 4 ? `0x${hex(u32())}` : `<corrupt length: 0x${hex(datasz)}> `}`;
    }
    if (text === null) {
      const bytes = Array.from(r.bytes(p, datasz, "a property"), (b) => hex(b).padStart(2, "0"));
      text = `<unknown type 0x${hex(type)} data: ${bytes.join(" ")}${datasz > 0 ? " " : ""}>`;
    }
    out += text;
    p += (datasz + (size - 1)) & ~(size - 1);
    if (p >= end) break;
    out += wide ? ", " : "\n\t";
  }
  return out;
}

function stapsdt(elf: ElfFile, n: Note): string {
  const r = readerOf(elf);
  const w = elf.class === 64 ? 8 : 4;
  const at = n.descOffset;
  const end = at + n.descSize;
  const addr = (o: number) =>
    w === 8 ? r.u64big(o, "a probe address") : BigInt(r.u32(o, "a probe address"));
  const full = (v: bigint) => `0x${hex(v).padStart(w * 2, "0")}`;
  if (n.descSize < 3 * w) return "    <corrupt - note is too small>";
  const pc = addr(at);
  const base = addr(at + w);
  const sem = addr(at + 2 * w);
  let o = at + 3 * w;
  const str = () => {
    const s = r.cstring(o, end, "a probe string");
    o += s.length + 1;
    return s;
  };
  const provider = str();
  const probe = str();
  const args = str();
  return [
    `    Provider: ${provider}`,
    `    Name: ${probe}`,
    `    Location: ${full(pc)}, Base: ${full(base)}, Semaphore: ${full(sem)}`,
    `    Arguments: ${args}`,
  ].join("\n");
}

/** The decoded description of one note, or null when GNU readelf shows its bytes. */
function describeNote(elf: ElfFile, n: Note, wide: boolean): string | null {
  const desc = noteDesc(elf, n);
  const r = readerOf(elf);
  if (n.owner === "GNU") {
    switch (n.type) {
      case 3:
        return `    Build ID: ${Buffer.from(desc).toString("hex")}`;
      case 1: {
        if (n.descSize < 16) return "    <corrupt GNU_ABI_TAG>";
        const os = r.u32(n.descOffset, "ABI tag");
        const v = [4, 8, 12].map((k) => r.u32(n.descOffset + k, "ABI tag"));
        return `    OS: ${abiOs[os] ?? "Unknown"}, ABI: ${v.join(".")}`;
      }
      case 4:
        return `    Version: ${Buffer.from(desc).toString("latin1").replace(/\0.*$/s, "")}`;
      case 5:
        return gnuProperties(elf, n, wide);
      case 2: {
        if (n.descSize < 8) return "    <corrupt GNU_HWCAP>";
        const num = r.u32(n.descOffset, "HWCAP");
        const mask = r.u32(n.descOffset + 4, "HWCAP");
        return `    Hardware Capabilities: ${num}, mask: 0x${hex(mask)}`;
      }
    }
    return null;
  }
  if (n.owner === "stapsdt" && n.type === 3) return stapsdt(elf, n);
  if (n.owner === "FDO" && n.type === 0xcafe1a7e) {
    const text = Buffer.from(desc).toString("latin1").replace(/\0.*$/s, "");
    return `    Packaging Metadata: ${text}`;
  }
  return null;
}

/** `readelf -n`. */
export function formatNotes(elf: ElfFile, wide = false): string {
  const notes = readNotes(elf);
  const out: string[] = [];
  let area: string | undefined;
  for (const n of notes) {
    const key = n.section ?? `segment ${n.areaOffset}`;
    if (key !== area) {
      area = key;
      out.push(
        "",
        n.section !== null
          ? `Displaying notes found in: ${n.section}`
          : `Displaying notes found at file offset 0x${h8(n.areaOffset)} with length 0x${h8(n.areaSize)}:`,
      );
      out.push("  Owner                Data size \tDescription");
    }
    const head = `  ${n.owner.padEnd(20)} 0x${h8(n.descSize)}\t${noteTypeName(n)}`;
    const body = describeNote(elf, n, wide);
    if (body !== null) {
      out.push(wide ? `${head}\t${body}` : `${head}\n${body}`);
    } else if (n.descSize > 0) {
      const bytes = Array.from(noteDesc(elf, n), (b) => `${hex(b).padStart(2, "0")} `).join("");
      out.push(
        wide ? `${head}\t   description data: ${bytes}` : `${head}\n   description data: ${bytes}`,
      );
    } else {
      out.push(head);
    }
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
