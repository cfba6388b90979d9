/**
 * The bubblewrap sandbox a builder runs in: the host's /usr read-only, the
 * input closure read-only, /build and a private store directory writable, a
 * read-only root everywhere else, and no network unless the derivation is
 * fixed-output. Outputs are created in the private store and moved out by the
 * builder; anything else written there is a fault.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";
import { findProgram } from "../host/find-program.js";

export class SandboxError extends XpkgsError {
  override name = "SandboxError";
}

export interface SandboxSpec {
  /** Host directory mounted at /build. */
  buildDir: string;
  /** Host directory for the generated /etc files. */
  etcDir: string;
  /** The store directory as builders see it. */
  storeDir: string;
  /**
   * A host directory, empty at first, mounted writable at the store
   * directory: the builder creates its outputs there, and nothing else.
   */
  privateStore: string;
  /** Store paths mounted read-only at their own paths, over the private store. */
  inputs: Iterable<string>;
  network: boolean;
  /**
   * A binfmt_misc rule (src/systems/binfmt.ts) registered in a user namespace of the
   * sandbox's own, around bubblewrap's: the build runs the host platform's programs
   * under qemu. Mounted at `binfmtDir`, an empty host directory.
   */
  binfmt?: { registration: string; dir: string };
}

/** The user builds run as, as in Nix's sandbox: nixbld, uid 1000, in the group 100. */
export const buildUid = 1000;
export const buildGid = 100;

/** Host files under /etc that toolchains need: Debian's alternatives (cc, awk) and the loader cache. */
const hostEtc = ["/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d"];

export function bwrapPath(): string {
  const p = findProgram("bwrap");
  if (p === null) {
    throw new SandboxError(
      "bubblewrap is not installed, and xpkgs runs every build in its sandbox. " +
        "Install it: apt-get install bubblewrap",
    );
  }
  return p;
}

/** The program and arguments that run `argv` in the sandbox. */
export function sandboxCommand(
  spec: SandboxSpec,
  argv: string[],
): { file: string; args: string[] } {
  const bwrap = bwrapPath();
  const args = sandboxArgs(spec, argv);
  if (spec.binfmt === undefined) return { file: bwrap, args };
  const unshare = findProgram("unshare");
  const mount = findProgram("mount");
  if (unshare === null || mount === null) {
    throw new SandboxError(
      "This build runs the host platform's programs under qemu (emulateHostPrograms), which needs " +
        "util-linux's unshare and mount, and they are not installed. Install them: apt-get install util-linux mount",
    );
  }
  mkdirSync(spec.binfmt.dir, { recursive: true });
  // A user and mount namespace that owns a binfmt_misc of its own: the rule is seen from
  // bwrap's nested namespace, and leaves with the build. The builder's environment has no
  // PATH to the machine's tools, so the script names them.
  const script =
    'if ! "$1" -t binfmt_misc xpkgs "$2"; then echo "xpkgs sandbox: this build runs the ' +
    "host platform's programs under qemu (emulateHostPrograms), through a binfmt_misc of its own " +
    "user namespace, and this machine does not let a user namespace mount one (Linux 6.7 and " +
    "later do). Build it on a newer kernel, or have the recipe run those programs through " +
    '\\$xpkgsEmulator." >&2; exit 97; fi; ' +
    'printf "%s" "$3" > "$2/register" || exit 97; shift 3; exec "$@"';
  return {
    file: unshare,
    args: [
      "--user",
      "--map-root-user",
      "--mount",
      "--",
      "/bin/sh",
      "-c",
      script,
      "sh",
      mount,
      spec.binfmt.dir,
      spec.binfmt.registration,
      bwrap,
      ...args,
    ],
  };
}

/** The bwrap arguments that run `argv` in the sandbox. */
export function sandboxArgs(spec: SandboxSpec, argv: string[]): string[] {
  mkdirSync(spec.etcDir, { recursive: true });
  writeFileSync(
    join(spec.etcDir, "passwd"),
    "root:x:0:0:Nix build user:/build:/noshell\n" +
      `nixbld:x:${buildUid}:${buildGid}:Nix build user:/build:/noshell\n` +
      "nobody:x:65534:65534:Nobody:/:/noshell\n",
  );
  writeFileSync(join(spec.etcDir, "group"), `root:x:0:\nnixbld:!:${buildGid}:\nnogroup:x:65534:\n`);
  writeFileSync(join(spec.etcDir, "hosts"), "127.0.0.1 localhost\n::1 localhost\n");
  // A user namespace maps the build user to whoever runs xpkgs: files it writes belong to that
  // user outside, and configure scripts that refuse root (coreutils) see an ordinary user.
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--uid",
    String(buildUid),
    "--gid",
    String(buildGid),
  ];
  // Nix's sandbox names the machine "localhost": the same here, so that a build gives the
  // same bytes on a remote Nix builder (src/remote/) as here.
  args.push("--hostname", "localhost");
  args.push("--die-with-parent", "--new-session");
  if (spec.network) args.push("--share-net");
  args.push("--ro-bind", "/usr", "/usr");
  for (const [link, target] of [
    ["/bin", "usr/bin"],
    ["/sbin", "usr/sbin"],
    ["/lib", "usr/lib"],
    ["/lib64", "usr/lib64"],
    ["/lib32", "usr/lib32"],
  ] as const) {
    if (existsSync(`/${target}`)) args.push("--symlink", target, link);
  }
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  for (const f of ["passwd", "group", "hosts"])
    args.push("--ro-bind", join(spec.etcDir, f), `/etc/${f}`);
  for (const f of hostEtc) if (existsSync(f)) args.push("--ro-bind", f, f);
  if (spec.network && existsSync("/etc/resolv.conf"))
    args.push("--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf");
  args.push("--bind", spec.privateStore, spec.storeDir);
  for (const p of spec.inputs) args.push("--ro-bind", p, p);
  args.push("--bind", spec.buildDir, "/build", "--chdir", "/build");
  // Everything not mounted above is on bwrap's root tmpfs: make it read-only,
  // so a builder that writes outside /build, /tmp and its outputs fails.
  args.push("--remount-ro", "/");
  args.push("--", ...argv);
  return args;
}
