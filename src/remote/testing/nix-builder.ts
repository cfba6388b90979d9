/**
 * For tests: Nix's own `nix-store --serve --write` as a builder, on this
 * machine, with a store of its own. The store has our test store's directory
 * as its logical store dir and lives elsewhere (Nix's `local?real=` chroot
 * store), so the two never share a path; Nix's sandbox builds in it.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServeClient } from "../serve-client.js";
import { builderNixConfLines, chrootStoreUri } from "../builder-setup.js";

/** The nix.conf of a test builder (docs/remote.md shows the same lines). */
export function builderNixConf(features: string[]): string {
  return `${builderNixConfLines(features).join("\n")}\n`;
}

export interface LocalNixBuilder {
  root: string;
  /** The `--store` URI of its store. */
  storeUri: string;
  env: NodeJS.ProcessEnv;
  open(onStderrLine?: (l: string) => void): Promise<ServeClient>;
  stop(): void;
}

export function localNixBuilder(storeDir: string, features: string[] = []): LocalNixBuilder {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-nixbuilder-"));
  mkdirSync(join(root, "conf"));
  writeFileSync(join(root, "conf/nix.conf"), builderNixConf(features));
  const storeUri = chrootStoreUri(storeDir, root);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NIX_CONF_DIR: join(root, "conf"),
    NIX_REMOTE: "",
  };
  delete env.NIX_STORE_DIR;
  return {
    root,
    storeUri,
    env,
    open: (onStderrLine) =>
      ServeClient.open(
        spawn("nix-store", ["--serve", "--write", "--store", storeUri], {
          env,
          stdio: ["pipe", "pipe", "pipe"],
        }),
        { name: "local-nix", ...(onStderrLine !== undefined ? { onStderrLine } : {}) },
      ),
    stop: () => rmSync(root, { recursive: true, force: true }),
  };
}
