/** `xpkgs prefetch URL`: a file into the download cache, and the hash a recipe needs. */
import type { Command } from "commander";
import { prefetchUrl } from "../build/fetch.js";
import { XpkgsError } from "../errors.js";

export function registerPrefetch(program: Command): void {
  program
    .command("prefetch")
    .argument("<url>", "http(s)://…, file://… or mirror://debian/… (mirror://gnu, mirror://kernel)")
    .option("--json", "print url, hash (SRI), nix32, path and size as JSON")
    .description(
      "Download a file into the download cache and print its sha256: first in SRI form (what a " +
        "recipe's hash takes), then in nix32 (what nix-prefetch-url prints). A later build of a " +
        "recipe with that hash takes the file from the cache.\n" +
        "Example: xpkgs prefetch mirror://debian/pool/main/h/hello/hello_2.10.orig.tar.gz",
    )
    .action(async (url: string, opts: { json?: boolean }) => {
      if (!/^(https?|file|mirror):\/\//.test(url)) {
        throw new XpkgsError(
          `'${url}' is not a URL xpkgs can fetch. Give http(s)://…, file:///… or mirror://debian/pool/….`,
        );
      }
      const r = await prefetchUrl(url, (l) => process.stderr.write(`${l}\n`));
      if (opts.json === true) {
        process.stdout.write(
          `${JSON.stringify({ url: r.url, hash: r.hash.sri, nix32: r.hash.nix32, path: r.path, size: r.size }, null, 2)}\n`,
        );
        return;
      }
      process.stdout.write(`${r.hash.sri}\n${r.hash.nix32}\n`);
      process.stderr.write(`cached as ${r.path} (${r.size} bytes)\n`);
    });
}
