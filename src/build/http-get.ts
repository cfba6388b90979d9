/**
 * An HTTP GET that gives up when the server stops sending, not after a fixed
 * time: a 90 MB tarball over a slow link is fine while bytes arrive, and a
 * connection that goes quiet for `stallMs` is aborted with a clear reason.
 */
import { Readable } from "node:stream";

export class StallError extends Error {
  override name = "StallError";
  constructor(readonly stallMs: number) {
    super(`nothing arrived for ${stallMs / 1000} s`);
  }
}

export interface HttpGet {
  status: number;
  statusText: string;
  ok: boolean;
  /** The body; reading it keeps the stall timer fed. Read it to the end or call `cancel`. */
  body: AsyncIterable<Uint8Array>;
  cancel(): void;
}

export const defaultStallMs = 30_000;

export async function httpGet(url: string, stallMs = defaultStallMs): Promise<HttpGet> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new StallError(stallMs)), stallMs);
  timer.unref(); // an abandoned request never keeps the process alive
  let res: Response;
  try {
    res = await fetch(url, { signal: ac.signal, redirect: "follow" });
  } catch (e) {
    clearTimeout(timer);
    throw ac.signal.aborted ? ac.signal.reason : e;
  }
  timer.refresh();
  const source = res.body;
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      if (source === null) return;
      for await (const chunk of Readable.fromWeb(source as never) as AsyncIterable<Uint8Array>) {
        timer.refresh();
        yield chunk;
      }
    } catch (e) {
      throw ac.signal.aborted ? ac.signal.reason : e;
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    body: body(),
    cancel: () => {
      clearTimeout(timer);
      ac.abort();
    },
  };
}

/** The whole body as one buffer, under the same stall rule. */
export async function httpGetBuffer(
  url: string,
  stallMs = defaultStallMs,
): Promise<HttpGet & { data: Buffer }> {
  const r = await httpGet(url, stallMs);
  if (!r.ok) {
    r.cancel();
    return { ...r, data: Buffer.alloc(0) };
  }
  const chunks: Uint8Array[] = [];
  for await (const c of r.body) chunks.push(c);
  return { ...r, data: Buffer.concat(chunks) };
}
