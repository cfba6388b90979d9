/**
 * Cache settings, in nix.conf's names and `name = value` lines: from
 * `$XPKGS_CONF` or `~/.config/xpkgs/xpkgs.conf`, then from the command line.
 *
 *   substituters = file:///srv/cache http://10.0.0.2:5000
 *   trusted-public-keys = cache-1:AbC…=
 *   require-sigs = true
 *   secret-key-files = /etc/xpkgs/cache-1.secret
 *   builders = @/etc/xpkgs/machines          (remote builders: docs/remote.md)
 *   builders-use-substitutes = true
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { XpkgsError } from "../errors.js";

export interface CacheSettings {
  substituters: string[];
  trustedPublicKeys: string[];
  requireSigs: boolean;
  secretKeyFiles: string[];
  /** Remote builders in Nix's machines format (`;`-separated, or `@FILE`); empty: none. */
  builders: string;
  buildersUseSubstitutes: boolean;
  /** Where they came from, for messages. */
  configFile: string | null;
}

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XPKGS_CONF !== undefined) return env.XPKGS_CONF;
  const base = env.XDG_CONFIG_HOME ?? join(homedir(), ".config");
  return join(base, "xpkgs", "xpkgs.conf");
}

const words = (v: string) => v.split(/\s+/).filter((w) => w !== "");

function bool(v: string, where: string, name: string): boolean {
  if (v === "true") return true;
  if (v === "false") return false;
  throw new XpkgsError(`${where}: ${name} must be true or false, not '${v}'.`);
}

export function readCacheSettings(env: NodeJS.ProcessEnv = process.env): CacheSettings {
  const s: CacheSettings = {
    substituters: [],
    trustedPublicKeys: [],
    requireSigs: true,
    secretKeyFiles: [],
    builders: "",
    buildersUseSubstitutes: false,
    configFile: null,
  };
  const file = configFilePath(env);
  if (!existsSync(file)) return s;
  s.configFile = file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new XpkgsError(`Cannot read the settings file ${file}: ${(e as Error).message}.`);
  }
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    const m = /^([a-z-]+)\s*=\s*(.*)$/.exec(line);
    const where = `${file} line ${i + 1}`;
    if (m === null) throw new XpkgsError(`${where} is not 'name = value': '${line}'.`);
    const [, name, value] = m as unknown as [string, string, string];
    if (name === "substituters") s.substituters = words(value);
    else if (name === "trusted-public-keys") s.trustedPublicKeys = words(value);
    else if (name === "require-sigs") s.requireSigs = bool(value, where, name);
    else if (name === "secret-key-files") s.secretKeyFiles = words(value);
    else if (name === "builders") s.builders = value.trim();
    else if (name === "builders-use-substitutes")
      s.buildersUseSubstitutes = bool(value, where, name);
    else {
      throw new XpkgsError(
        `${where} sets '${name}', which xpkgs does not know. It reads substituters, ` +
          `trusted-public-keys, require-sigs, secret-key-files, builders and builders-use-substitutes.`,
      );
    }
  });
  return s;
}

export interface CacheFlags {
  substituters?: string;
  trustedPublicKeys?: string;
  requireSigs?: boolean;
  secretKey?: string[];
}

/** The config file's settings with the command line's over them. */
export function cacheSettings(
  flags: CacheFlags,
  env: NodeJS.ProcessEnv = process.env,
): CacheSettings {
  const s = readCacheSettings(env);
  if (flags.substituters !== undefined) s.substituters = words(flags.substituters);
  if (flags.trustedPublicKeys !== undefined) s.trustedPublicKeys = words(flags.trustedPublicKeys);
  if (flags.requireSigs === false) s.requireSigs = false;
  if (flags.secretKey !== undefined && flags.secretKey.length > 0)
    s.secretKeyFiles = flags.secretKey;
  return s;
}
