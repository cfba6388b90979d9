// patchelf 0.14.3's own test suite, from Debian's source package, run unchanged through its
// own `make check`, with xpkgs patchelf in the place of the patchelf binary its tests call
// (scripts/patchelf-suite.sh builds a small ELF wrapper as ../src/patchelf). Every test must
// pass; a test that passes without calling patchelf, or that skips itself here, is named as
// such and not counted as a pass of ours.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { expandUrl } from "../build/mirrors.js";

const url = "mirror://debian/pool/main/p/patchelf/patchelf_0.14.3.orig.tar.gz";
const sha256 = "827a8ca914c69413f1ca0d967a637980a24edf000a938531a77e663317c853bb";
/** The suite's tests that never run patchelf, and why. */
const withoutPatchelf: Record<string, RegExp> = {
  "plain-fail": /cannot open shared object file/, // ./main fails without LD_LIBRARY_PATH
  "plain-run": /Result is 46/, // and runs with it: the build's own checks
  "set-rpath-rel-map": /No MIPS_RLD_MAP_REL dynamic section entry, skipping/, // MIPS only
};

async function tarball(): Promise<string> {
  const dir = join(process.env.XPKGS_E2E_CACHE ?? join(tmpdir(), "xpkgs-e2e-cache"), "suites");
  const file = join(dir, `sha256-${sha256}-patchelf_0.14.3.orig.tar.gz`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const errors: string[] = [];
  for (const u of expandUrl(url)) {
    try {
      const res = await fetch(u, { signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const got = createHash("sha256").update(bytes).digest("hex");
      if (got !== sha256) throw new Error(`sha256 ${got}, not the pinned ${sha256}`);
      writeFileSync(`${file}.part`, bytes);
      renameSync(`${file}.part`, file);
      return file;
    } catch (e) {
      errors.push(`${u}: ${(e as Error).message}`);
    }
  }
  throw new Error(`cannot fetch patchelf's source: ${errors.join("; ")}`);
}

describe("patchelf 0.14.3's own test suite", () => {
  const work = mkdtempSync(join(tmpdir(), "xpkgs-patchelf-suite-"));
  after(() => rmSync(work, { recursive: true, force: true }));

  it("passes every test through its own make check, each one that should calling xpkgs patchelf", async () => {
    const src = await tarball();
    const r = spawnSync("bash", ["scripts/patchelf-suite.sh", src, join(work, "w")], {
      encoding: "utf8",
      timeout: 15 * 60_000,
    });
    const make = (() => {
      try {
        return readFileSync(join(work, "w", "make-check.log"), "utf8").slice(-3000);
      } catch {
        return "";
      }
    })();
    assert.equal(r.status, 0, `make check failed:\n${r.stdout}\n${r.stderr}\n${make}`);
    const results = r.stdout
      .split("\n")
      .filter((l) => /^[A-Z]+ \S+ \d+$/.test(l))
      .map((l) => {
        const [result, name, calls] = l.split(" ");
        return { result: result!, name: name!, calls: Number(calls) };
      });
    assert.match(r.stdout, /^# TOTAL: 44$/m);
    assert.match(r.stdout, /^# PASS: {2}44$/m);
    assert.equal(results.length, 44, r.stdout);
    for (const t of results) {
      assert.equal(t.result, "PASS", `${t.name}: ${t.result}`);
      const log = readFileSync(
        join(work, "w", "patchelf-0.14.3", "tests", `${t.name}.sh.log`),
        "utf8",
      );
      if (t.name in withoutPatchelf) {
        assert.equal(t.calls, 0, `${t.name} was expected not to call patchelf`);
        assert.match(log.trim(), withoutPatchelf[t.name]!, t.name);
      } else {
        assert.ok(t.calls > 0, `${t.name} passed without calling patchelf`);
      }
    }
    const ours = results.filter((t) => !(t.name in withoutPatchelf)).length;
    console.log(
      `patchelf 0.14.3 suite: ${ours} tests passed calling xpkgs patchelf; ` +
        `${Object.keys(withoutPatchelf).join(", ")} pass without calling it (no patchelf, or MIPS only)`,
    );
  });
});
