import type { Command } from "commander";
import { addBuilderOptions } from "./builder-options.js";
import { addSubstituterOptions } from "./cache-options.js";
import { sshUrlHelp } from "../deploy/ssh.js";
import { XpkgsError } from "../errors.js";
import type { CacheCopyOpts } from "./copy-cache.js";
import type { DeviceCopyOpts } from "./copy-device.js";
import { cacheUrlHelp } from "../cache/backends.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

type CopyOpts = CacheCopyOpts & DeviceCopyOpts;

export function registerCopy(program: Command): void {
  addBuilderOptions(addSubstituterOptions(program.command("copy")))
    .description(
      "Two jobs, told apart by the URL. With --to ssh://…: put a program on a device over SSH and " +
        "prove it runs there. With --to or --from a binary cache (" +
        cacheUrlHelp +
        "): copy store paths with their closures to or from it, in Nix's binary-cache format, as " +
        "nix copy does (docs/cache.md).\n\nTo a device: a static program is copied " +
        "as one file; a dynamic one as a bundle (see xpkgs bundle). Before copying, reads the " +
        "device's uname -m and loaders and refuses a program for another architecture (unless " +
        "--force). Uploads under a temporary name, checks every file's sha256 on the device, " +
        "renames into place (modes kept), then runs the smoke test there (meta.smokeTest, else " +
        "--version, else --help). The device needs only sshd and a POSIX shell.\n" +
        "Examples:\n" +
        "  xpkgs copy pkgsCross.aarch64-multiplatform.pkgsStatic.binutils-unwrapped --bin readelf --to ssh://root@192.168.1.20/opt/bin\n" +
        "  xpkgs copy --to file:///srv/cache --secret-key cache-1.secret ./result\n" +
        "  xpkgs copy --from http://10.0.0.2:5000 --trusted-public-keys cache-1:… /xpkgs/store/…-hello-2.12.1",
    )
    .argument(
      "<what...>",
      "an attribute path, an ELF program, a package output folder, or a bundle (folder or .tar.gz); " +
        "for a cache: store paths, links to them (./result) or attribute paths, one or more",
    )
    .option(
      "--to <url>",
      `where: a device, ${sshUrlHelp} (default folder: the login folder), or a binary cache, ${cacheUrlHelp}`,
    )
    .option("--from <url>", `a binary cache to copy store paths from: ${cacheUrlHelp}`)
    .option(
      "--secret-key <file>",
      "sign what is pushed with this key (repeat for more; default: secret-key-files of the config)",
      collect,
    )
    .option("--compression <c>", "NAR compression when pushing: xz (default), zstd or none")
    .option("-i, --identity <key>", "the private key ssh logs in with")
    .option("-o, --option <opt>", "an ssh option, as for ssh -o (repeat for more)", collect)
    .option(
      "--bin <name>",
      "the program of bin/ to copy (default meta.mainProgram; repeat to bundle several)",
      collect,
    )
    .option(
      "--sysroot <dir>",
      "where a dynamic program's loader and C library are (default / or /usr/<triple>)",
    )
    .option("--force", "copy even when the device's architecture does not match")
    .option("--dry-run", "show the plan; do not connect")
    .option("--timeout <seconds>", "how long to wait for the device to answer", "10")
    .option("-q, --quiet", "no build or upload progress")
    .action(async (whats: string[], opts: CopyOpts, cmd: Command) => {
      if ((opts.to === undefined) === (opts.from === undefined)) {
        throw new XpkgsError(
          "Say where to copy: --to ssh://USER@HOST/DIR (a device), --to CACHE_URL (push to a binary " +
            "cache) or --from CACHE_URL (fetch from one), exactly one of them.",
        );
      }
      if (opts.from !== undefined)
        return (await import("./copy-cache.js")).copyFromCache(cmd, whats, opts);
      if (!opts.to!.includes("://")) {
        throw new XpkgsError(
          `--to ${opts.to} has no scheme. A device is ${sshUrlHelp}; a binary cache is ${cacheUrlHelp}.`,
        );
      }
      if (!opts.to!.startsWith("ssh://"))
        return (await import("./copy-cache.js")).copyToCache(cmd, whats, opts);
      if (whats.length !== 1) {
        throw new XpkgsError(
          `Copy one thing to a device at a time (got ${whats.length}: ${whats.join(" ")}).`,
        );
      }
      const device = await import("./copy-device.js");
      return device.copyToDeviceCommand(cmd, whats, opts);
    });
}
