// Host tools are data from dpkg's database: their versions enter the derivations that use
// them, and what is missing is named with the apt line that installs it.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hostPackagesMessage } from "../build/host-requirements.js";
import { unmetRequirements } from "../host/debian-packages.js";
import { buildMachinePlatform } from "../systems/elaborate.js";
import { PackageUniverse } from "./top-level.js";

const saved = { dpkg: process.env.XPKGS_DPKG_DIR, cache: process.env.XPKGS_CACHE_DIR };
after(() => {
  for (const [k, v] of [
    ["XPKGS_DPKG_DIR", saved.dpkg],
    ["XPKGS_CACHE_DIR", saved.cache],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** A dpkg database with these packages installed (name → version), each shipping /usr/bin/<name>. */
function fakeDpkg(packages: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "xpkgs-dpkg-"));
  mkdirSync(join(dir, "info"));
  const stanzas = Object.entries(packages).map(
    ([name, version]) =>
      `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`,
  );
  stanzas.push("Package: removed-one\nStatus: deinstall ok config-files\nVersion: 1.0\n");
  writeFileSync(join(dir, "status"), stanzas.join("\n"));
  for (const name of Object.keys(packages))
    writeFileSync(join(dir, "info", `${name}.list`), `/.\n/usr\n/usr/bin\n/usr/bin/${name}\n`);
  return dir;
}

function libpcapDrv(dpkgDir: string): { drvPath: string; bison: string } {
  process.env.XPKGS_DPKG_DIR = dpkgDir;
  process.env.XPKGS_CACHE_DIR = mkdtempSync(join(tmpdir(), "xpkgs-cache-"));
  const u = new PackageUniverse(buildMachinePlatform(), "/xpkgs/store");
  const pcap = u.resolve("pkgsCross.aarch64-multiplatform.pkgsStatic.libpcap");
  const bison = u.resolve("bison");
  return { drvPath: pcap.drvPath, bison: bison.drv.env.requiredDebianPackages! };
}

describe("host tools", () => {
  it("record their Debian versions, so upgrading bison changes what uses it", () => {
    const base = { bash: "5.2.15-2+b7", coreutils: "9.1-1", flex: "2.6.4-8.2" };
    const a = libpcapDrv(fakeDpkg({ ...base, bison: "2:3.8.2+dfsg-1+b1" }));
    const b = libpcapDrv(fakeDpkg({ ...base, bison: "2:3.8.3-1" }));
    const again = libpcapDrv(fakeDpkg({ ...base, bison: "2:3.8.2+dfsg-1+b1" }));
    assert.equal(a.bison, "bison=2:3.8.2+dfsg-1+b1");
    assert.equal(b.bison, "bison=2:3.8.3-1");
    assert.notEqual(a.drvPath, b.drvPath);
    assert.equal(a.drvPath, again.drvPath);
    // Not installed at all: evaluation still works, and says so.
    const none = libpcapDrv(fakeDpkg(base));
    assert.equal(none.bison, "bison=not-installed");
  });

  it("name what is missing or changed, with the apt line", () => {
    process.env.XPKGS_DPKG_DIR = fakeDpkg({ bison: "2:3.8.2", flex: "2.6.4" });
    const unmet = unmetRequirements("bison=2:3.8.2 flex=2.6.3 gperf=3.1 removed-one=1.0");
    assert.deepEqual(unmet, [
      { name: "flex", wanted: "2.6.3", installed: "2.6.4" },
      { name: "gperf", wanted: "3.1", installed: null },
      { name: "removed-one", wanted: "1.0", installed: null },
    ]);
    const message = hostPackagesMessage(unmet, ["libpcap-1.10.3"]).message;
    assert.match(
      message,
      /^libpcap-1\.10\.3 needs Debian packages that this machine does not have: gperf, removed-one\. Install them first \(as root\): apt-get install gperf removed-one/,
    );
    assert.match(
      message,
      /flex is installed at 2\.6\.4, not 2\.6\.3: the derivations were evaluated against other versions/,
    );
  });
});
