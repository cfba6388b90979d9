// The proof: a hand-written fetchurl of GNU hello from mirror://debian,
// and a derivation that unpacks it and runs configure && make with host gcc,
// built for real in the sandbox.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCliAsync } from "../cli/testing.js";
import { fetchurl } from "../pkgs/fetchurl.js";
import { makeTestStore, shellDerivation } from "./testing.js";

describe("GNU hello from the Debian archive", () => {
  it("fetches, configures, makes, installs and runs", async () => {
    const t = makeTestStore();
    const src = t.add(
      fetchurl({
        url: "mirror://debian/pool/main/h/hello/hello_2.10.orig.tar.gz",
        name: "hello-2.10.tar.gz",
        hash: "sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b",
      }),
    );
    const hello = t.add(
      shellDerivation(
        "hello-2.10",
        `tar xzf "$src"; cd hello-2.10; ./configure --prefix="$out" --disable-nls; make -j"$NIX_BUILD_CORES"; make install`,
        { inputs: { src } },
      ),
    );
    const r = await runCliAsync(["build", hello.drvPath], t.env, t.root);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /fetched hello-2\.10\.tar\.gz/);
    assert.equal(readlinkSync(join(t.root, "result")), hello.out);
    const out = execFileSync(
      join(t.root, "result", "bin", "hello"),
      ["--greeting=built by xpkgs"],
      { encoding: "utf8" },
    );
    assert.equal(out, "built by xpkgs\n");
    // The tarball is an input, not a reference; the binary refers to its own prefix (localedir).
    assert.deepEqual(t.store.info(hello.out)!.references, [hello.out]);
    const again = await runCliAsync(["build", "--no-out-link", hello.drvPath], t.env);
    assert.equal(again.status, 0);
    assert.doesNotMatch(again.stderr, /building|fetching/);
  });
});
