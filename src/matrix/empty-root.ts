/**
 * The device without a package manager: a bubblewrap root that holds the
 * program and nothing else (no store, no /usr, no /lib), plus the qemu-user
 * binary when the program is foreign (Debian's qemu-*-static are static
 * themselves). A static program that passes its smoke test here needs
 * nothing from the machine: that is what "portable" means.
 */
import { basename } from "node:path";
import { bwrapPath } from "../build/sandbox.js";
import { findProgram } from "../host/find-program.js";
import type { SmokeCommandLine } from "../pkgs/smoke.js";

/** Where qemu appears inside the empty root; the program keeps its name (busybox needs it). */
const qemuInRoot = "/.qemu-user";

/**
 * A smoke-test command line that runs inside an empty root: the runner's qemu
 * (if any) and the program are bound read-only at fixed paths, /proc and
 * /dev are there (a program expects them on any Linux), nothing else is.
 */
export const inEmptyRoot: SmokeCommandLine = (runner, program, args) => {
  const programInRoot = `/${basename(program)}`;
  const bind: string[] = ["--ro-bind", program, programInRoot];
  let inner: string[] = [programInRoot, ...args];
  if (runner.length > 0) {
    const qemu = runner[0]!.includes("/") ? runner[0]! : findProgram(runner[0]!);
    if (qemu === null) return [runner[0]!, ...runner.slice(1), program, ...args];
    bind.push("--ro-bind", qemu, qemuInRoot);
    inner = [qemuInRoot, ...runner.slice(1), ...inner];
  }
  return [
    bwrapPath(),
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    "--setenv",
    "PATH",
    "/",
    "--setenv",
    "HOME",
    "/",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    ...bind,
    "--remount-ro",
    "/",
    "--chdir",
    "/",
    "--",
    ...inner,
  ];
};
