import type { Command } from "commander";
import { XpkgsError } from "../errors.js";
import { openUniverse } from "./universe.js";
import { Store } from "../store/store.js";
import { isStorePath } from "../store/store-path.js";
import { realpathSync } from "node:fs";

/** A store path from a store path, an out-link, or an attribute path (its `out`). */
export async function storePathFromUserInput(
  store: Store,
  arg: string,
  cmd: Command,
): Promise<string> {
  let p = arg;
  if (arg.includes("/")) {
    try {
      p = realpathSync(arg);
    } catch {
      p = arg;
    }
    const prefix = `${store.storeDir}/`;
    if (p.startsWith(prefix)) p = prefix + p.slice(prefix.length).split("/")[0];
    if (!isStorePath(p, store.storeDir)) {
      throw new XpkgsError(`${arg} is not in the store ${store.storeDir}.`);
    }
  } else {
    const pkg = (await openUniverse(cmd, store.storeDir)).resolve(arg);
    p = pkg.outputs.out ?? Object.values(pkg.outputs)[0]!;
  }
  if (!store.isValid(p)) {
    throw new XpkgsError(
      `${p} is not a valid store path (it is not built, or was garbage-collected). Build it first.`,
    );
  }
  return p;
}

export function registerPathInfo(program: Command): void {
  program
    .command("path-info")
    .argument("<path-or-attr>", "a store path, an out-link such as ./result, or an attribute path")
    .description("Show a valid store path, or with -r its whole closure, with NAR sizes.")
    .option("-r, --recursive", "show every path in the closure")
    .option("-S, --closure-size", "also show each path's closure size")
    .option("--json", "print as JSON")
    .action(
      async (
        arg: string,
        opts: { recursive?: boolean; closureSize?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const store = Store.fromEnv();
        try {
          const top = await storePathFromUserInput(store, arg, cmd);
          const paths = opts.recursive === true ? [...store.closure([top])].sort() : [top];
          const rows = paths.map((p) => {
            const info = store.info(p)!;
            const closureSize =
              opts.closureSize === true
                ? [...store.closure([p])].reduce((n, q) => n + (store.info(q)?.narSize ?? 0), 0)
                : undefined;
            return { ...info, ...(closureSize !== undefined ? { closureSize } : {}) };
          });
          if (opts.json === true) {
            process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
            return;
          }
          const width = Math.max(...rows.map((r) => r.path.length));
          for (const r of rows) {
            const cols = [r.path.padEnd(width), String(r.narSize).padStart(12)];
            if (r.closureSize !== undefined) cols.push(String(r.closureSize).padStart(12));
            process.stdout.write(`${cols.join("  ")}\n`);
          }
          if (opts.recursive === true) {
            const total = rows.reduce((n, r) => n + r.narSize, 0);
            process.stdout.write(`${paths.length} paths, ${total} bytes (NAR)\n`);
          }
        } finally {
          store.close();
        }
      },
    );
}
