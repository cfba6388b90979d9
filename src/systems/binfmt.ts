/**
 * A binfmt_misc rule that hands a platform's ELF executables to its qemu-user
 * emulator, for a build that runs the programs it builds (a man page made by
 * help2man from `--help`, bc's generator). The sandbox registers the rule in a
 * binfmt_misc of its own user namespace (Linux 6.7 and later), so the machine's
 * binfmt_misc is not touched, and the kernel finds the rule from the nested
 * namespace bubblewrap makes.
 */
import type { Platform } from "./elaborate.js";

/**
 * The system feature a derivation with a rule requires: xpkgs' local sandbox offers it, a
 * remote Nix builder does not (it would not register the rule), so such builds stay here.
 */
export const binfmtFeature = "xpkgs-binfmt";

/** The kernel's `:name:M:offset:magic:mask:interpreter:flags` line, as `register` takes it. */
export interface BinfmtRule {
  name: string;
  magic: number[];
  mask: number[];
  interpreter: string;
}

/**
 * The rule for `host`'s executables and shared-object executables (ELF types 2 and 3),
 * matched on the ELF class, byte order, version and machine, as Debian's qemu-user
 * rules match; null when qemu-user has no emulator for it.
 */
export function binfmtRule(host: Platform): BinfmtRule | null {
  const arch = host.qemuArch;
  if (arch === null) return null;
  const m = host.elfMachine;
  const pair = (lo: number, hi: number) => (host.isBigEndian ? [hi, lo] : [lo, hi]);
  // MIPS n32 programs are ELF32, told from o32 by e_flags' EF_MIPS_ABI2 (0x20).
  const mips32 = /^mips(n32)?(el)?$/.test(arch);
  const elf64 = host.is64bit && !mips32;
  const magic = [
    0x7f,
    0x45,
    0x4c,
    0x46,
    elf64 ? 2 : 1,
    host.isBigEndian ? 2 : 1,
    1,
    ...Array<number>(9).fill(0),
    ...pair(2, 0),
    ...pair(m & 0xff, m >> 8),
  ];
  // The OS/ABI byte is not matched (GNU binaries set 3), nor the ABI version's low bit
  // (MIPS executables with PLTs set 1); e_type 2 and 3 both match.
  const mask = [
    ...Array<number>(7).fill(0xff),
    0,
    0xfe,
    ...Array<number>(7).fill(0xff),
    ...pair(0xfe, 0xff),
    0xff,
    0xff,
  ];
  if (mips32) {
    // e_version, e_entry, e_phoff, e_shoff unmatched; then e_flags at offset 36.
    const abi2 = arch.startsWith("mipsn32") ? 0x20 : 0;
    const flags = (low: number) => (host.isBigEndian ? [0, 0, 0, low] : [low, 0, 0, 0]);
    magic.push(...Array<number>(16).fill(0), ...flags(abi2));
    mask.push(...Array<number>(16).fill(0), ...flags(0x20));
  }
  return {
    name: `xpkgs-${arch}`,
    magic,
    mask,
    interpreter: `/usr/bin/qemu-${arch}-static`,
  };
}

const hex = (bytes: number[]) => bytes.map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");

/**
 * The line written to binfmt_misc's `register`. Flag F opens the interpreter when the
 * rule is made, so it runs inside the sandbox's own root as well.
 */
export function binfmtRegistration(rule: BinfmtRule): string {
  return `:${rule.name}:M::${hex(rule.magic)}:${hex(rule.mask)}:${rule.interpreter}:F`;
}
