#!/usr/bin/env node
// Regenerates test/vectors/nix-derivations.json: the drvPath, output paths and
// .drv text that Nix itself computes for the derivations in nix-vectors.nix,
// on a store directory that is not /nix/store. Needs Debian's nix-bin; runs
// offline. Usage: npm run vectors
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = "/tmp/xpkgs-vectors";
const storeDir = `${root}/store`;
rmSync(root, { recursive: true, force: true });
mkdirSync(`${root}/etc`, { recursive: true });
writeFileSync(`${root}/etc/nix.conf`, "build-users-group =\n");
const env = {
  ...process.env,
  NIX_STORE_DIR: storeDir,
  NIX_STATE_DIR: `${root}/var`,
  NIX_LOG_DIR: `${root}/log`,
  NIX_CONF_DIR: `${root}/etc`,
};
const expr = `builtins.mapAttrs (n: d: {
  drvPath = d.drvPath;
  outputs = builtins.listToAttrs (map (o: { name = o; value = d.\${o}.outPath; }) (d.outputs or ["out"]));
}) (import ${join(here, "nix-vectors.nix")})`;
const out = execFileSync("nix-instantiate", ["--eval", "--strict", "--json", "-E", expr], {
  env,
  encoding: "utf8",
});
const results = JSON.parse(out);
// --eval computes paths without writing; instantiating writes every .drv (and
// toFile source) into the store directory, so the exact text can be kept.
execFileSync("nix-instantiate", [join(here, "nix-vectors.nix")], { env, stdio: "ignore" });
const files = {};
for (const base of readdirSync(storeDir).sort()) {
  if (base.startsWith(".")) continue;
  files[`${storeDir}/${base}`] = readFileSync(`${storeDir}/${base}`, "utf8");
}
const nixVersion = execFileSync("nix-instantiate", ["--version"], { encoding: "utf8" }).trim();
const vectors = Object.entries(results).map(([name, r]) => ({ name, ...r }));
const target = join(here, "..", "test", "vectors", "nix-derivations.json");
writeFileSync(
  target,
  JSON.stringify({ generatedBy: nixVersion, storeDir, vectors, files }, null, 2) + "\n",
);
console.log(
  `wrote ${vectors.length} vectors and ${Object.keys(files).length} store files to ${target}`,
);
