/** A bundle folder as a .tar.gz, written with the system's tar and renamed into place when complete. */
import { spawnSync } from "node:child_process";
import { renameSync, rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import { XpkgsError } from "../errors.js";

/** Writes `dir` (its folder name first in every member) to `out`, owned by root, mtime 0, sorted. */
export function writeTarball(dir: string, out: string): void {
  const tmp = `${out}.xpkgs-partial-${process.pid}`;
  const r = spawnSync(
    "tar",
    [
      "--sort=name",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--mtime=@0",
      "-C",
      dirname(dir),
      "-czf",
      tmp,
      basename(dir),
    ],
    { encoding: "utf8" },
  );
  if (r.error !== undefined || r.status !== 0) {
    rmSync(tmp, { force: true });
    throw new XpkgsError(
      `cannot write ${out}: tar ${r.error?.message ?? `failed: ${(r.stderr ?? "").trim()}`}`,
    );
  }
  renameSync(tmp, out);
}
