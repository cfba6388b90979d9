/**
 * Realising one derivation: run its builder (in the sandbox, or the built-in
 * fetcher), check what it made, and register the outputs atomically.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
} from "node:fs";
import { basename, join } from "node:path";
import { XpkgsError } from "../errors.js";
import type { Derivation } from "../derivation/derivation.js";
import { isFixedOutput } from "../derivation/derivation.js";
import { parseHashAlgoField } from "../derivation/hash.js";
import { type Hash, parseHash } from "../store/hash.js";
import { narHashOf } from "../store/nar.js";
import { scanForReferences } from "../store/references.js";
import { type Store, canonicalise, removeTree, tempPathIn } from "../store/store.js";
import { HashMismatchError, fetchurlBuiltin } from "./fetch.js";
import { sandboxCommand } from "./sandbox.js";
import { type ElfExpectations, checkElfOutputs } from "../elf/verify.js";

export class BuildError extends XpkgsError {
  override name = "BuildError";
  constructor(
    readonly drvPath: string,
    readonly reason: string,
    readonly logPath: string | null,
    readonly logTail: string[],
  ) {
    super(
      `Building ${drvPath} failed: ${reason}.` +
        (logTail.length > 0
          ? `\nLast ${logTail.length} log lines:\n${logTail.map((l) => `  > ${l}`).join("\n")}`
          : "") +
        (logPath !== null ? `\nFull log: ${logPath}` : ""),
    );
  }
}

export interface BuildOptions {
  cores: number;
  /** Called with each log line as it comes. */
  onLogLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * For --check: leave each output, canonicalised, at `<dir>/<output id>`
   * instead of registering it, and log to `<drv>.check.log`.
   */
  keepOutputsIn?: string;
}

export function logPathOf(store: Store, drvPath: string): string {
  return join(store.stateDir, "log", `${basename(drvPath)}.log`);
}

export function tailOf(logPath: string, n = 25): string[] {
  try {
    const lines = readFileSync(logPath, "utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines.slice(-n);
  } catch {
    return [];
  }
}

/** The store paths a derivation's build may read: the closure of its inputs. */
export function inputClosure(
  store: Store,
  drv: Derivation,
  loadDrv: (p: string) => Derivation,
): Set<string> {
  const roots = [...drv.inputSrcs];
  for (const [p, outs] of Object.entries(drv.inputDrvs)) {
    const input = loadDrv(p);
    for (const o of outs) {
      const path = input.outputs[o]?.path;
      if (path !== undefined) roots.push(path);
    }
  }
  return store.closure(roots);
}

/**
 * Build `drv` and register its outputs. The caller holds the outputs' locks
 * and has made every input valid.
 */
export async function buildDerivation(
  store: Store,
  drvPath: string,
  drv: Derivation,
  loadDrv: (p: string) => Derivation,
  opts: BuildOptions,
): Promise<void> {
  const logPath = logPathOf(store, drvPath).replace(
    /\.log$/,
    opts.keepOutputsIn !== undefined ? ".check.log" : ".log",
  );
  mkdirSync(join(store.stateDir, "log"), { recursive: true });
  const log = createWriteStream(logPath);
  let partial = "";
  const onChunk = (chunk: Buffer): void => {
    log.write(chunk);
    if (opts.onLogLine === undefined) return;
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) opts.onLogLine(l);
  };
  const logLine = (line: string): void => onChunk(Buffer.from(`${line}\n`));
  const closeLog = () => new Promise<void>((resolve) => log.end(resolve));

  const inputs = inputClosure(store, drv, loadDrv);
  const top = tempPathIn(store.storeDir, `build-${drv.name}`);
  const produced: Record<string, string> = {};
  try {
    if (drv.builder === "builtin:fetchurl") {
      mkdirSync(top);
      const tmp = join(top, "out");
      try {
        await fetchurlBuiltin(drvPath, drv, tmp, logLine, opts.env);
      } catch (e) {
        await closeLog();
        throw e;
      }
      produced.out = tmp;
    } else {
      const privateStore = join(top, "store");
      const buildDir = join(top, "build");
      mkdirSync(privateStore, { recursive: true });
      mkdirSync(buildDir, { recursive: true });
      const env: Record<string, string> = {
        PATH: "/path-not-set",
        HOME: "/homeless-shelter",
        NIX_STORE: store.storeDir,
        NIX_BUILD_CORES: String(opts.cores),
        TERM: "xterm-256color",
        ...drv.env,
        NIX_BUILD_TOP: "/build",
        TMPDIR: "/build",
        TEMPDIR: "/build",
        TMP: "/build",
        TEMP: "/build",
        NIX_LOG_FD: "2",
      };
      const binfmt = drv.env.xpkgsBinfmt;
      const command = sandboxCommand(
        {
          buildDir,
          etcDir: join(top, "etc"),
          storeDir: store.storeDir,
          privateStore,
          inputs,
          network: isFixedOutput(drv),
          ...(binfmt !== undefined
            ? { binfmt: { registration: binfmt, dir: join(top, "binfmt") } }
            : {}),
        },
        [drv.builder, ...drv.args],
      );
      const code = await new Promise<number | string>((resolve, reject) => {
        const child = spawn(command.file, command.args, { env, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", onChunk);
        child.stderr.on("data", onChunk);
        child.on("error", reject);
        child.on("close", (c, signal) => resolve(c ?? `signal ${signal}`));
      });
      if (partial !== "") opts.onLogLine?.(partial);
      await closeLog();
      if (code !== 0) {
        throw new BuildError(
          drvPath,
          `the builder exited with ${typeof code === "number" ? `code ${code}` : code}`,
          logPath,
          tailOf(logPath),
        );
      }
      const outputNames = new Set(Object.values(drv.outputs).map((o) => basename(o.path)));
      const inputNames = new Set([...inputs].map((p) => basename(p)));
      for (const [id, o] of Object.entries(drv.outputs)) {
        const p = join(privateStore, basename(o.path));
        if (!existsSync(p) && !isSymlink(p)) {
          throw new BuildError(
            drvPath,
            `the builder succeeded but did not produce its output '${id}' (${o.path})`,
            logPath,
            tailOf(logPath),
          );
        }
        produced[id] = p;
      }
      const stray = readdirSync(privateStore).filter(
        (e) => !outputNames.has(e) && !inputNames.has(e),
      );
      if (stray.length > 0) {
        throw new BuildError(
          drvPath,
          `the builder wrote outside its outputs, into the store: ${stray.map((s) => `${store.storeDir}/${s}`).join(", ")}`,
          logPath,
          tailOf(logPath),
        );
      }
    }
    if (!log.closed) await closeLog();
    finishOutputs(store, drvPath, drv, produced, inputs, logPath, opts.keepOutputsIn);
  } finally {
    if (!log.closed) await closeLog();
    removeTree(top);
  }
}

/**
 * What every build does with what it made, wherever it ran: check it against
 * the derivation's declaration, then register it (or, for --check, keep it
 * aside). `produced` maps each output to a temporary path in the store.
 */
export function finishOutputs(
  store: Store,
  drvPath: string,
  drv: Derivation,
  produced: Record<string, string>,
  inputs: Set<string>,
  logPath: string,
  keepOutputsIn: string | undefined,
): void {
  checkOutputsAgainstDeclaration(drvPath, drv, produced, logPath);
  if (keepOutputsIn !== undefined) {
    for (const [id, tmp] of Object.entries(produced)) {
      canonicalise(tmp);
      renameSync(tmp, join(keepOutputsIn, id));
    }
  } else {
    registerOutputs(store, drvPath, drv, produced, inputs);
  }
}

/**
 * A derivation may declare (in `xpkgsCheckElf`) what its ELF outputs must be:
 * machine, static, interpreter. A mismatch fails the build before anything
 * is registered.
 */
function checkOutputsAgainstDeclaration(
  drvPath: string,
  drv: Derivation,
  produced: Record<string, string>,
  logPath: string,
): void {
  const declared = drv.env.xpkgsCheckElf;
  if (declared === undefined) return;
  const expect = JSON.parse(declared) as ElfExpectations;
  const problems = Object.entries(produced).flatMap(([id, p]) =>
    checkElfOutputs(p, expect).map((line) => `${id === "out" ? "" : `${id}: `}${line}`),
  );
  if (problems.length > 0) {
    throw new BuildError(
      drvPath,
      `its output does not match its platform:\n${problems.map((l) => `  ${l}`).join("\n")}\n` +
        `A build that ignores the cross compiler or drops -static gives this; the recipe needs fixing`,
      logPath,
      [],
    );
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function flatHash(path: string, algo: Hash["algo"]): Hash {
  const h = createHash(algo);
  h.update(readFileSync(path));
  return parseHash(h.digest("hex"), algo);
}

/** Canonicalise, scan, hash, check, move into place and register, all outputs at once. */
function registerOutputs(
  store: Store,
  drvPath: string,
  drv: Derivation,
  produced: Record<string, string>,
  inputs: Set<string>,
): void {
  const candidates = new Set([...inputs, ...Object.values(drv.outputs).map((o) => o.path)]);
  const infos = Object.entries(drv.outputs).map(([id, o]) => {
    const tmp = produced[id]!;
    canonicalise(tmp);
    const references = [...scanForReferences(tmp, candidates)].sort();
    const { narHash, narSize } = narHashOf(tmp);
    let ca: string | null = null;
    if (o.hash !== "") {
      const { method, algo } = parseHashAlgoField(o.hashAlgo);
      const expected = parseHash(o.hash, algo);
      let got: Hash;
      if (method === "flat") {
        if (!lstatSync(tmp).isFile()) {
          throw new BuildError(
            drvPath,
            "a flat fixed-output derivation must produce a single regular file",
            null,
            [],
          );
        }
        got = flatHash(tmp, algo);
      } else {
        got = algo === "sha256" ? narHash : narHashOf(tmp, algo).narHash;
      }
      if (!got.equals(expected)) {
        throw new HashMismatchError(
          drv.env.url ?? drv.env.urls ?? drv.builder,
          expected,
          got,
          drvPath,
        );
      }
      ca = `fixed:${method === "recursive" ? "r:" : ""}${algo}:${got.nix32}`;
    }
    return {
      path: o.path,
      tmp,
      narHash: `sha256:${narHash.nix32}`,
      narSize,
      references,
      deriver: drvPath,
      ca,
    };
  });
  // An output that became valid meanwhile (substituted for another derivation's closure)
  // is kept, as Nix keeps it: a valid path is never replaced.
  const fresh = infos.filter((i) => {
    if (!store.isValid(i.path)) return true;
    removeTree(i.tmp);
    return false;
  });
  for (const i of fresh) {
    if (existsSync(i.path) || isSymlink(i.path)) removeTree(i.path); // unregistered debris
    renameSync(i.tmp, i.path);
  }
  store.db.register(
    fresh.map(({ tmp: _tmp, ...info }) => info),
    {
      drvPath,
      outputs: Object.fromEntries(Object.entries(drv.outputs).map(([id, o]) => [id, o.path])),
    },
  );
}
