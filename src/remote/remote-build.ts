/**
 * Building one derivation on a remote Nix machine over the serve protocol:
 * send the inputs it lacks as NARs (or let it substitute them), build the
 * derivation sent inline, fetch each output's NAR back, check it against the
 * builder's path info, and register it as a local build is registered.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { open } from "node:fs/promises";
import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import type { Derivation } from "../derivation/derivation.js";
import { BuildError, finishOutputs, inputClosure, logPathOf, tailOf } from "../build/builder.js";
import { unpackNar } from "../cache/nar-unpack.js";
import { fileChunks } from "../cache/file-io.js";
import { parseHash } from "../store/hash.js";
import { nix32Encode } from "../store/nix32.js";
import { narStream } from "../store/nar-stream.js";
import { type Store, removeTree, tempPathIn } from "../store/store.js";
import { RemoteError, type ServeClient } from "./serve-client.js";

export interface RemoteBuildOptions {
  /** The machine's name, for the log and messages. */
  machine: string;
  /** Let the builder substitute missing inputs from its own caches before we send them. */
  useSubstitutes: boolean;
  onLogLine?: (line: string) => void;
  /** Called once inputs are in place: how many paths and bytes were sent. */
  onInputsSent?: (paths: number, bytes: number) => void;
  /** For --check: leave the outputs at `<dir>/<output id>` instead of registering them. */
  keepOutputsIn?: string;
  maxSilentTime?: number;
  buildTimeout?: number;
}

/** The paths of `paths`' closure, each after everything it refers to. */
export function referencesFirst(store: Store, paths: Iterable<string>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (p: string): void => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const r of store.info(p)?.references ?? []) if (r !== p) visit(r);
    out.push(p);
  };
  for (const p of [...paths].sort()) visit(p);
  return out;
}

/**
 * Makes `paths` (a closed set) valid on the builder: asks what it has (letting it
 * substitute, if it may), then sends the rest as NARs, references first.
 */
export async function sendClosure(
  store: Store,
  client: ServeClient,
  paths: Iterable<string>,
  useSubstitutes: boolean,
): Promise<{ paths: number; bytes: number }> {
  const order = referencesFirst(store, paths);
  const has = await client.queryValidPaths(order, { lock: true, substitute: useSubstitutes });
  let bytes = 0;
  let sent = 0;
  for (const p of order) {
    if (has.has(p)) continue;
    const info = store.info(p)!;
    await client.addToStoreNar(
      {
        path: p,
        deriver: info.deriver,
        narHashHex: parseHash(info.narHash.replace(/^sha256:/, ""), "sha256").hex,
        references: info.references,
        registrationTime: info.registrationTime,
        narSize: info.narSize,
        sigs: info.sigs,
        ca: info.ca,
      },
      narStream(p),
    );
    bytes += info.narSize;
    sent++;
  }
  return { paths: sent, bytes };
}

export async function buildRemotely(
  store: Store,
  client: ServeClient,
  drvPath: string,
  drv: Derivation,
  loadDrv: (p: string) => Derivation,
  opts: RemoteBuildOptions,
): Promise<void> {
  const logPath = logPathOf(store, drvPath).replace(
    /\.log$/,
    opts.keepOutputsIn !== undefined ? ".check.log" : ".log",
  );
  mkdirSync(join(store.stateDir, "log"), { recursive: true });
  const log = createWriteStream(logPath);
  let logError: Error | null = null;
  log.on("error", (e) => (logError ??= e));
  const logLine = (line: string): void => {
    if (logError === null) log.write(`${line}\n`);
    opts.onLogLine?.(line);
  };
  const closeLog = () => new Promise<void>((resolve) => log.end(resolve));
  const inputs = inputClosure(store, drv, loadDrv);
  const top = tempPathIn(store.storeDir, `remote-${drv.name}`);
  try {
    logLine(`xpkgs: building ${drvPath} on ${opts.machine}`);
    const { paths: sentPaths, bytes: sentBytes } = await sendClosure(
      store,
      client,
      inputs,
      opts.useSubstitutes,
    );
    opts.onInputsSent?.(sentPaths, sentBytes);
    if (sentPaths > 0) logLine(`xpkgs: sent ${sentPaths} input paths (${sentBytes} bytes)`);

    const direct = [...drv.inputSrcs];
    for (const [p, outs] of Object.entries(drv.inputDrvs)) {
      const input = loadDrv(p);
      for (const o of outs) if (input.outputs[o] !== undefined) direct.push(input.outputs[o].path);
    }
    client.logSink = logLine;
    const result = await client.buildDerivation(drvPath, drv, direct, {
      maxSilentTime: opts.maxSilentTime ?? 0,
      buildTimeout: opts.buildTimeout ?? 0,
      maxLogSize: 0,
    });
    // The log's last lines may trail the reply; a failed round trip only loses them.
    await client.sync().catch(() => {});
    client.logSink = null;
    if (result.status > 2) {
      await closeLog();
      throw new BuildError(
        drvPath,
        `${opts.machine} reports ${result.statusName}: ${result.errorMsg.trim() || "no message"}`,
        logPath,
        tailOf(logPath),
      );
    }

    // Outputs: each NAR checked against the builder's record, then unpacked beside the store.
    const outputPaths = Object.values(drv.outputs).map((o) => o.path);
    const infos = await client.queryPathInfos(outputPaths);
    const allowed = new Set([...inputs, ...outputPaths]);
    mkdirSync(top);
    const produced: Record<string, string> = {};
    for (const [id, o] of Object.entries(drv.outputs)) {
      const info = infos.get(o.path);
      if (info === undefined) {
        throw new RemoteError(
          `${opts.machine} built ${drvPath} but does not have its output ${o.path}.`,
          false,
        );
      }
      const stray = info.references.filter((r) => !allowed.has(r));
      if (stray.length > 0) {
        throw new RemoteError(
          `${opts.machine} built ${o.path} with references outside its derivation's closure: ` +
            `${stray.join(", ")}. Its store holds other paths under the same names; nothing was registered.`,
          false,
        );
      }
      const narFile = join(top, `${basename(o.path)}.nar`);
      const sha = createHash("sha256");
      const out = await open(narFile, "wx");
      try {
        await client.dumpStorePath(o.path, info.narSize, async (chunk) => {
          sha.update(chunk);
          await out.write(chunk);
        });
      } finally {
        await out.close();
      }
      const got = `sha256:${nix32Encode(sha.digest())}`;
      if (got !== info.narHash) {
        throw new RemoteError(
          `The NAR of ${o.path} from ${opts.machine} hashes to ${got}, but the builder records ${info.narHash}.`,
          true,
        );
      }
      const tmp = join(top, id);
      const nar = await unpackNar(fileChunks(narFile), tmp, {
        maxSize: info.narSize,
        what: `The NAR of ${o.path} from ${opts.machine}`,
      });
      removeTree(narFile);
      if (nar.size !== info.narSize) {
        throw new RemoteError(
          `The NAR of ${o.path} from ${opts.machine} has ${nar.size} bytes, not ${info.narSize}.`,
          true,
        );
      }
      produced[id] = tmp;
    }
    await closeLog();
    const failedLog = logError as Error | null;
    if (failedLog !== null) {
      throw new BuildError(
        drvPath,
        `its log could not be written (${failedLog.message})`,
        null,
        [],
      );
    }
    finishOutputs(store, drvPath, drv, produced, inputs, logPath, opts.keepOutputsIn);
  } finally {
    client.logSink = null;
    if (!log.closed) await closeLog();
    removeTree(top);
  }
}
