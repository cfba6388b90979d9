/**
 * The local store served as a binary cache over HTTP, as nix-serve and
 * harmonia do: `nix-cache-info`, narinfos made (and signed) on request,
 * NARs streamed from the store (compressed on the fly, or not) and build
 * logs. Read-only: only GET and HEAD; only valid store paths, found by their
 * hash part; NAR streams bounded in number.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { narStream } from "../store/nar-stream.js";
import type { Store } from "../store/store.js";
import {
  type Compression,
  compressionExtension,
  renderCacheInfo,
  renderNarInfo,
} from "./narinfo.js";
import { contentTypes } from "./push.js";
import { type SecretKey, fingerprint, signText } from "./signing.js";

export interface ServeOptions {
  keys: SecretKey[];
  compression: Compression;
  /** NAR streams at once; more wait. */
  maxStreams?: number;
  priority?: number;
  logDir?: string;
  onRequest?: (method: string, url: string, status: number) => void;
}

const hashPartRe = /^[0-9a-df-np-sv-z]{32}$/;

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async take(): Promise<() => void> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

export function cacheServer(store: Store, opts: ServeOptions): Server {
  const streams = new Semaphore(opts.maxStreams ?? 8);
  const cacheInfo = renderCacheInfo({
    storeDir: store.storeDir,
    wantMassQuery: true,
    priority: opts.priority ?? 30,
  });
  const ext = compressionExtension[opts.compression];

  const pathOf = (hashPart: string): string | null =>
    hashPartRe.test(hashPart) ? store.db.pathByHashPart(store.storeDir, hashPart) : null;

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
  ) => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
    opts.onRequest?.(req.method ?? "", req.url ?? "", status);
  };
  const notFound = (req: IncomingMessage, res: ServerResponse) =>
    send(req, res, 404, "text/plain", "not found\n");

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return send(req, res, 405, "text/plain", "this cache is read-only\n");
    }
    const url = (req.url ?? "/").split("?")[0]!;
    if (url === "/nix-cache-info") return send(req, res, 200, contentTypes.cacheInfo, cacheInfo);
    let m = /^\/([^/]+)\.narinfo$/.exec(url);
    if (m !== null) {
      const path = pathOf(m[1]!);
      const info = path === null ? null : store.info(path);
      if (info === null) return notFound(req, res);
      const fp = fingerprint(info.path, info.narHash, info.narSize, info.references);
      const hashPart = m[1]!;
      const text = renderNarInfo({
        storePath: info.path,
        url: `nar/${hashPart}-${info.narHash.slice("sha256:".length)}.nar${ext}`,
        compression: opts.compression,
        fileHash: opts.compression === "none" ? info.narHash : null,
        fileSize: opts.compression === "none" ? info.narSize : null,
        narHash: info.narHash,
        narSize: info.narSize,
        references: info.references,
        deriver: info.deriver,
        sigs: [
          ...info.sigs.filter((s) => !opts.keys.some((k) => s.startsWith(`${k.name}:`))),
          ...opts.keys.map((k) => signText(k, fp)),
        ],
        ca: info.ca,
      });
      return send(req, res, 200, contentTypes.narinfo, text);
    }
    m = /^\/nar\/([0-9a-z]{32})-([0-9a-z]{52})\.nar(\.xz|\.zst)?$/.exec(url);
    if (m !== null) {
      const path = pathOf(m[1]!);
      const info = path === null ? null : store.info(path);
      if (info === null || info.narHash !== `sha256:${m[2]}` || (m[3] ?? "") !== ext)
        return notFound(req, res);
      const release = await streams.take();
      try {
        const headers: Record<string, string | number> = { "content-type": contentTypes.nar };
        if (opts.compression === "none") headers["content-length"] = info.narSize;
        res.writeHead(200, headers);
        if (req.method === "HEAD") {
          res.end();
        } else if (opts.compression === "none") {
          await pipeline(Readable.from(narStream(info.path)), res);
        } else {
          const args = opts.compression === "xz" ? ["-3", "-T0", "-c"] : ["-3", "-q", "-c"];
          const child = spawn(opts.compression === "xz" ? "xz" : "zstd", args, {
            stdio: ["pipe", "pipe", "ignore"],
          });
          const exited = new Promise<void>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code) =>
              code === 0 ? resolve() : reject(new Error(`the compressor exited with ${code}`)),
            );
          });
          await Promise.all([
            pipeline(Readable.from(narStream(info.path)), child.stdin),
            pipeline(child.stdout, res),
            exited,
          ]).catch((e: unknown) => {
            child.kill();
            // The status line is sent: cut the body short so that the client sees a broken NAR.
            res.destroy();
            throw e;
          });
        }
        opts.onRequest?.(req.method, url, 200);
      } finally {
        release();
      }
      return;
    }
    m = /^\/log\/([^/]+\.drv)$/.exec(url);
    if (m !== null && opts.logDir !== undefined) {
      const file = `${opts.logDir}/${m[1]}.log`;
      if (!pathOf(m[1]!.slice(0, 32)) || !existsSync(file)) return notFound(req, res);
      res.writeHead(200, {
        "content-type": contentTypes.log,
        "content-length": statSync(file).size,
      });
      if (req.method === "HEAD") res.end();
      else await pipeline(createReadStream(file), res);
      opts.onRequest?.(req.method, url, 200);
      return;
    }
    return notFound(req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(req, res, 500, "text/plain", `${(e as Error).message}\n`);
      else res.destroy();
    });
  });
  server.maxConnections = 256;
  // A client that stops reading is cut off after a minute, which frees its stream slot.
  server.timeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return server;
}
