/**
 * The serve-protocol client and the remote build against Nix 2.8 itself:
 * `nix-store --serve --write` on a chroot store of its own (no SSH here; the
 * e2e test adds SSH, network namespaces and failures).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildDerivation } from "../build/builder.js";
import { DerivationCache } from "../build/scheduler.js";
import { makeTestStore, shellDerivation } from "../build/testing.js";
import { narHashOf } from "../store/nar.js";
import { buildRemotely } from "./remote-build.js";
import { localNixBuilder } from "./testing/nix-builder.js";

describe("serve protocol against nix-store --serve --write", () => {
  const t = makeTestStore();
  const builder = localNixBuilder(t.store.storeDir);
  const drvs = new DerivationCache();
  // What the sandbox shows a build: the same here and in Nix's, or remote outputs differ.
  const envProbe =
    'echo "$(hostname) $(id -u):$(id -g) $(id -un) $HOME $TMPDIR $NIX_BUILD_TOP $TMP $TEMP $TEMPDIR $(pwd) $NIX_STORE $TERM"; ' +
    "cat /etc/passwd /etc/group /etc/hosts; umask; test -w /tmp && echo tmp-writable; ls -d /build";
  const dep = t.add(
    shellDerivation(
      "dep",
      `mkdir -p $out/bin; printf '#!/bin/sh\\necho dep\\n' > $out/bin/dep; chmod +x $out/bin/dep`,
    ),
  );
  const top = t.add(
    shellDerivation(
      "top",
      `mkdir $out; { ${envProbe}; } > $out/env; ln -s $dep/bin/dep $out/dep; $dep/bin/dep > $out/ran`,
      {
        inputs: { dep },
      },
    ),
  );
  before(async () => {
    await buildDerivation(t.store, dep.drvPath, drvs.load(dep.drvPath), drvs.load, { cores: 1 });
  });
  after(() => builder.stop());

  it("builds a derivation remotely: inputs sent, outputs fetched, checked and registered", async () => {
    const lines: string[] = [];
    const client = await builder.open((l) => lines.push(l));
    let sent = -1;
    try {
      assert.equal(client.remoteVersion >> 8, 2);
      await buildRemotely(t.store, client, top.drvPath, drvs.load(top.drvPath), drvs.load, {
        machine: "local-nix",
        useSubstitutes: false,
        onInputsSent: (n) => (sent = n),
      });
    } finally {
      await client.close();
    }
    assert.equal(sent, 1, "the one input path the builder lacked was sent");
    const info = t.store.info(top.out);
    assert.ok(info !== null, "the output is registered");
    assert.deepEqual(info.references, [dep.out]);
    assert.equal(info.deriver, top.drvPath);
    assert.equal(readFileSync(join(top.out, "ran"), "utf8"), "dep\n");
    assert.equal(info.narHash, `sha256:${narHashOf(top.out).narHash.nix32}`);
    const log = readFileSync(
      join(t.store.stateDir, "log", `${top.drvPath.split("/").pop()}.log`),
      "utf8",
    );
    assert.match(log, /building .* on local-nix/);
  });

  it("gives the same NAR hash as our own sandbox (same environment)", async () => {
    const keep = mkdtempSync(join(t.store.storeDir, ".tmp-check-"));
    await buildDerivation(t.store, top.drvPath, drvs.load(top.drvPath), drvs.load, {
      cores: 1,
      keepOutputsIn: keep,
    });
    const local = narHashOf(join(keep, "out")).narHash.nix32;
    assert.equal(
      `sha256:${local}`,
      t.store.info(top.out)!.narHash,
      readFileSync(join(keep, "out/env"), "utf8") +
        "\n---\n" +
        readFileSync(join(top.out, "env"), "utf8"),
    );
  });

  it("answers path queries as Nix does", async () => {
    const client = await builder.open();
    try {
      const valid = await client.queryValidPaths(
        [dep.out, top.out, `${t.store.storeDir}/${"0".repeat(32)}-nothing`],
        {
          lock: false,
          substitute: false,
        },
      );
      assert.deepEqual([...valid].sort(), [dep.out, top.out].sort());
      const infos = await client.queryPathInfos([top.out]);
      assert.deepEqual(infos.get(top.out)!.references, [dep.out]);
      assert.equal(infos.get(top.out)!.narHash, t.store.info(top.out)!.narHash);
    } finally {
      await client.close();
    }
  });

  it("reports a failing build with Nix's status and the log's tail", async () => {
    const bad = t.add(shellDerivation("bad", "echo going wrong; exit 3"));
    const client = await builder.open();
    try {
      await assert.rejects(
        buildRemotely(t.store, client, bad.drvPath, drvs.load(bad.drvPath), drvs.load, {
          machine: "local-nix",
          useSubstitutes: false,
        }),
        (e: Error) =>
          /local-nix reports PermanentFailure: builder for '.*bad.drv' failed with exit code 3/.test(
            e.message,
          ) && /> going wrong/.test(e.message),
      );
    } finally {
      await client.close();
    }
    assert.equal(t.store.isValid(bad.out), false);
  });
});
