/**
 * For tests: a writable HTTP binary cache, as a plain WebDAV-ish file server
 * would be (nginx with dav_methods PUT): GET and HEAD read files under a
 * folder, PUT writes them (to a temporary name, then renamed). Loopback only.
 */
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  statSync,
} from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, normalize } from "node:path";

export interface PutServer {
  url: string;
  puts: string[];
  stop(): Promise<void>;
}

export async function startPutServer(dir: string): Promise<PutServer> {
  const puts: string[] = [];
  const server: Server = createServer((req, res) => {
    const rel = normalize(decodeURIComponent((req.url ?? "/").split("?")[0]!)).replace(/^\/+/, "");
    if (rel.startsWith("..")) return void res.writeHead(400).end();
    const file = join(dir, rel);
    if (req.method === "PUT") {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.part`;
      const out = createWriteStream(tmp);
      req.pipe(out);
      out.on("finish", () => {
        renameSync(tmp, file);
        puts.push(rel);
        res.writeHead(201).end();
      });
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": statSync(file).size });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    puts,
    stop: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
