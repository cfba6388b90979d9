import type { Command } from "commander";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseCompression } from "../cache/compression.js";
import { cacheSettings } from "../cache/config.js";
import { cacheServer } from "../cache/serve.js";
import { readSecretKeyFile } from "../cache/signing.js";
import { XpkgsError } from "../errors.js";
import { Store } from "../store/store.js";

interface ServeOpts {
  port: string;
  bind: string;
  secretKey?: string[];
  compression: string;
  priority: string;
  quiet?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Serve this machine's store as a binary cache over HTTP, read-only, as nix-serve does: another " +
        "machine's xpkgs (or Nix, with the same store dir) substitutes from it with " +
        "--substituters http://HOST:PORT. Narinfos are signed on request with --secret-key; NARs are " +
        "streamed from the store. Runs until interrupted.\n" +
        "Example: xpkgs serve --bind 0.0.0.0 --port 5000 --secret-key cache-1.secret",
    )
    .option("-p, --port <n>", "the TCP port", "5000")
    .option("--bind <addr>", "the address to listen on (0.0.0.0 for every interface)", "127.0.0.1")
    .option(
      "--secret-key <file>",
      "sign narinfos with this key (repeat for more; default: secret-key-files of the config)",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option(
      "--compression <c>",
      "compress NARs on the fly: none (default, fastest on a LAN), zstd or xz",
      "none",
    )
    .option("--priority <n>", "the Priority the cache announces (lower is asked first)", "30")
    .option("-q, --quiet", "do not log requests")
    .action(async (opts: ServeOpts) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new XpkgsError(`--port ${opts.port} is not a TCP port (0 to 65535).`);
      }
      const priority = Number(opts.priority);
      if (!Number.isInteger(priority) || priority < 0) {
        throw new XpkgsError(`--priority ${opts.priority} is not a whole number ≥ 0.`);
      }
      for (const prog of opts.compression === "none"
        ? []
        : [opts.compression === "xz" ? "xz" : "zstd"]) {
        if (spawnSync(prog, ["--version"]).error !== undefined) {
          throw new XpkgsError(
            `--compression ${opts.compression} needs ${prog}, which is not installed (Debian: ${prog === "xz" ? "xz-utils" : "zstd"}).`,
          );
        }
      }
      const keys = cacheSettings({ secretKey: opts.secretKey }).secretKeyFiles.map(
        readSecretKeyFile,
      );
      const store = Store.fromEnv();
      const server = cacheServer(store, {
        keys,
        compression: parseCompression(opts.compression),
        priority,
        logDir: join(store.stateDir, "log"),
        onRequest: (method, url, status) => {
          if (opts.quiet !== true) process.stderr.write(`${status} ${method} ${url}\n`);
        },
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", (e: NodeJS.ErrnoException) =>
          reject(
            new XpkgsError(
              e.code === "EADDRINUSE"
                ? `Port ${port} on ${opts.bind} is in use. Pick another with --port.`
                : `Cannot listen on ${opts.bind}:${port}: ${e.message}.`,
            ),
          ),
        );
        server.listen(port, opts.bind, resolve);
      });
      const addr = server.address();
      const actual = typeof addr === "object" && addr !== null ? addr.port : port;
      const host = opts.bind.includes(":") ? `[${opts.bind}]` : opts.bind;
      process.stdout.write(
        `serving ${store.storeDir} at http://${host}:${actual}` +
          (keys.length > 0
            ? `, signed by ${keys.map((k) => k.publicText).join(" ")}`
            : ", unsigned") +
          "\n",
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          server.close(() => resolve());
          server.closeAllConnections();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      store.close();
    });
}
