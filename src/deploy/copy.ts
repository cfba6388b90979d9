/**
 * Putting a program on a device over SSH: look at the device (uname -m, its
 * loader, the destination folder), refuse a program it cannot run, upload
 * under a temporary name, check every file's sha256 there, rename into
 * place, then run the smoke test on the device.
 */
import { createHash, randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { machine } from "node:os";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";
import type { SmokeTest } from "../pkgs/smoke.js";
import { type SshSession, type SshTarget, formatTarget, shq } from "./ssh.js";

export interface CopyFile {
  /** Relative to the item ("" when the item is a single file). */
  path: string;
  local: string;
  size: number;
  sha256: string;
  mode: number;
}

export interface CopyItem {
  /** Its name in the destination folder. */
  name: string;
  kind: "file" | "bundle";
  files: CopyFile[];
  arch: string;
  static: boolean;
  /** The program the smoke test runs, relative to the destination folder. */
  run: string;
  /** A bundle's folder here (the files' paths are relative to it). */
  root?: string;
  program: string;
}

export interface DeviceFacts {
  /** What `uname -m` printed. */
  uname: string;
  /** Loaders found in /lib and /lib64: which C library the device has. */
  loaders: string[];
  dirExists: boolean;
  writable: boolean;
  sha256sum: boolean;
  /** Whether it has tar: a bundle then travels as one stream (else one `cat` a file). */
  tar: boolean;
}

export interface SmokeOutcome {
  ok: boolean;
  command: string;
  output: string;
  reason: string;
}

function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** A single program file as a copy item. */
export function fileItem(name: string, local: string, arch: string): CopyItem {
  const st = statSync(local);
  return {
    name,
    kind: "file",
    files: [{ path: "", local, size: st.size, sha256: sha256File(local), mode: st.mode & 0o777 }],
    arch,
    static: true,
    run: name,
    program: name,
  };
}

/** A bundle folder as a copy item; `program` is the one its smoke test runs. */
export function bundleItem(
  name: string,
  dir: string,
  arch: string,
  isStatic: boolean,
  program: string,
): CopyItem {
  const files: CopyFile[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) {
        const local = join(dir, r);
        const st = statSync(local);
        files.push({
          path: r,
          local,
          size: st.size,
          sha256: sha256File(local),
          mode: st.mode & 0o777,
        });
      }
    }
  };
  walk("");
  files.sort((a, b) => a.path.localeCompare(b.path));
  return {
    name,
    kind: "bundle",
    files,
    arch,
    static: isStatic,
    run: `${name}/bin/${program}`,
    program,
    root: dir,
  };
}

/** Does a device whose `uname -m` says `uname` run programs for `arch` (as archOf names it)? */
export function runsOn(uname: string, arch: string): boolean {
  const family = (a: string): string => {
    if (/^(arm64|aarch64)$/.test(a)) return "aarch64";
    if (/^arm/.test(a)) return "arm";
    if (/^i[3-6]86$/.test(a)) return "i686";
    if (/^mips64/.test(a)) return "mips64";
    if (/^mips/.test(a)) return "mips";
    return a;
  };
  const device = family(uname);
  const program = family(arch);
  // A 64-bit x86 kernel runs 32-bit x86 programs.
  return device === program || (device === "x86_64" && program === "i686");
}

/** The platform (as `xpkgs platforms` names it) to build for a device whose `uname -m` says `uname`. */
function platformFor(uname: string): string | null {
  const table: [RegExp, string][] = [
    [/^(aarch64|arm64)$/, "aarch64-multiplatform"],
    [/^armv[78]/, "armv7l-hf-multiplatform"],
    [/^armv6/, "raspberryPi"],
    [/^armv5/, "sheevaplug"],
    [/^riscv64$/, "riscv64"],
    [/^ppc64le$/, "powernv"],
    [/^s390x$/, "s390x"],
    [/^x86_64$/, "gnu64"],
    [/^i[3-6]86$/, "gnu32"],
  ];
  return table.find(([re]) => re.test(uname))?.[1] ?? null;
}

/**
 * What to build instead, for a program the device cannot run: the same
 * package, static, for the device's platform (native when it is this machine's).
 */
export function suggestAttr(source: string, uname: string, buildUname: string): string {
  const isAttr = !source.includes("/");
  let tail = isAttr ? source.replace(/^pkgsCross\.[^.]+\./, "") : "<package>";
  if (!tail.startsWith("pkgsStatic.")) tail = `pkgsStatic.${tail.replace(/^pkgsMusl\./, "")}`;
  if (runsOn(uname, buildUname) && runsOn(buildUname, uname)) return tail;
  const platform = platformFor(uname);
  return platform === null ? `pkgsCross.<platform>.${tail}` : `pkgsCross.${platform}.${tail}`;
}

const probeScript = (dir: string) => `
uname -m
for f in /lib/ld-linux* /lib64/ld-linux* /lib/ld-musl-* /lib/ld64.so* /lib/ld.so.1 /lib64/ld64.so*; do
  [ -e "$f" ] && echo "loader $f"
done
d=${shq(dir)}
[ -d "$d" ] && echo "dir-exists"
[ -d "$d" ] && [ -w "$d" ] && echo "dir-writable"
command -v sha256sum >/dev/null 2>&1 && echo "sha256sum"
command -v tar >/dev/null 2>&1 && echo "tar"
exit 0
`;

export function probeDevice(session: SshSession, dir: string): DeviceFacts {
  const r = session.run(probeScript(dir), undefined, 60);
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  if (r.status !== 0 || lines.length === 0) {
    throw new XpkgsError(
      `the device did not answer the probe (uname -m; exit ${r.status}): ${r.stderr.trim()}. ` +
        "copy needs a POSIX shell (sh) on the device.",
    );
  }
  return {
    uname: lines[0]!.trim(),
    loaders: lines.filter((l) => l.startsWith("loader ")).map((l) => l.slice(7)),
    dirExists: lines.includes("dir-exists"),
    writable: lines.includes("dir-writable"),
    sha256sum: lines.includes("sha256sum"),
    tar: lines.includes("tar"),
  };
}

/** Why writing on the device failed, in words a user can act on. */
function writeFailure(stderr: string, dir: string, what: string): string {
  const said = stderr.trim().split("\n").slice(-2).join(" ");
  if (/No space left|Disk quota/i.test(said)) {
    return `the device ran out of space in ${dir} while writing ${what} (${said}). Free space there, or copy to another folder.`;
  }
  if (/Read-only file system|Permission denied|Operation not permitted/i.test(said)) {
    return `${dir} on the device is not writable (${said}). Choose a folder you may write, e.g. ssh://host/tmp, or log in as another user.`;
  }
  return `writing ${what} on the device failed: ${said || "no message"}.`;
}

export interface UploadResult {
  /** Where the item is now, on the device. */
  path: string;
  /** Whether every file's sha256 was checked on the device (needs sha256sum there). */
  verified: boolean;
}

/**
 * Uploads `item` into `dir` under a temporary name, checks the sha256 of
 * every file there, and renames it into place. On any failure the temporary
 * name is removed and nothing is left under the final name.
 */
export function upload(
  session: SshSession,
  item: CopyItem,
  dir: string,
  facts: DeviceFacts,
  progress: (line: string) => void = () => {},
): UploadResult {
  const token = randomBytes(4).toString("hex");
  const stage = `.${item.name}.xpkgs-partial-${token}`;
  const old = `.${item.name}.xpkgs-old-${token}`;
  const inDir = (script: string) => `cd ${shq(dir)} || exit 20\n${script}`;
  const cleanup = () => session.run(inDir(`rm -rf ${shq(stage)}`), undefined, 60);
  const fail = (message: string): never => {
    cleanup();
    throw new XpkgsError(message);
  };
  const prep = session.run(
    `mkdir -p ${shq(dir)} || exit 21\n` +
      inDir(
        `[ -d ${shq(item.name)} ] && [ ${shq(item.kind)} = file ] && { echo "${item.name} is a folder there" >&2; exit 22; }\n` +
          (item.kind === "bundle"
            ? `mkdir ${shq(stage)} || exit 23\n` +
              [...new Set(item.files.map((f) => f.path.split("/").slice(0, -1).join("/")))]
                .filter((d) => d !== "")
                .map((d) => `mkdir -p ${shq(`${stage}/${d}`)} || exit 23`)
                .join("\n")
            : ": > " + shq(stage) + " || exit 23"),
      ),
    undefined,
    60,
  );
  if (prep.status !== 0) {
    if (prep.status === 22) {
      fail(`${dir}/${item.name} on the device is a folder; remove it, or copy to another folder.`);
    }
    fail(writeFailure(prep.stderr, dir, item.name));
  }
  let done = 0;
  const total = item.files.reduce((s, f) => s + f.size, 0);
  if (item.kind === "bundle" && item.root !== undefined && facts.tar) {
    // One tar stream for the whole bundle, one round trip; modes set explicitly after.
    const packed = spawnSync(
      "tar",
      [
        "-C",
        item.root,
        "--format=ustar",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
        "-cf",
        "-",
      ].concat(item.files.map((f) => f.path)),
      { maxBuffer: 1 << 30 },
    );
    if (packed.error !== undefined || packed.status !== 0) {
      fail(
        `cannot pack ${item.root} with tar: ${packed.error?.message ?? packed.stderr.toString().trim()}`,
      );
    }
    const byMode = new Map<number, string[]>();
    for (const f of item.files)
      byMode.set(f.mode, [...(byMode.get(f.mode) ?? []), shq(`${stage}/${f.path}`)]);
    const chmods = [...byMode].map(
      ([mode, names]) => `chmod ${mode.toString(8)} ${names.join(" ")} || exit 27`,
    );
    const r = session.run(
      inDir([`tar -xf - -C ${shq(stage)} || exit 26`, ...chmods].join("\n")),
      packed.stdout,
    );
    if (r.status !== 0) fail(writeFailure(r.stderr, dir, item.name));
    progress(`  ${item.files.length} files in one tar stream (${total} bytes)`);
  } else {
    for (const f of item.files) {
      const target = f.path === "" ? stage : `${stage}/${f.path}`;
      const r = session.run(
        inDir(`cat > ${shq(target)} && chmod ${f.mode.toString(8)} ${shq(target)}`),
        readFileSync(f.local),
      );
      if (r.status !== 0) fail(writeFailure(r.stderr, dir, f.path === "" ? item.name : f.path));
      done += f.size;
      progress(`  ${f.path === "" ? item.name : f.path} (${done}/${total} bytes)`);
    }
  }
  // One script checks every file's sha256 there (sha256sum -c) and, only then, renames.
  const sums = item.files
    .map((f) => `${f.sha256}  ${f.path === "" ? stage : `${stage}/${f.path}`}`)
    .join("\n");
  const verify = facts.sha256sum
    ? `sha256sum -c >&2 <<'XPKGS_SUMS' || exit 30\n${sums}\nXPKGS_SUMS\n`
    : "";
  const commit =
    item.kind === "file"
      ? `mv -f ${shq(stage)} ${shq(item.name)}`
      : `if [ -e ${shq(item.name)} ] || [ -L ${shq(item.name)} ]; then mv ${shq(item.name)} ${shq(old)} || exit 24; fi\n` +
        `if mv ${shq(stage)} ${shq(item.name)}; then rm -rf ${shq(old)}; else [ -e ${shq(old)} ] && mv ${shq(old)} ${shq(item.name)}; exit 25; fi`;
  const r = session.run(inDir(verify + commit), undefined, 300);
  if (r.status === 30) {
    const bad = [...r.stderr.matchAll(/^(.*): FAILED/gm)].map((m) =>
      m[1]!.startsWith(`${stage}/`) ? m[1]!.slice(stage.length + 1) : item.name,
    );
    fail(
      `${bad.length > 0 ? bad.join(", ") : "a file"} arrived damaged on the device (its sha256 there ` +
        `differs from what was sent: ${r.stderr.trim().split("\n").slice(-1)[0]}). Nothing was installed; try again.`,
    );
  }
  if (r.status !== 0) fail(writeFailure(r.stderr, dir, item.name));
  return { path: dir === "." ? item.name : `${dir}/${item.name}`, verified: facts.sha256sum };
}

/** Runs `test` on the device: the program under `dir`, its output matched against the expectation. */
export function smokeOnDevice(
  session: SshSession,
  item: CopyItem,
  dir: string,
  test: SmokeTest,
): SmokeOutcome {
  const command = [`./${item.run}`, ...test.args].map((a, i) => (i === 0 ? a : shq(a))).join(" ");
  const r = session.run(`cd ${shq(dir)} || exit 20\n${command} 2>&1`, undefined, 120);
  const output = r.stdout;
  const shown = `${dir === "." ? "" : `${dir}/`}${item.run} ${test.args.join(" ")}`.trim();
  if (r.status !== 0) {
    const first = output.trim().split("\n")[0] ?? "";
    return {
      ok: false,
      command: shown,
      output,
      reason: `exit ${r.status}${first !== "" ? `: ${first}` : ""}`,
    };
  }
  if (test.expect !== "" && !new RegExp(test.expect).test(output)) {
    return {
      ok: false,
      command: shown,
      output,
      reason: `output ${JSON.stringify(output.slice(0, 80))} does not match /${test.expect}/`,
    };
  }
  return { ok: true, command: shown, output, reason: "" };
}

export interface CopyEvents {
  /** What the probe found. */
  device(facts: DeviceFacts): void;
  progress(line: string): void;
  warning(line: string): void;
  copied(result: UploadResult): void;
}

/**
 * The whole copy over an open session: probe, refuse what cannot work
 * (another architecture unless `force`, a folder that is not writable),
 * upload, then the smoke test (`--help` when a plain `--version` fails).
 */
export function copyToDevice(
  session: SshSession,
  item: CopyItem,
  dir: string,
  test: SmokeTest,
  opts: { force: boolean; source: string },
  events: CopyEvents,
): SmokeOutcome {
  const facts = probeDevice(session, dir);
  events.device(facts);
  if (!runsOn(facts.uname, item.arch)) {
    if (!opts.force) {
      throw new XpkgsError(
        `the device is ${facts.uname} (uname -m), but ${item.program} is a program for ${item.arch}: ` +
          `it would not run there. Nothing was copied. Build it for the device: ` +
          `${suggestAttr(opts.source, facts.uname, machine())} (xpkgs platforms lists the platforms), ` +
          "or pass --force to copy anyway.",
      );
    }
    events.warning(`copying a ${item.arch} program to a ${facts.uname} device (--force)`);
  }
  if (facts.dirExists && !facts.writable) {
    throw new XpkgsError(
      `${dir} on the device is not writable. Nothing was copied. ` +
        "Choose a folder you may write (e.g. ssh://host/tmp), or log in as another user.",
    );
  }
  events.copied(upload(session, item, dir, facts, events.progress));
  const smoke = smokeOnDevice(session, item, dir, test);
  if (smoke.ok || test.expect !== "" || test.args[0] !== "--version") return smoke;
  const help = smokeOnDevice(session, item, dir, { args: ["--help"], expect: "" });
  if (help.ok) return help;
  return {
    ...help,
    command: smoke.command,
    reason: `${smoke.reason}; ${help.command}: ${help.reason}`,
  };
}

/** The plan, as `--dry-run` prints it and as a copy announces it. */
export function describePlan(
  item: CopyItem,
  target: SshTarget,
  dir: string,
  test: SmokeTest,
): string {
  const size = item.files.reduce((s, f) => s + f.size, 0);
  const where = dir === "." ? item.name : `${dir}/${item.name}`;
  const lines = [
    `copy ${item.program} (${item.arch}, ${item.static ? "static" : "dynamic, bundled with its loader and libraries"}) ` +
      `to ${formatTarget({ ...target, dir: null })}`,
    `  as ${where}${item.kind === "bundle" ? "/" : ""}: ${item.files.length} file${item.files.length === 1 ? "" : "s"}, ${size} bytes, under a temporary name first, then renamed`,
    ...(item.kind === "bundle"
      ? item.files.map(
          (f) =>
            `    ${f.path}  ${f.size} bytes  mode ${f.mode.toString(8)}  sha256 ${f.sha256.slice(0, 16)}…`,
        )
      : [
          `    mode ${item.files[0]!.mode.toString(8)}  sha256 ${item.files[0]!.sha256.slice(0, 16)}…`,
        ]),
    `  check first: uname -m must be ${item.arch}${item.static ? "" : " (the loader comes with the bundle)"}`,
    `  smoke test on the device: ${dir === "." ? "" : `${dir}/`}${item.run} ${test.args.join(" ")}${test.expect !== "" ? `, output must match /${test.expect}/` : ", must exit 0"}`,
  ];
  return `${lines.join("\n")}\n`;
}
