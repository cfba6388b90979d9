import type { Command } from "commander";
import { addSubstituterOptions } from "./cache-options.js";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBundle } from "../deploy/bundle.js";
import { type CopyItem, bundleItem, copyToDevice, describePlan, fileItem } from "../deploy/copy.js";
import { SshSession, parseSshUrl, sshUrlHelp } from "../deploy/ssh.js";
import { extractBundle } from "../deploy/tarball.js";
import { archOf } from "../elf/inspect.js";
import { isStaticallyLinked, parseElf } from "../elf/parse.js";
import { readElfFile } from "../elf/read-file.js";
import { XpkgsError } from "../errors.js";
import type { SmokeTest } from "../pkgs/smoke.js";
import { shipInput } from "./ship-input.js";
import { human } from "./table.js";
import { type CacheCopyOpts, copyFromCache, copyToCache } from "./copy-cache.js";
import { cacheUrlHelp } from "../cache/backends.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

interface CopyOpts extends CacheCopyOpts {
  to?: string;
  identity?: string;
  option?: string[];
  bin?: string[];
  sysroot?: string;
  force?: boolean;
  dryRun?: boolean;
  timeout: string;
  quiet?: boolean;
}

function isStaticProgram(path: string): boolean {
  const elf = parseElf(readElfFile(path));
  return isStaticallyLinked(elf) || (elf.interpreter === null && elf.needed.length === 0);
}

export function registerCopy(program: Command): void {
  addSubstituterOptions(program.command("copy"))
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
      if (opts.from !== undefined) return copyFromCache(cmd, whats, opts);
      if (!opts.to!.includes("://")) {
        throw new XpkgsError(
          `--to ${opts.to} has no scheme. A device is ${sshUrlHelp}; a binary cache is ${cacheUrlHelp}.`,
        );
      }
      if (!opts.to!.startsWith("ssh://")) return copyToCache(cmd, whats, opts);
      if (whats.length !== 1) {
        throw new XpkgsError(
          `Copy one thing to a device at a time (got ${whats.length}: ${whats.join(" ")}).`,
        );
      }
      const what = whats[0]!;
      const target = parseSshUrl(opts.to!);
      const timeout = Number(opts.timeout);
      if (!Number.isInteger(timeout) || timeout < 1) {
        throw new XpkgsError(`--timeout ${opts.timeout} is not a whole number of seconds ≥ 1.`);
      }
      const dir = target.dir ?? ".";
      const say = (line: string) => {
        if (opts.quiet !== true) process.stderr.write(`${line}\n`);
      };
      const scratch = mkdtempSync(join(tmpdir(), "xpkgs-copy-"));
      let session: SshSession | null = null;
      try {
        // A bundle made with `bundle -o` is unpacked here and copied as its folder.
        const unpacked =
          /\.(tar\.gz|tgz)$/.test(what) && existsSync(what) && statSync(what).isFile()
            ? extractBundle(what, mkdtempSync(join(scratch, "unpacked-")))
            : null;
        const input = await shipInput(cmd, unpacked ?? what, opts);
        let item: CopyItem;
        let test: SmokeTest;
        if (input.bundle !== null) {
          const m = input.bundle.manifest;
          const program = Object.keys(m.programs)[0]!;
          const name = input.bundle.dir
            .split("/")
            .filter((s) => s !== "")
            .pop()!;
          item = bundleItem(name, input.bundle.dir, m.arch, m.static, program);
          test = input.smoke[program]!;
        } else {
          const first = input.programs[0]!;
          const arch = archOf(parseElf(readElfFile(first.path)));
          test = input.smoke[first.name]!;
          if (input.programs.length === 1 && isStaticProgram(first.path)) {
            item = fileItem(first.name, first.path, arch);
          } else {
            const name = `${first.name}-bundle`;
            const m = makeBundle(
              {
                programs: input.programs,
                sysroot: input.sysroot,
                storeDir: input.storeDir,
                source: input.source,
              },
              join(scratch, name),
            );
            for (const w of m.warnings) say(`warning: ${w}`);
            item = bundleItem(name, join(scratch, name), m.arch, m.static, first.name);
          }
        }
        const plan = describePlan(item, target, dir, test);
        if (opts.dryRun === true) {
          process.stdout.write(plan);
          process.stdout.write("(dry run: nothing was sent; the device was not contacted)\n");
          return;
        }
        say(plan.trimEnd());
        session = new SshSession(target, {
          identity: opts.identity,
          options: opts.option,
          timeout,
        });
        session.connect();
        const smoke = copyToDevice(
          session,
          item,
          dir,
          test,
          { force: opts.force === true, source: input.source },
          {
            device: (facts) => {
              const loaders =
                facts.loaders.length > 0 ? facts.loaders.join(", ") : "none in /lib, /lib64";
              const state = facts.dirExists
                ? facts.writable
                  ? "writable"
                  : "NOT writable"
                : "will be created";
              process.stdout.write(
                `device: ${facts.uname} (uname -m); loaders: ${loaders}; ${dir} ${state}\n`,
              );
            },
            progress: opts.quiet === true ? () => {} : say,
            warning: (line) => process.stderr.write(`warning: ${line}\n`),
            copied: (result) => {
              const size = item.files.reduce((s, f) => s + f.size, 0);
              const count = `${item.files.length} file${item.files.length === 1 ? "" : "s"}`;
              process.stdout.write(
                `copied: ${result.path}${item.kind === "bundle" ? "/" : ""} (${count}, ${human(size)}); ` +
                  `${result.verified ? "sha256 of every file checked on the device" : "sha256 NOT checked: the device has no sha256sum"}\n`,
              );
            },
          },
        );
        const firstLine = smoke.output.trim().split("\n")[0] ?? "";
        if (smoke.ok) {
          process.stdout.write(
            `smoke test passed: ${smoke.command} → ${JSON.stringify(firstLine)}\n`,
          );
        } else {
          process.stdout.write(`smoke test FAILED: ${smoke.command}: ${smoke.reason}\n`);
          process.exitCode = 1;
        }
        say(
          `run it on the device as ${item.run.startsWith("/") ? "" : `${dir === "." ? "~" : dir}/`}${item.run}`,
        );
      } finally {
        session?.close();
        rmSync(scratch, { recursive: true, force: true });
      }
    });
}
