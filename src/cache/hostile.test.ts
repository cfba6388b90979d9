// A cache is input from the network: each way a hostile or broken cache can lie is refused
// with a message that names it, and nothing is registered or left in the store.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Store } from "../store/store.js";
import { nix32Encode } from "../store/nix32.js";
import {
  fingerprint,
  generateKeyPair,
  parsePublicKey,
  parseSecretKey,
  signText,
} from "./signing.js";
import { Substituters, substitutePaths } from "./substitute.js";

function narOf(...tokens: (string | number)[]): Buffer {
  const parts: Buffer[] = [];
  for (const t of tokens) {
    const b = Buffer.alloc(8);
    if (typeof t === "number") {
      b.writeBigUInt64LE(BigInt(t));
      parts.push(b);
      continue;
    }
    const bytes = Buffer.from(t);
    b.writeBigUInt64LE(BigInt(bytes.length));
    parts.push(b, bytes, Buffer.alloc((8 - (bytes.length % 8)) % 8));
  }
  return Buffer.concat(parts);
}
const fileNar = (text: string) =>
  narOf("nix-archive-1", "(", "type", "regular", "contents", text, ")");
const dirNar = (...names: string[]) =>
  narOf(
    "nix-archive-1",
    "(",
    "type",
    "directory",
    ...names.flatMap((n) => [
      "entry",
      "(",
      "name",
      n,
      "node",
      "(",
      "type",
      "regular",
      "contents",
      "x",
      ")",
      ")",
    ]),
    ")",
  );

const root = mkdtempSync(join(tmpdir(), "xpkgs-hostile-"));
const storeDir = join(root, "store");
const key = generateKeyPair("good-1");
const stranger = generateKeyPair("stranger-1");
const hashOf = (b: Buffer) => `sha256:${nix32Encode(createHash("sha256").update(b).digest())}`;
let n = 0;

interface Entry {
  name: string;
  nar: Buffer;
  /** Narinfo fields to change after it is made and signed (a Sig change comes last). */
  edit?: (f: Record<string, string>) => void;
  signer?: string | null;
  references?: string[];
}

/** A cache dir holding the given paths, each with a hand-written narinfo and NAR. */
function cacheOf(entries: Entry[]): { url: string; paths: string[] } {
  const dir = join(root, `cache-${n++}`);
  mkdirSync(join(dir, "nar"), { recursive: true });
  writeFileSync(
    join(dir, "nix-cache-info"),
    `StoreDir: ${storeDir}\nWantMassQuery: 1\nPriority: 40\n`,
  );
  const paths: string[] = [];
  for (const e of entries) {
    const hashPart = nix32Encode(createHash("sha256").update(e.name).digest()).slice(0, 32);
    const path = `${storeDir}/${hashPart}-${e.name}`;
    paths.push(path);
    const narHash = hashOf(e.nar);
    const url = `nar/${narHash.slice(7)}.nar`;
    writeFileSync(join(dir, url), e.nar);
    const refs = e.references ?? [];
    const f: Record<string, string> = {
      StorePath: path,
      URL: url,
      Compression: "none",
      FileHash: narHash,
      FileSize: String(e.nar.length),
      NarHash: narHash,
      NarSize: String(e.nar.length),
      References: refs.map((r) => r.slice(storeDir.length + 1)).join(" "),
    };
    const signer = e.signer === undefined ? key.secret : e.signer;
    if (signer !== null)
      f.Sig = signText(parseSecretKey(signer), fingerprint(path, narHash, e.nar.length, refs));
    e.edit?.(f);
    writeFileSync(
      join(dir, `${hashPart}.narinfo`),
      Object.entries(f)
        .map(([k, v]) => `${k}: ${v}\n`)
        .join(""),
    );
  }
  return { url: `file://${dir}`, paths };
}

async function refused(
  entries: Entry[],
  why: RegExp,
  opts: { requireSigs?: boolean; ask?: number } = {},
): Promise<void> {
  const { url, paths } = cacheOf(entries);
  const stateDir = join(root, `state-${n++}`);
  const store = new Store({ storeDir, stateDir });
  try {
    const subs = new Substituters(
      [url],
      [parsePublicKey(key.public)],
      opts.requireSigs ?? true,
      storeDir,
      () => {},
    );
    await assert.rejects(substitutePaths(store, subs, [paths[opts.ask ?? 0]!]), (e: Error) => {
      assert.match(e.message, why);
      return true;
    });
    assert.deepEqual(store.db.allValidPaths(), [], "nothing registered");
    assert.deepEqual(readdirSync(storeDir), [], "nothing left in the store dir");
  } finally {
    store.close();
  }
}

describe("a hostile cache", () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it("is believed when all is well (the control case)", async () => {
    const { url, paths } = cacheOf([{ name: "fine", nar: fileNar("ok\n") }]);
    const store = new Store({ storeDir, stateDir: join(root, "state-ok") });
    try {
      const subs = new Substituters([url], [parsePublicKey(key.public)], true, storeDir, () => {});
      assert.deepEqual(await substitutePaths(store, subs, paths), paths);
      assert.ok(store.isValid(paths[0]!));
      store.db.invalidate(paths);
      rmSync(paths[0]!, { force: true });
    } finally {
      store.close();
    }
  });

  it("unsigned, or signed by a key not trusted: refused unless require-sigs is off", async () => {
    await refused([{ name: "unsigned", nar: fileNar("x"), signer: null }], /is not signed/);
    await refused(
      [{ name: "stranger", nar: fileNar("x"), signer: stranger.secret }],
      /no valid signature by a trusted key \(signed by stranger-1; trusted: good-1\)/,
    );
    // A good key's name on a signature made with another key.
    await refused(
      [
        {
          name: "forged",
          nar: fileNar("x"),
          signer: stranger.secret.replace("stranger-1", "good-1"),
        },
      ],
      /no valid signature/,
    );
    const { url, paths } = cacheOf([{ name: "unsigned-ok", nar: fileNar("x"), signer: null }]);
    const store = new Store({ storeDir, stateDir: join(root, "state-nosigs") });
    try {
      const subs = new Substituters([url], [], false, storeDir, () => {});
      assert.equal((await substitutePaths(store, subs, paths)).length, 1);
      store.db.invalidate(paths);
      rmSync(paths[0]!, { force: true });
    } finally {
      store.close();
    }
  });

  it("NarHash, NarSize, FileHash or FileSize that do not match what arrived", async () => {
    const other = hashOf(Buffer.from("something else"));
    // Signed after the edit where the edit is in the fingerprint, so only the check can catch it.
    const resign = (f: Record<string, string>) => {
      f.Sig = signText(
        parseSecretKey(key.secret),
        fingerprint(f.StorePath!, f.NarHash!, Number(f.NarSize), []),
      );
    };
    await refused(
      [
        {
          name: "narhash",
          nar: fileNar("x"),
          edit: (f) => {
            f.NarHash = other;
            resign(f);
          },
        },
      ],
      /hashes to .*its narinfo declares .* \(NarHash\)/,
    );
    await refused(
      [
        {
          name: "narsize-small",
          nar: fileNar("xxxxxxxxxxxxxxxx"),
          edit: (f) => {
            f.NarSize = String(Number(f.NarSize) - 8);
            resign(f);
          },
        },
      ],
      /larger than the \d+ bytes its narinfo declares \(NarSize\)/,
    );
    await refused(
      [
        {
          name: "narsize-big",
          nar: fileNar("x"),
          edit: (f) => {
            f.NarSize = String(Number(f.NarSize) + 8);
            resign(f);
          },
        },
      ],
      /declares \d+ \(NarSize\)/,
    );
    await refused(
      [
        {
          name: "filehash",
          nar: fileNar("x"),
          edit: (f) => {
            f.FileHash = other;
          },
        },
      ],
      /\(FileHash\)/,
    );
    await refused(
      [
        {
          name: "filesize-small",
          nar: fileNar("x"),
          edit: (f) => {
            f.FileSize = "10";
          },
        },
      ],
      /larger than the 10 bytes its narinfo declares \(FileSize\)/,
    );
    await refused(
      [
        {
          name: "filesize-big",
          nar: fileNar("x"),
          edit: (f) => {
            f.FileSize = "100000";
          },
        },
      ],
      /its narinfo declares 100000 \(FileSize\)/,
    );
  });

  it("NARs with bad names, entries out of order or twice, a file larger than declared, truncated", async () => {
    await refused([{ name: "dotdot", nar: dirNar("..") }], /entry named '\.\.'/);
    await refused([{ name: "slash", nar: dirNar("a/b") }], /entry named 'a\/b'/);
    await refused([{ name: "empty", nar: dirNar("") }], /entry named ''/);
    await refused([{ name: "order", nar: dirNar("b", "a") }], /out of order or twice/);
    await refused([{ name: "twice", nar: dirNar("a", "a") }], /out of order or twice/);
    const big = narOf("nix-archive-1", "(", "type", "regular", "contents", 5000);
    await refused([{ name: "big", nar: Buffer.concat([big, Buffer.alloc(64)]) }], /truncated/);
    const full = fileNar("hello world");
    await refused([{ name: "truncated", nar: full.subarray(0, full.length - 16) }], /truncated/);
  });

  it("a narinfo for another path than the one asked for", async () => {
    await refused(
      [
        {
          name: "asked",
          nar: fileNar("x"),
          edit: (f) => {
            f.StorePath = `${storeDir}/${"b".repeat(32)}-other`;
          },
        },
      ],
      /is for .*-other, not for .*-asked/,
    );
  });

  it("a reference the cache cannot provide", async () => {
    const missing = `${storeDir}/${"c".repeat(32)}-gone`;
    await refused(
      [{ name: "needs-gone", nar: fileNar("x"), references: [missing] }],
      /No substituter \(file:.*\) has .*-gone/,
    );
  });

  it("a download without FileSize that outgrows any compression of its NarSize", async () => {
    const nar = fileNar("x");
    // Declared NarSize 88 bytes, xz, no FileSize or FileHash: 3 MiB arrive.
    await refused(
      [
        {
          name: "bomb",
          nar: Buffer.alloc(3 << 20, 1),
          edit: (f) => {
            delete f.FileSize;
            delete f.FileHash;
            f.Compression = "xz";
            f.NarSize = String(nar.length);
            f.Sig = signText(
              parseSecretKey(key.secret),
              fingerprint(f.StorePath!, f.NarHash!, nar.length, []),
            );
          },
        },
      ],
      /larger than any compression of a \d+-byte NAR/,
    );
  });
});
