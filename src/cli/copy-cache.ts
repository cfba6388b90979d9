/**
 * `xpkgs copy --to CACHE` and `--from CACHE`: store paths to and from a
 * binary cache, as `nix copy` does. (`--to ssh://` is the device deploy in
 * copy.ts.)
 */
import type { Command } from "commander";
import { isAbsolute, resolve } from "node:path";
import { openCache } from "../cache/backends.js";
import { cacheSettings, type CacheFlags } from "../cache/config.js";
import { parseCompression } from "../cache/compression.js";
import { pushPaths, type PushProgress } from "../cache/push.js";
import { readSecretKeyFile } from "../cache/signing.js";
import { Substituters, substitutePaths, type SubstituteProgress } from "../cache/substitute.js";
import { XpkgsError } from "../errors.js";
import { Store } from "../store/store.js";
import { isStorePath, parseStorePath } from "../store/store-path.js";
import { human } from "./table.js";
import { existsSync, realpathSync } from "node:fs";

export interface CacheCopyOpts extends CacheFlags {
  to?: string;
  from?: string;
  compression?: string;
  quiet?: boolean;
  dryRun?: boolean;
}

/** Store paths named directly (or by a link into the store, like ./result), else attributes. */
async function pathsOf(
  cmd: Command,
  store: Store,
  whats: string[],
  quiet: boolean,
  build: boolean,
): Promise<string[]> {
  const out: string[] = [];
  // Attribute paths need the package sets and the scheduler; store paths do not.
  let universe: import("../pkgs/top-level.js").PackageUniverse | null = null;
  for (const w of whats) {
    if (w.includes("/")) {
      const abs = isAbsolute(w) ? w : resolve(w);
      const real = existsSync(abs) ? realpathSync(abs) : abs;
      const top = real.startsWith(`${store.storeDir}/`)
        ? `${store.storeDir}/${real.slice(store.storeDir.length + 1).split("/")[0]}`
        : real;
      if (!isStorePath(top, store.storeDir)) {
        throw new XpkgsError(
          `${w} is not in the store ${store.storeDir}. Name a store path, a link to one (./result) or an attribute.`,
        );
      }
      out.push(top);
      continue;
    }
    universe ??= await (await import("./universe.js")).openUniverse(cmd, store.storeDir);
    const pkg = universe.resolve(w);
    const final = universe.graph.byPath.get(pkg.drvPath);
    const outputs =
      final === undefined ? [pkg.out] : Object.values(final.drv.outputs).map((o) => o.path);
    if (build && outputs.some((o) => !store.isValid(o))) {
      const { ensureBuilt } = await import("./realise-attr.js");
      await ensureBuilt(store, universe, pkg, quiet, cmd);
    }
    out.push(...outputs);
  }
  return out;
}

function rate(bytes: number, ms: number): string {
  return `${human(bytes / Math.max(ms / 1000, 0.001))}/s`;
}

class PushPrinter implements PushProgress {
  private total = 0;
  private bytesTotal = 0;
  private done = 0;
  private bytes = 0;
  private readonly start = Date.now();
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly quiet: boolean,
  ) {}
  plan(total: number, missing: string[], bytes: number): void {
    this.total = missing.length;
    this.bytesTotal = bytes;
    if (this.quiet) return;
    this.out.write(
      `${total} path${total === 1 ? "" : "s"} in the closure; ${total - missing.length} already in the cache, ${missing.length} to push (${human(bytes)} of NAR)\n`,
    );
  }
  pushed(path: string, fileSize: number, narSize: number): void {
    this.done++;
    this.bytes += narSize;
    if (this.quiet) return;
    const ms = Date.now() - this.start;
    const status = `[${this.done}/${this.total} paths, ${human(this.bytes)}/${human(this.bytesTotal)}, ${rate(this.bytes, ms)}]`;
    if (this.out.isTTY === true) {
      this.out.write(`\r\x1b[2K${status} ${path.slice(path.lastIndexOf("/") + 1 + 33)}`);
      if (this.done === this.total) this.out.write("\n");
    } else {
      this.out.write(`pushed ${path} (${human(fileSize)} compressed) ${status}\n`);
    }
  }
}

class FetchPrinter implements SubstituteProgress {
  constructor(private readonly quiet: boolean) {}
  started(path: string, cacheUrl: string, fileSize: number | null): void {
    if (!this.quiet)
      process.stderr.write(
        `copying ${path} from ${cacheUrl}${fileSize !== null ? ` (${human(fileSize)})` : ""}\n`,
      );
  }
  finished(path: string, bytes: number, ms: number): void {
    if (!this.quiet)
      process.stderr.write(`  done in ${(ms / 1000).toFixed(1)}s, ${rate(bytes, ms)}\n`);
    void path;
  }
}

/** Pushes the closures of valid `paths` to the cache `opts.to`, signed with the configured keys. */
export async function pushToCache(
  store: Store,
  paths: string[],
  opts: CacheCopyOpts,
): Promise<string[]> {
  const cache = openCache(opts.to!);
  const settings = cacheSettings(opts);
  const keyParam = cache.params.get("secret-key");
  const keyFiles =
    keyParam !== null ? [...settings.secretKeyFiles, keyParam] : settings.secretKeyFiles;
  const keys = keyFiles.map(readSecretKeyFile);
  const compression = parseCompression(opts.compression ?? cache.params.get("compression") ?? "xz");
  if (keys.length === 0 && opts.quiet !== true) {
    process.stderr.write(
      "warning: pushing unsigned paths (no --secret-key): substituters with require-sigs (the default) will refuse them. Make a key with 'xpkgs key generate --name NAME'.\n",
    );
  }
  const { logPathOf } = await import("../build/builder.js");
  return pushPaths(store, paths, cache, {
    compression,
    keys,
    logOf: (drv) => {
      const l = logPathOf(store, drv);
      return existsSync(l) ? l : null;
    },
    progress: new PushPrinter(process.stderr, opts.quiet === true),
  });
}

export async function copyToCache(
  cmd: Command,
  whats: string[],
  opts: CacheCopyOpts,
): Promise<void> {
  const store = Store.fromEnv();
  try {
    store.cleanup();
    const paths = await pathsOf(cmd, store, whats, opts.quiet === true, opts.dryRun !== true);
    if (opts.dryRun === true) {
      const closure = store.closure(paths.filter((p) => store.isValid(p)));
      process.stdout.write(
        `would push the closure of ${paths.join(" ")} (${closure.size} paths) to ${openCache(opts.to!).url}\n`,
      );
      return;
    }
    const pushed = await pushToCache(store, paths, opts);
    process.stdout.write(
      `pushed ${pushed.length} path${pushed.length === 1 ? "" : "s"} to ${openCache(opts.to!).url}\n`,
    );
  } finally {
    store.close();
  }
}

export async function copyFromCache(
  cmd: Command,
  whats: string[],
  opts: CacheCopyOpts,
): Promise<void> {
  const settings = cacheSettings(opts);
  const store = Store.fromEnv();
  try {
    store.cleanup();
    const subs = Substituters.fromSettings(
      { ...settings, substituters: [opts.from!] },
      store.storeDir,
      (line) => process.stderr.write(`${line}\n`),
    )!;
    const paths = await pathsOf(cmd, store, whats, opts.quiet === true, false);
    for (const p of paths) parseStorePath(p, store.storeDir);
    if (opts.dryRun === true) {
      const { hits, missing } = await subs.closure(store, paths);
      for (const p of hits.keys()) process.stdout.write(`would copy ${p} from ${opts.from}\n`);
      for (const m of missing) process.stdout.write(`missing: ${subs.explain(m)}\n`);
      return;
    }
    const fetched = await substitutePaths(
      store,
      subs,
      paths,
      new FetchPrinter(opts.quiet === true),
    );
    process.stdout.write(
      `copied ${fetched.length} path${fetched.length === 1 ? "" : "s"} from ${opts.from}\n`,
    );
  } finally {
    store.close();
  }
}
