import type { Command } from "commander";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { generateKeyPair, parseSecretKey } from "../cache/signing.js";
import { XpkgsError } from "../errors.js";

function writeNew(file: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(file, "wx", mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new XpkgsError(
      code === "EEXIST"
        ? `${file} exists already; xpkgs does not overwrite a key. Remove it or name another file.`
        : `Cannot write ${file}: ${(e as Error).message}.`,
    );
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export function registerKey(program: Command): void {
  const key = program
    .command("key")
    .description(
      "Signing keys for binary caches, in Nix's name:base64 ed25519 form (docs/cache.md).",
    );
  key
    .command("generate")
    .description(
      "Make a key pair, as nix key generate-secret and convert-secret-to-public do: the secret key " +
        "(mode 0600) signs what 'xpkgs copy --to' pushes and what 'xpkgs serve' serves; the public key " +
        "goes into trusted-public-keys wherever the cache is used.\n" +
        "Example: xpkgs key generate --name cache.example.org-1",
    )
    .requiredOption(
      "--name <name>",
      "the key's name; Nix's convention is the cache's host name and a number",
    )
    .option("--secret <file>", "where to write the secret key (default NAME.secret)")
    .option("--public <file>", "where to write the public key (default NAME.public)")
    .action((opts: { name: string; secret?: string; public?: string }) => {
      const pair = generateKeyPair(opts.name);
      const secretFile = opts.secret ?? `${opts.name}.secret`;
      const publicFile = opts.public ?? `${opts.name}.public`;
      writeNew(secretFile, pair.secret, 0o600);
      writeNew(publicFile, pair.public, 0o644);
      process.stderr.write(`wrote ${secretFile} (keep it secret) and ${publicFile}\n`);
      process.stdout.write(`${pair.public}\n`);
    });
  key
    .command("public")
    .description(
      "Print the public key of a secret key file (or of standard input), as nix key convert-secret-to-public does.",
    )
    .argument("[file]", "the secret key file (default: standard input)")
    .action((file: string | undefined) => {
      let text: string;
      try {
        text = readFileSync(file ?? 0, "utf8");
      } catch (e) {
        throw new XpkgsError(
          `Cannot read the secret key ${file ?? "from standard input"}: ${(e as Error).message}.`,
        );
      }
      process.stdout.write(
        `${parseSecretKey(text, file === undefined ? "on standard input" : `in ${file}`).publicText}\n`,
      );
    });
}
