/** Bundles as .tar.gz files, with the system's tar: written whole and renamed into place, and read back. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { XpkgsError } from "../errors.js";
import { manifestName } from "./bundle.js";

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

/** Unpacks a bundle made with `xpkgs bundle -o` into `into`; returns its folder. */
export function extractBundle(tarball: string, into: string): string {
  const r = spawnSync("tar", ["-xzf", tarball, "-C", into, "--no-same-owner"], {
    encoding: "utf8",
  });
  if (r.error !== undefined || r.status !== 0) {
    throw new XpkgsError(
      `cannot unpack ${tarball}: ${r.error?.message ?? (r.stderr ?? "").trim()}. Is it a .tar.gz made by xpkgs bundle -o?`,
    );
  }
  const tops = readdirSync(into).filter((n) => existsSync(join(into, n, manifestName)));
  if (tops.length !== 1) {
    throw new XpkgsError(
      `${tarball} is not a bundle: it should hold one folder with ${manifestName} (xpkgs bundle -o makes such files).`,
    );
  }
  return join(into, tops[0]!);
}
