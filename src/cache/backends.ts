/**
 * Where a binary cache's files live: a directory (`file:///dir`), an HTTP
 * server (`http(s)://host/prefix`: GET reads, PUT writes, as Nix's HTTP
 * store does) or an S3 bucket (`s3://bucket?endpoint=…&region=…`). Each
 * write is of one whole object: a reader sees it complete or not at all.
 */
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  copyFileSync,
} from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";

export class CacheUrlError extends XpkgsError {
  override name = "CacheUrlError";
}

/** The cache could not be reached at all (as opposed to: it answered "no"). */
export class CacheUnreachableError extends XpkgsError {
  override name = "CacheUnreachableError";
}

export interface CacheBackend {
  /** The URL as the user gave it, without secrets. */
  readonly url: string;
  /** The query parameters of the URL (compression, secret-key, priority…). */
  readonly params: URLSearchParams;
  read(key: string): Promise<Buffer | null>;
  readStream(key: string): Promise<AsyncIterable<Uint8Array> | null>;
  /** Where the object is as a local file, for a cache that is a folder. */
  localPath?(key: string): string;
  exists(key: string): Promise<boolean>;
  /** Store one object, from a file or bytes, all or nothing. */
  write(
    key: string,
    body: { file: string } | { bytes: Buffer },
    contentType: string,
  ): Promise<void>;
}

export const cacheUrlHelp =
  "file:///DIR, http(s)://HOST[:PORT]/PREFIX or s3://BUCKET?endpoint=URL&region=REGION";

export function openCache(url: string): CacheBackend {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CacheUrlError(`'${url}' is not a cache URL. Give ${cacheUrlHelp}.`);
  }
  if (u.protocol === "file:")
    return new FileCache(url, decodeURIComponent(u.pathname), u.searchParams);
  if (u.protocol === "http:" || u.protocol === "https:") return new HttpCache(url, u);
  if (u.protocol === "s3:") return new S3Cache(url, u);
  if (u.protocol === "ssh:") {
    throw new CacheUrlError(
      `${url} is a device (ssh://), not a binary cache. 'xpkgs copy --to ssh://…' puts a program on a ` +
        `device; a cache is ${cacheUrlHelp}.`,
    );
  }
  throw new CacheUrlError(
    `'${url}' has the scheme ${u.protocol} that xpkgs does not speak. Give ${cacheUrlHelp}.`,
  );
}

class FileCache implements CacheBackend {
  constructor(
    readonly url: string,
    private readonly dir: string,
    readonly params: URLSearchParams,
  ) {
    if (dir === "" || dir === "/") throw new CacheUrlError(`${url} names no directory.`);
  }
  private at(key: string): string {
    return join(this.dir, key);
  }
  read(key: string): Promise<Buffer | null> {
    try {
      const f = this.at(key);
      if (existsSync(f) && statSync(f).size > smallLimit) {
        return Promise.reject(
          new CacheUnreachableError(
            `${this.url}/${key} is larger than 1 MiB, so it is not a narinfo.`,
          ),
        );
      }
      return Promise.resolve(readFileSync(f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        if (!existsSync(this.dir))
          return Promise.reject(
            new CacheUnreachableError(`${this.url}: the directory ${this.dir} does not exist.`),
          );
        return Promise.resolve(null);
      }
      return Promise.reject(e);
    }
  }
  localPath(key: string): string {
    return this.at(key);
  }
  readStream(key: string): Promise<AsyncIterable<Uint8Array> | null> {
    const f = this.at(key);
    if (!existsSync(f)) return Promise.resolve(null);
    return Promise.resolve(createReadStream(f, { highWaterMark: 1 << 20 }));
  }
  exists(key: string): Promise<boolean> {
    return Promise.resolve(existsSync(this.at(key)));
  }
  write(key: string, body: { file: string } | { bytes: Buffer }): Promise<void> {
    const f = this.at(key);
    mkdirSync(dirname(f), { recursive: true });
    const tmp = join(dirname(f), `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      if ("file" in body) copyFileSync(body.file, tmp);
      else writeFileSync(tmp, body.bytes);
      renameSync(tmp, f);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new XpkgsError(`Could not write ${f}: ${(e as Error).message}.`);
    }
    return Promise.resolve();
  }
}

/** Narinfos and nix-cache-info are small: a bigger answer is refused, not buffered. */
const smallLimit = 1 << 20;

async function readSmall(body: AsyncIterable<Uint8Array>, where: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > smallLimit)
      throw new CacheUnreachableError(`${where} is larger than 1 MiB, so it is not a narinfo.`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** A response body whose network errors are CacheUnreachableErrors. */
async function* wrapBody(
  body: AsyncIterable<Uint8Array>,
  url: string,
  key: string,
): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (e) {
    if (e instanceof XpkgsError) throw e;
    throw new CacheUnreachableError(
      `${url}: the download of ${key} broke off (${(e as Error).message}).`,
    );
  }
}

function unreachable(url: string, e: Error): CacheUnreachableError {
  return new CacheUnreachableError(`${url} cannot be reached: ${e.message}.`);
}

class HttpCache implements CacheBackend {
  readonly params: URLSearchParams;
  private readonly base: URL;
  constructor(
    readonly url: string,
    u: URL,
  ) {
    this.params = u.searchParams;
    this.base = new URL(u.href.split("?")[0]!.replace(/\/*$/, "/"));
  }

  private send(
    method: string,
    key: string,
    body?: { file: string } | { bytes: Buffer },
    contentType?: string,
    target: URL = new URL(key, this.base),
    hops = 0,
  ): Promise<IncomingMessage> {
    const req = (target.protocol === "https:" ? httpsRequest : httpRequest)(target, {
      method,
      timeout: 30_000,
      headers:
        body === undefined
          ? {}
          : {
              "content-type": contentType ?? "application/octet-stream",
              "content-length": "file" in body ? statSync(body.file).size : body.bytes.length,
            },
    });
    const answer = new Promise<IncomingMessage>((resolve, reject) => {
      req.on("response", resolve);
      req.on("timeout", () => req.destroy(new Error("no answer in 30 s")));
      req.on("error", (e) => reject(unreachable(this.url, e)));
      if (body === undefined) req.end();
      else if ("file" in body) createReadStream(body.file).on("error", reject).pipe(req);
      else req.end(body.bytes);
    });
    return answer.then((res) => {
      const code = res.statusCode ?? 0;
      const location = res.headers.location;
      // Redirects of reads are followed, as Nix's curl does (at most 5).
      if (
        body === undefined &&
        [301, 302, 303, 307, 308].includes(code) &&
        location !== undefined
      ) {
        res.resume();
        if (hops >= 5)
          throw new CacheUnreachableError(`${this.url} redirects GET ${key} more than 5 times.`);
        const next = new URL(location, target);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          throw new CacheUnreachableError(
            `${this.url} redirects ${key} to ${next.protocol}, which is not HTTP.`,
          );
        }
        return this.send(method, key, body, contentType, next, hops + 1);
      }
      // A body that breaks off is the network's fault, not a bug.
      res.on("error", () => {});
      return res;
    });
  }

  private static drain(res: IncomingMessage): void {
    res.resume();
  }

  private async get(key: string): Promise<IncomingMessage | null> {
    const res = await this.send("GET", key);
    if (res.statusCode === 200) return res;
    HttpCache.drain(res);
    if (res.statusCode === 404 || res.statusCode === 403 || res.statusCode === 410) return null;
    throw new CacheUnreachableError(`${this.url} answered GET ${key} with HTTP ${res.statusCode}.`);
  }

  async read(key: string): Promise<Buffer | null> {
    const res = await this.get(key);
    if (res === null) return null;
    return readSmall(wrapBody(res, this.url, key), `${this.url}/${key}`);
  }
  async readStream(key: string): Promise<AsyncIterable<Uint8Array> | null> {
    const res = await this.get(key);
    return res === null ? null : wrapBody(res, this.url, key);
  }
  async exists(key: string): Promise<boolean> {
    const res = await this.send("HEAD", key);
    HttpCache.drain(res);
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404 || res.statusCode === 403 || res.statusCode === 410) return false;
    throw new CacheUnreachableError(
      `${this.url} answered HEAD ${key} with HTTP ${res.statusCode}.`,
    );
  }
  async write(
    key: string,
    body: { file: string } | { bytes: Buffer },
    contentType: string,
  ): Promise<void> {
    const res = await this.send("PUT", key, body, contentType);
    HttpCache.drain(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) {
      throw new XpkgsError(
        `${this.url} refused PUT ${key} with HTTP ${code}. Is it a writable cache (not xpkgs serve, which is read-only)?`,
      );
    }
  }
}

type S3Module = typeof import("@aws-sdk/client-s3");

class S3Cache implements CacheBackend {
  readonly params: URLSearchParams;
  private readonly bucket: string;
  private client: Promise<{ s3: S3Module; c: InstanceType<S3Module["S3Client"]> }> | null = null;

  constructor(
    readonly url: string,
    u: URL,
  ) {
    this.params = u.searchParams;
    this.bucket = u.hostname;
    if (this.bucket === "")
      throw new CacheUrlError(`${url} names no bucket: s3://BUCKET?endpoint=…&region=….`);
  }

  private open() {
    this.client ??= (async () => {
      // The SDK warns on Node 20 that its releases after January 2027 need Node 22; the
      // version is pinned in package.json, so the warning only confuses a user.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
      const s3 = await import("@aws-sdk/client-s3");
      const endpoint = this.params.get("endpoint");
      const scheme = this.params.get("scheme") ?? "https";
      const c = new s3.S3Client({
        region: this.params.get("region") ?? process.env.AWS_REGION ?? "us-east-1",
        ...(endpoint !== null
          ? {
              endpoint: /^[a-z]+:\/\//.test(endpoint) ? endpoint : `${scheme}://${endpoint}`,
              forcePathStyle: true,
            }
          : {}),
        // Checksums only where S3 requires them: servers other than AWS (Swift's s3api,
        // older MinIO) do not speak the newer aws-chunked trailers.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        maxAttempts: 2,
        // Bounded waits: a server that stops answering is unreachable, not a hang.
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
      });
      return { s3, c };
    })();
    return this.client;
  }

  private async call<T>(
    what: string,
    read: boolean,
    f: (m: S3Module, c: InstanceType<S3Module["S3Client"]>) => Promise<T>,
  ): Promise<T | null> {
    const { s3, c } = await this.open();
    try {
      return await f(s3, c);
    } catch (e) {
      const err = e as {
        name?: string;
        $metadata?: { httpStatusCode?: number };
        message: string;
      };
      const status = err.$metadata?.httpStatusCode;
      // A missing key (403 where the caller may not list the bucket, as AWS answers).
      if (
        read &&
        (err.name === "NoSuchKey" || err.name === "NotFound" || status === 404 || status === 403)
      ) {
        return null;
      }
      if (status === undefined || status >= 500) throw unreachable(this.url, e as Error);
      throw new XpkgsError(
        `${this.url}: ${what} failed with HTTP ${status} (${err.name ?? "error"}): ${err.message}` +
          (err.name === "NoSuchBucket"
            ? " Create the bucket first: xpkgs does not create buckets."
            : ""),
      );
    }
  }

  async read(key: string): Promise<Buffer | null> {
    const s = await this.readStream(key);
    return s === null ? null : readSmall(s, `${this.url}/${key}`);
  }
  async readStream(key: string): Promise<AsyncIterable<Uint8Array> | null> {
    const body = await this.call(`GET ${key}`, true, async (m, c) => {
      const r = await c.send(new m.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.Body as unknown as AsyncIterable<Uint8Array>;
    });
    return body === null ? null : wrapBody(body, this.url, key);
  }
  async exists(key: string): Promise<boolean> {
    const r = await this.call(`HEAD ${key}`, true, async (m, c) => {
      await c.send(new m.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    });
    return r === true;
  }
  async write(
    key: string,
    body: { file: string } | { bytes: Buffer },
    contentType: string,
  ): Promise<void> {
    await this.call(`PUT ${key}`, false, async (m, c) => {
      await c.send(
        new m.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: "file" in body ? createReadStream(body.file) : body.bytes,
          ContentLength: "file" in body ? statSync(body.file).size : body.bytes.length,
          ContentType: contentType,
        }),
      );
      return true;
    });
  }
}
