// Derivations hashed exactly as Nix hashes them: every vector here was
// computed by Nix 2.8 (scripts/gen-nix-vectors.mjs) on a store directory that
// is not /nix/store.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { sha256 } from "../store/hash.js";
import { makeTextPath } from "../store/store-path.js";
import { parseDerivation, unparseDerivation } from "./aterm.js";
import type { Derivation } from "./derivation.js";
import { drvNameOfPath } from "./drv-file.js";
import { DerivationHasher } from "./hash.js";
import { derivationFromJson, derivationToJson } from "./json.js";

interface Vectors {
  storeDir: string;
  vectors: { name: string; drvPath: string; outputs: Record<string, string> }[];
  files: Record<string, string>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../../test/vectors/nix-derivations.json", import.meta.url), "utf8"),
) as Vectors;
const { storeDir, files } = vectors;

function loadFromVectors(drvPath: string): Derivation {
  const text = files[drvPath];
  if (text === undefined) throw new Error(`vector store has no ${drvPath}`);
  return parseDerivation(text, drvNameOfPath(drvPath), drvPath);
}

/** The derivation as a user would give it: output paths and output env entries blank. */
function blanked(drv: Derivation): Derivation {
  const outputs = Object.fromEntries(
    Object.entries(drv.outputs).map(([id, o]) => [id, { ...o, path: "" }]),
  );
  const env = { ...drv.env };
  for (const id of Object.keys(outputs)) env[id] = "";
  return { ...drv, outputs, env };
}

describe("store paths and .drv text agree with Nix", () => {
  it("has at least 20 vectors, covering every kind of derivation", () => {
    assert.ok(vectors.vectors.length >= 20);
    assert.notEqual(storeDir, "/nix/store");
    const drvs = vectors.vectors.map((v) => loadFromVectors(v.drvPath));
    assert.ok(
      drvs.some((d) => Object.keys(d.outputs).length > 1),
      "multi-output",
    );
    assert.ok(
      drvs.some((d) => d.outputs.out?.hashAlgo.startsWith("r:")),
      "recursive FOD",
    );
    assert.ok(
      drvs.some((d) => d.outputs.out?.hashAlgo === "sha256"),
      "flat FOD",
    );
    assert.ok(
      drvs.some((d) => Object.keys(d.inputDrvs).length > 0),
      "dependent",
    );
    assert.ok(
      drvs.some((d) => d.inputSrcs.length > 0),
      "input sources",
    );
  });

  for (const v of vectors.vectors) {
    it(`computes ${v.name} as Nix does`, () => {
      const nixText = files[v.drvPath]!;
      const parsed = loadFromVectors(v.drvPath);
      // Parsing then writing gives Nix's bytes back.
      assert.equal(unparseDerivation(parsed), nixText);
      // From blank outputs, our hashing finds Nix's output paths, .drv text and .drv path.
      const hasher = new DerivationHasher(storeDir, loadFromVectors);
      const { drv, drvPath, text } = hasher.finalize(blanked(parsed));
      assert.deepEqual(
        Object.fromEntries(Object.entries(drv.outputs).map(([id, o]) => [id, o.path])),
        v.outputs,
      );
      assert.equal(text, nixText);
      assert.equal(drvPath, v.drvPath);
    });

    it(`round-trips ${v.name} through show-derivation JSON`, () => {
      const parsed = loadFromVectors(v.drvPath);
      const json = JSON.parse(JSON.stringify({ [v.drvPath]: derivationToJson(parsed) }));
      const back = derivationFromJson(json);
      const { drvPath } = new DerivationHasher(storeDir, loadFromVectors).finalize(blanked(back));
      assert.equal(drvPath, v.drvPath);
    });
  }

  it("names builtins.toFile's text path as Nix does", () => {
    const sources = Object.keys(files).filter((p) => !p.endsWith(".drv"));
    assert.ok(sources.length > 0);
    for (const p of sources) {
      const name = p.slice(storeDir.length + 34);
      assert.equal(makeTextPath(name, sha256(files[p]!), [], storeDir), p);
    }
  });

  it("gives the same output path to derivations whose fixed-output inputs share a hash", () => {
    const byName = Object.fromEntries(vectors.vectors.map((v) => [v.name, v]));
    const a = byName["dep-on-fod"]!;
    const b = byName["dep-on-fod-same-hash"]!;
    assert.equal(a.outputs.out, b.outputs.out);
    assert.notEqual(a.drvPath, b.drvPath);
  });

  it("rejects an output path that does not match the inputs", () => {
    const v = vectors.vectors.find((x) => x.name === "plain")!;
    const parsed = loadFromVectors(v.drvPath);
    const wrong = blanked(parsed);
    wrong.outputs.out!.path = `${storeDir}/00000000000000000000000000000000-plain`;
    assert.throws(
      () => new DerivationHasher(storeDir, loadFromVectors).finalize(wrong),
      /its inputs hash to/,
    );
  });
});
