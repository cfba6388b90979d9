/**
 * Which qemu-user binary runs a platform's executables on the build machine.
 */
import { XpkgsError } from "../errors.js";
import type { Platform } from "./elaborate.js";

export class NoEmulatorError extends XpkgsError {
  override name = "NoEmulatorError";
}

/** The Debian package that ships every `qemu-<arch>-static`. */
export const qemuUserPackage = "qemu-user-static";

/**
 * The qemu-user command that runs `host` executables on `build`, or null when
 * `build` runs them natively. Throws NoEmulatorError when qemu-user has no
 * emulator for the host's CPU.
 */
export function emulatorFor(host: Platform, build: Platform): string | null {
  if (build.canExecute(host)) return null;
  if (host.qemuArch === null) {
    throw new NoEmulatorError(
      `No qemu-user emulator exists for the cpu '${host.parsed.cpu.name}' (${host.config}), so ` +
        `its programs cannot run on this ${build.system} machine. Build for it without running ` +
        `checks (leave doCheckWithEmulator off), or test its binaries on a real ${host.parsed.cpu.name} machine.`,
    );
  }
  return `qemu-${host.qemuArch}-static`;
}
