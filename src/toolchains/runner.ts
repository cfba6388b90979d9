/**
 * How this machine runs a host platform's programs: directly, or under
 * qemu-user (with `-L` to the C library's sysroot for dynamic glibc
 * programs). A CPU this machine runs natively is not enough: a dynamic
 * glibc program also needs its loader at its absolute path, which Debian's
 * cross libraries (under /usr/<triple>) do not provide.
 *
 * Under qemu, programs run on the platform's own CPU model (`-cpu`, from the
 * platform table), never on qemu's default, which accepts every instruction
 * qemu knows: an ARMv7 instruction in a Raspberry Pi build must fail here as
 * it fails on the board.
 */
import { existsSync } from "node:fs";
import type { Platform } from "../systems/elaborate.js";
import { NoEmulatorError, emulatorFor } from "../systems/emulator.js";
import { debianTriple } from "./debian-cross.js";

/** The command prefix that runs `host` programs on `build`: [] natively; null when nothing can. */
export function programRunner(host: Platform, build: Platform): string[] | null {
  let qemu: string | null;
  try {
    qemu = emulatorFor(host, build);
  } catch (e) {
    if (e instanceof NoEmulatorError) return null;
    throw e;
  }
  const dynamicGlibc = host.isGnu && !host.isStatic;
  const sameLibc = debianTriple(host) === debianTriple(build);
  if (qemu === null) {
    if (!dynamicGlibc || sameLibc || existsSync(host.dynamicLinker)) return [];
    if (host.qemuArch === null) return null;
    qemu = `qemu-${host.qemuArch}-static`;
  }
  const cpu = host.qemuCpu !== null ? ["-cpu", host.qemuCpu] : [];
  return dynamicGlibc ? [qemu, ...cpu, "-L", `/usr/${debianTriple(host)}`] : [qemu, ...cpu];
}
