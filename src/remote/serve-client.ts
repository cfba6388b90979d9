/**
 * The client side of `nix-store --serve --write`, the protocol Nix's remote
 * builders and Hydra's queue runner speak over SSH. One connection is one
 * process (ssh, or nix-store itself in tests): requests go to its standard
 * input, replies come on its standard output, and its standard error carries
 * the build log and Nix's error messages.
 *
 * Facts of the protocol (Nix 2.8, serve protocol 2.6): the magic numbers, the
 * command numbers, and the order of each request's and reply's fields.
 */
import type { ChildProcess } from "node:child_process";
import type { Derivation } from "../derivation/derivation.js";
import { XpkgsError } from "../errors.js";
import { ProtocolError, WireReader, encodeInt, encodeString, encodeStrings } from "./wire.js";

const serveMagic1 = 0x390c9deb;
const serveMagic2 = 0x5452eecb;
/** 2.6: path infos carry NAR hash, CA and signatures (4); add-to-store-nar (5); built outputs (6). */
export const clientVersion = 0x206;

const cmd = {
  queryValidPaths: 1,
  queryPathInfos: 2,
  dumpStorePath: 3,
  buildDerivation: 8,
  addToStoreNar: 9,
} as const;

/** Nix's BuildResult status codes. */
export const buildStatus = [
  "Built",
  "Substituted",
  "AlreadyValid",
  "PermanentFailure",
  "InputRejected",
  "OutputRejected",
  "TransientFailure",
  "CachedFailure",
  "TimedOut",
  "MiscFailure",
  "DependencyFailed",
  "LogLimitExceeded",
  "NotDeterministic",
  "ResolvesToAlreadyValid",
  "NoSubstituters",
] as const;

export interface RemotePathInfo {
  path: string;
  deriver: string | null;
  references: string[];
  narSize: number;
  /** `sha256:<nix32>`. */
  narHash: string;
  ca: string | null;
  sigs: string[];
}

export interface RemoteBuildResult {
  status: number;
  statusName: string;
  errorMsg: string;
  startTime: number;
  stopTime: number;
}

export interface BuildSettings {
  maxSilentTime: number;
  buildTimeout: number;
  maxLogSize: number;
}

/** The far side said no, or went away: the message carries what its Nix printed. */
export class RemoteError extends XpkgsError {
  override name = "RemoteError";
  constructor(
    message: string,
    /** True when the machine itself failed (connection, protocol), not the request. */
    readonly machineFault: boolean,
  ) {
    super(message);
  }
}

export interface ServeClientOptions {
  /** The machine's name, for messages. */
  name: string;
  /** Each line Nix prints on standard error: build logs and messages. */
  onStderrLine?: (line: string) => void;
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/** A failure on our side of a request (reading our store, writing our disk). */
class LocalSideError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}
const local = async <T>(f: () => Promise<T> | T): Promise<T> => {
  try {
    return await f();
  } catch (e) {
    throw new LocalSideError(e instanceof Error ? e : new Error(String(e)));
  }
};

/** Seconds the handshake may take (ssh's login included) before the machine counts as down. */
const handshakeTimeout = 60;

export class ServeClient {
  private readonly reader: WireReader;
  private readonly stderrTail: string[] = [];
  private partial = "";
  private exited: Promise<void>;
  private writeError: Error | null = null;
  remoteVersion = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: ServeClientOptions,
  ) {
    this.reader = new WireReader(child.stdout!, () => `${opts.name}`);
    child.stdin!.on("error", (e) => (this.writeError = e));
    child.stderr!.on("data", (c: Buffer) => {
      const lines = (this.partial + c.toString("utf8")).split("\n");
      this.partial = lines.pop() ?? "";
      for (const l of lines) this.line(l);
    });
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("close", () => resolve());
    });
  }

  private line(raw: string): void {
    const l = stripAnsi(raw);
    if (this.logSink !== null) {
      // A build's log goes to its log, not into what the far side "said" about a failure;
      // only Nix's own messages ("error: …", such as a refusal to build) count as that.
      this.logSink(l);
      if (!/^error: /.test(l.trim())) return;
      this.stderrTail.push(l);
      this.linesSeen++;
      if (this.stderrTail.length > 20) this.stderrTail.shift();
      return;
    }
    this.stderrTail.push(l);
    this.linesSeen++;
    if (this.stderrTail.length > 20) this.stderrTail.shift();
    this.opts.onStderrLine?.(l);
  }

  private linesSeen = 0;

  /** Where standard error's lines go meanwhile (a build's log), instead of `onStderrLine`. */
  logSink: ((line: string) => void) | null = null;

  /** Handshake on a started process; throws a RemoteError naming what its far side printed. */
  static async open(child: ChildProcess, opts: ServeClientOptions): Promise<ServeClient> {
    const c = new ServeClient(child, opts);
    const timer = setTimeout(() => child.kill("SIGKILL"), handshakeTimeout * 1000);
    await c
      .guard("the handshake", async () => {
        await c.send(Buffer.concat([encodeInt(serveMagic1), encodeInt(clientVersion)]));
        const magic = await c.reader.int();
        if (magic !== serveMagic2) {
          throw new ProtocolError(
            `${opts.name} does not speak Nix's serve protocol (it answered 0x${magic.toString(16)}).`,
          );
        }
        c.remoteVersion = await c.reader.int();
        if (c.remoteVersion >> 8 !== 2 || (c.remoteVersion & 0xff) < 5) {
          throw new ProtocolError(
            `${opts.name} speaks serve protocol ${c.remoteVersion >> 8}.${c.remoteVersion & 0xff}; ` +
              "xpkgs needs 2.5 or later (Nix 2.4 or later).",
          );
        }
      })
      .finally(() => clearTimeout(timer));
    return c;
  }

  private get minor(): number {
    return Math.min(this.remoteVersion, clientVersion) & 0xff;
  }

  private send(b: Buffer): Promise<void> {
    if (this.writeError !== null) return Promise.reject(this.writeError);
    const stdin = this.child.stdin!;
    return new Promise((resolve, reject) => {
      const ok = stdin.write(b, (e) => (e ? reject(e) : undefined));
      if (ok) resolve();
      else stdin.once("drain", () => resolve());
    });
  }

  /** Runs a request; a broken connection becomes a RemoteError with the far side's last words. */
  private async guard<T>(what: string, f: () => Promise<T>): Promise<T> {
    const mark = this.linesSeen;
    try {
      return await f();
    } catch (e) {
      if (e instanceof RemoteError) throw e;
      // Our own side failed (a disk, a store path that changed): not the machine's fault.
      if (e instanceof LocalSideError) throw e.cause;
      // Give the far side a moment to finish printing why it stopped.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      if (this.partial !== "") {
        this.line(this.partial);
        this.partial = "";
      }
      const fresh = Math.min(this.linesSeen - mark, this.stderrTail.length);
      const said = this.stderrTail
        .slice(this.stderrTail.length - fresh)
        .filter((l) => l.trim() !== "");
      const errors = said.filter((l) => /error|denied|refused|not|cannot|fail/i.test(l));
      const words = (errors.length > 0 ? errors : said).slice(-4);
      const reason = e instanceof Error ? e.message : String(e);
      // Nix's own "error: …" is a refusal of this request (untrusted, wrong store): trying
      // again elsewhere will not help. Anything else (ssh gone, a cut connection) is the machine's.
      const refused = said.some((l) => /^error: /.test(l.trim()));
      const text = said.join("\n");
      const fix = /not privileged|lacks a signature by a trusted key|not a trusted user/.test(text)
        ? "\nThe SSH user is not trusted there: log in as root, or add the user to trusted-users in that machine's nix.conf."
        : /is not in the Nix store/.test(text)
          ? "\nThat machine's Nix has another store dir: give it one with this store dir (?remote-store=local?store=… in its URI; docs/remote.md)."
          : "";
      throw new RemoteError(
        `${this.opts.name}: ${what} failed: ` +
          (words.length > 0 ? `it said:\n${words.map((l) => `  > ${l}`).join("\n")}` : reason) +
          fix,
        !refused,
      );
    }
  }

  async queryValidPaths(
    paths: string[],
    opts: { lock: boolean; substitute: boolean },
  ): Promise<Set<string>> {
    return this.guard("asking which paths it has", async () => {
      await this.send(
        Buffer.concat([
          encodeInt(cmd.queryValidPaths),
          encodeInt(opts.lock ? 1 : 0),
          encodeInt(opts.substitute ? 1 : 0),
          encodeStrings([...paths].sort()),
        ]),
      );
      return new Set(await this.reader.strings());
    });
  }

  async queryPathInfos(paths: string[]): Promise<Map<string, RemotePathInfo>> {
    return this.guard("asking for path infos", async () => {
      await this.send(Buffer.concat([encodeInt(cmd.queryPathInfos), encodeStrings(paths)]));
      const out = new Map<string, RemotePathInfo>();
      for (;;) {
        const path = await this.reader.string();
        if (path === "") break;
        const deriver = await this.reader.string();
        const references = await this.reader.strings();
        await this.reader.int(); // download size
        const narSize = await this.reader.int();
        let narHash = "";
        let ca: string | null = null;
        let sigs: string[] = [];
        if (this.minor >= 4) {
          narHash = await this.reader.string();
          ca = (await this.reader.string()) || null;
          sigs = await this.reader.strings();
        }
        out.set(path, { path, deriver: deriver || null, references, narSize, narHash, ca, sigs });
      }
      return out;
    });
  }

  /** Sends one path as a NAR; the far side registers it (`--write`, and a trusted user, needed). */
  async addToStoreNar(
    info: {
      path: string;
      deriver: string | null;
      narHashHex: string;
      references: string[];
      registrationTime: number;
      narSize: number;
      sigs: string[];
      ca: string | null;
    },
    nar: AsyncIterable<Buffer>,
  ): Promise<void> {
    return this.guard(`sending ${info.path}`, async () => {
      await this.send(
        Buffer.concat([
          encodeInt(cmd.addToStoreNar),
          encodeString(info.path),
          encodeString(info.deriver ?? ""),
          encodeString(info.narHashHex),
          encodeStrings([...info.references].sort()),
          encodeInt(info.registrationTime),
          encodeInt(info.narSize),
          encodeInt(0), // ultimate
          encodeStrings(info.sigs),
          encodeString(info.ca ?? ""),
        ]),
      );
      let sent = 0;
      const it = nar[Symbol.asyncIterator]();
      for (;;) {
        const next = await local(() => it.next());
        if (next.done === true) break;
        sent += next.value.length;
        await this.send(next.value);
      }
      if (sent !== info.narSize) {
        // The connection is now out of step: the far side waits for bytes that never come.
        this.kill();
        throw new LocalSideError(
          new ProtocolError(
            `The NAR of ${info.path} has ${sent} bytes here, not the ${info.narSize} its record says: ` +
              "the path changed after it was registered. Run 'xpkgs store verify'.",
          ),
        );
      }
      const ok = await this.reader.int();
      if (ok !== 1) throw new ProtocolError(`it answered ${ok} to the upload of ${info.path}`);
    });
  }

  /** Builds a derivation sent inline; the log arrives on standard error meanwhile. */
  async buildDerivation(
    drvPath: string,
    drv: Derivation,
    inputs: string[],
    settings: BuildSettings,
  ): Promise<RemoteBuildResult> {
    return this.guard(`building ${drvPath}`, async () => {
      const outputs = Object.entries(drv.outputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const env = Object.entries(drv.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const parts = [
        encodeInt(cmd.buildDerivation),
        encodeString(drvPath),
        encodeInt(outputs.length),
        ...outputs.flatMap(([id, o]) => [
          encodeString(id),
          encodeString(o.path),
          encodeString(o.hashAlgo),
          encodeString(o.hash),
        ]),
        encodeStrings([...new Set(inputs)].sort()),
        encodeString(drv.system),
        encodeString(drv.builder),
        encodeStrings(drv.args),
        encodeInt(env.length),
        ...env.flatMap(([k, v]) => [encodeString(k), encodeString(v)]),
        encodeInt(settings.maxSilentTime),
        encodeInt(settings.buildTimeout),
      ];
      if (this.minor >= 2) parts.push(encodeInt(settings.maxLogSize));
      if (this.minor >= 3) parts.push(encodeInt(0), encodeInt(0)); // repeats, enforce determinism
      await this.send(Buffer.concat(parts));
      const status = await this.reader.int();
      const errorMsg = await this.reader.string();
      let startTime = 0;
      let stopTime = 0;
      if (this.minor >= 3) {
        await this.reader.int(); // times built
        await this.reader.int(); // non-deterministic
        startTime = await this.reader.int();
        stopTime = await this.reader.int();
      }
      if (this.minor >= 6) {
        const n = await this.reader.int();
        for (let i = 0; i < 2 * n; i++) await this.reader.string();
      }
      const statusName = buildStatus[status] ?? `status ${status}`;
      return { status, statusName, errorMsg: stripAnsi(errorMsg), startTime, stopTime };
    });
  }

  /**
   * One round trip: everything the far side printed on standard error before
   * it answered has then arrived (the build log ends before the build's reply).
   */
  async sync(): Promise<void> {
    await this.queryValidPaths([], { lock: false, substitute: false });
  }

  /** Streams the NAR of `path`, exactly `narSize` bytes, to `sink`. */
  async dumpStorePath(
    path: string,
    narSize: number,
    sink: (chunk: Buffer) => void | Promise<void>,
  ): Promise<void> {
    return this.guard(`fetching ${path}`, async () => {
      await this.send(Buffer.concat([encodeInt(cmd.dumpStorePath), encodeString(path)]));
      let left = narSize;
      while (left > 0) {
        const c = await this.reader.some(Math.min(left, 1 << 20));
        left -= c.length;
        await local(() => sink(c));
      }
    });
  }

  /** Ends the session: closes its input, and kills it if it lingers. */
  async close(): Promise<void> {
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(t);
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }
}
