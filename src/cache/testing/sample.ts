/** For the cache tests: a closure of two small store paths, built in the sandbox. */
import assert from "node:assert/strict";
import { makeTestStore, shellDerivation, type TestStore } from "../../build/testing.js";
import { runCliAsync } from "../../cli/testing.js";

export interface SamplePair {
  t: TestStore;
  /** A library folder (a file, a symlink, 300 kB of zeros) and a program that refers to it. */
  lib: { drvPath: string; out: string };
  app: { drvPath: string; out: string };
}

export async function buildSamplePair(name: string): Promise<SamplePair> {
  const t = makeTestStore();
  const lib = t.add(
    shellDerivation(
      `${name}lib`,
      `mkdir -p $out/lib; echo hello > $out/lib/data; ln -s data $out/lib/link; head -c 300000 /dev/zero > $out/lib/zeros`,
    ),
  );
  const app = t.add(
    shellDerivation(
      `${name}app`,
      `mkdir -p $out/bin; printf '#!/bin/sh\\ncat %s/lib/data\\n' "$lib" > $out/bin/app; chmod +x $out/bin/app`,
      { inputs: { lib } },
    ),
  );
  const r = await runCliAsync(["build", "--no-out-link", app.drvPath], t.env);
  assert.equal(r.status, 0, r.stderr);
  return { t, lib, app };
}
