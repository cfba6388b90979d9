import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { httpGet, httpGetBuffer, StallError } from "./http-get.js";

// A loopback server: /slow sends 6 chunks 150 ms apart (900 ms in all, more
// than the 400 ms stall limit, with no gap as long); /stall sends one chunk
// and then nothing; /missing is a 404.
describe("httpGet", () => {
  let server: Server;
  let base = "";
  const timers = new Set<NodeJS.Timeout>();
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/missing") {
        res.writeHead(404).end("no");
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" });
      if (req.url === "/stall") {
        res.write("first");
        return; // and never more
      }
      let n = 0;
      const send = (): void => {
        if (n++ === 6) {
          res.end();
          return;
        }
        res.write(`chunk${n};`);
        const t = setTimeout(send, 150);
        timers.add(t);
      };
      send();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    server.close();
  });

  it("keeps a slow download going while bytes arrive, past the stall limit in total", async () => {
    const r = await httpGetBuffer(`${base}/slow`, 400);
    assert.equal(r.status, 200);
    assert.equal(r.data.toString(), "chunk1;chunk2;chunk3;chunk4;chunk5;chunk6;");
  });

  it("gives up on a connection that goes quiet, saying so", async () => {
    const start = Date.now();
    const r = await httpGet(`${base}/stall`, 300);
    await assert.rejects(
      (async () => {
        for await (const _ of r.body) void _;
      })(),
      (e: unknown) => e instanceof StallError && /nothing arrived for 0.3 s/.test(e.message),
    );
    assert.ok(Date.now() - start < 5_000);
  });

  it("reports an HTTP error with its status and no body", async () => {
    const r = await httpGetBuffer(`${base}/missing`, 1_000);
    assert.equal(r.ok, false);
    assert.equal(r.status, 404);
    assert.equal(r.data.length, 0);
  });
});
