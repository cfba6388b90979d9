/**
 * The store's database: which paths are valid, their NAR hash and size, what
 * they refer to, and which derivation made them. SQLite, as in Nix, in WAL
 * mode so that several xpkgs processes can read while one writes.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

export interface PathInfo {
  path: string;
  /** `sha256:<nix32>`, as Nix stores it. */
  narHash: string;
  narSize: number;
  references: string[];
  deriver: string | null;
  registrationTime: number;
  /** Content address of fixed outputs (`fixed:r:sha256:…`), when known. */
  ca: string | null;
  /** Signatures (`name:base64`) the path came with from a cache, or was given. */
  sigs: string[];
}

export type NewPathInfo = Omit<PathInfo, "registrationTime" | "sigs"> & { sigs?: string[] };

const schema = `
CREATE TABLE IF NOT EXISTS ValidPaths (
  id               INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  path             TEXT UNIQUE NOT NULL,
  narHash          TEXT NOT NULL,
  narSize          INTEGER NOT NULL,
  deriver          TEXT,
  registrationTime INTEGER NOT NULL,
  ca               TEXT,
  sigs             TEXT
);
CREATE TABLE IF NOT EXISTS Refs (
  referrer  INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE CASCADE,
  reference INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE RESTRICT,
  PRIMARY KEY (referrer, reference)
);
CREATE INDEX IF NOT EXISTS IndexReference ON Refs(reference);
CREATE TABLE IF NOT EXISTS DerivationOutputs (
  drv  INTEGER NOT NULL REFERENCES ValidPaths(id) ON DELETE CASCADE,
  id   TEXT NOT NULL,
  path TEXT NOT NULL,
  PRIMARY KEY (drv, id)
);
CREATE INDEX IF NOT EXISTS IndexDerivationOutputs ON DerivationOutputs(path);
`;

export class StoreDb {
  readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file, { timeout: 60_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
    this.db.exec(schema);
    // Stores made before signatures were kept.
    const cols = this.db.pragma("table_info(ValidPaths)") as { name: string }[];
    if (!cols.some((c) => c.name === "sigs"))
      this.db.exec("ALTER TABLE ValidPaths ADD COLUMN sigs TEXT");
    this.stmts = {
      get: this.db.prepare<
        [string],
        {
          id: number;
          path: string;
          narHash: string;
          narSize: number;
          deriver: string | null;
          registrationTime: number;
          ca: string | null;
          sigs: string | null;
        }
      >("SELECT * FROM ValidPaths WHERE path = ?"),
      refs: this.db.prepare<[number], { path: string }>(
        "SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = ? ORDER BY v.path",
      ),
      referrers: this.db.prepare<[string], { path: string }>(
        "SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.referrer JOIN ValidPaths t ON t.id = r.reference WHERE t.path = ?",
      ),
      insert: this.db.prepare(
        "INSERT INTO ValidPaths (path, narHash, narSize, deriver, registrationTime, ca, sigs) VALUES (?, ?, ?, ?, ?, ?, ?) " +
          "ON CONFLICT(path) DO UPDATE SET narHash = excluded.narHash, narSize = excluded.narSize, " +
          "deriver = excluded.deriver, ca = excluded.ca, sigs = excluded.sigs",
      ),
      idOf: this.db.prepare<[string], { id: number }>("SELECT id FROM ValidPaths WHERE path = ?"),
      addRef: this.db.prepare("INSERT OR IGNORE INTO Refs (referrer, reference) VALUES (?, ?)"),
      addOutput: this.db.prepare(
        "INSERT OR REPLACE INTO DerivationOutputs (drv, id, path) VALUES (?, ?, ?)",
      ),
      all: this.db.prepare<[], { path: string }>("SELECT path FROM ValidPaths ORDER BY path"),
      delete: this.db.prepare("DELETE FROM ValidPaths WHERE path = ?"),
      byPrefix: this.db.prepare<[string, string], { path: string }>(
        "SELECT path FROM ValidPaths WHERE path >= ? AND path < ? LIMIT 1",
      ),
    };
  }

  close(): void {
    this.db.close();
  }

  isValid(path: string): boolean {
    return this.stmts.idOf.get(path) !== undefined;
  }

  info(path: string): PathInfo | null {
    const row = this.stmts.get.get(path);
    if (row === undefined) return null;
    return {
      path: row.path,
      narHash: row.narHash,
      narSize: row.narSize,
      deriver: row.deriver,
      registrationTime: row.registrationTime,
      ca: row.ca,
      sigs: row.sigs === null || row.sigs === "" ? [] : row.sigs.split(" "),
      references: this.stmts.refs.all(row.id).map((r) => r.path),
    };
  }

  referrers(path: string): string[] {
    return this.stmts.referrers.all(path).map((r) => r.path);
  }

  /** The valid path whose base name starts with `hashPart`, or null. */
  pathByHashPart(storeDir: string, hashPart: string): string | null {
    const prefix = `${storeDir}/${hashPart}-`;
    // "-" + 1 is ".": every path with the prefix sorts between the two.
    return this.stmts.byPrefix.get(prefix, `${storeDir}/${hashPart}.`)?.path ?? null;
  }

  allValidPaths(): string[] {
    return this.stmts.all.all().map((r) => r.path);
  }

  /**
   * Register paths in one transaction. References must be valid already or
   * be among `infos` (a path may refer to itself).
   */
  register(
    infos: NewPathInfo[],
    drvOutputs?: { drvPath: string; outputs: Record<string, string> },
  ): void {
    const now = Math.floor(Date.now() / 1000);
    this.db.transaction(() => {
      for (const i of infos)
        this.stmts.insert.run(
          i.path,
          i.narHash,
          i.narSize,
          i.deriver,
          now,
          i.ca,
          (i.sigs ?? []).join(" "),
        );
      for (const i of infos) {
        const id = this.stmts.idOf.get(i.path)!.id;
        for (const ref of i.references) {
          const refId = this.stmts.idOf.get(ref);
          if (refId === undefined)
            throw new Error(`registering ${i.path}: its reference ${ref} is not valid`);
          this.stmts.addRef.run(id, refId.id);
        }
      }
      if (drvOutputs !== undefined) {
        const drvId = this.stmts.idOf.get(drvOutputs.drvPath);
        if (drvId !== undefined) {
          for (const [id, path] of Object.entries(drvOutputs.outputs))
            this.stmts.addOutput.run(drvId.id, id, path);
        }
      }
    })();
  }

  /** Forget paths, referrers before references. */
  invalidate(paths: string[]): void {
    this.db.transaction(() => {
      // The set may hold referrers and references in any order; check at commit.
      this.db.pragma("defer_foreign_keys = ON");
      for (const p of paths) this.stmts.delete.run(p);
    })();
  }
}
