/** `xpkgs copy --to ssh://…`: a program onto a device, proven there by its smoke test. */
import type { Command } from "commander";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBundle } from "../deploy/bundle.js";
import { type CopyItem, bundleItem, copyToDevice, describePlan, fileItem } from "../deploy/copy.js";
import { SshSession, parseSshUrl } from "../deploy/ssh.js";
import { extractBundle } from "../deploy/tarball.js";
import { archOf } from "../elf/inspect.js";
import { isStaticallyLinked, parseElf } from "../elf/parse.js";
import { readElfFile } from "../elf/read-file.js";
import { XpkgsError } from "../errors.js";
import type { SmokeTest } from "../pkgs/smoke.js";
import { shipInput } from "./ship-input.js";
import { human } from "./table.js";

export interface DeviceCopyOpts {
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

export async function copyToDeviceCommand(
  cmd: Command,
  whats: string[],
  opts: DeviceCopyOpts,
): Promise<void> {
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
      process.stdout.write(`smoke test passed: ${smoke.command} → ${JSON.stringify(firstLine)}\n`);
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
}
