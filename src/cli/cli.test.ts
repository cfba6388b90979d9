import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseMachines } from "../remote/machines.js";
import { hostToolchainFeatures } from "../remote/toolchain-features.js";
import { builderNixConf } from "../remote/testing/nix-builder.js";
import { exampleNames } from "../systems/examples.js";
import { builderStoreUri } from "./doctor.js";
import { commandName } from "./commands.js";
import { cliPath, runCli } from "./testing.js";

const storeDir = join(mkdtempSync(join(tmpdir(), "xpkgs-cli-")), "store");
const env = { XPKGS_STORE_DIR: storeDir };

describe("xpkgs platforms", () => {
  it("lists every example, as a table and as JSON", () => {
    const table = runCli(["platforms"], env);
    assert.equal(table.status, 0, table.stderr);
    for (const name of exampleNames) assert.match(table.stdout, new RegExp(`^${name}\\s`, "m"));
    const json = runCli(["platforms", "--json"], env);
    const rows = JSON.parse(json.stdout) as { name: string; triple: string; qemu: string | null }[];
    assert.deepEqual(
      rows.map((r) => r.name),
      [...exampleNames],
    );
    const aarch64 = rows.find((r) => r.name === "aarch64-multiplatform")!;
    assert.equal(aarch64.triple, "aarch64-unknown-linux-gnu");
    assert.equal(aarch64.qemu, "qemu-aarch64-static");
  });
});

describe("xpkgs show", () => {
  const show = (attr: string) => {
    const r = runCli(["show", attr, "--json"], env);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as {
      name: string;
      drvPath: string;
      outputs: Record<string, string>;
      hostPlatform: { config: string; isStatic: boolean };
      buildPlatform: { config: string };
    };
  };
  it("names a cross, static package as Nixpkgs does, in our store", () => {
    const p = show("pkgsCross.aarch64-multiplatform.pkgsStatic.hello");
    assert.equal(p.name, "hello-static-aarch64-unknown-linux-musl-2.10");
    assert.equal(p.hostPlatform.config, "aarch64-unknown-linux-musl");
    assert.equal(p.hostPlatform.isStatic, true);
    assert.equal(p.buildPlatform.config, "x86_64-unknown-linux-gnu");
    assert.ok(p.drvPath.startsWith(`${storeDir}/`) && p.drvPath.endsWith(".drv"));
    assert.ok(p.outputs.out!.startsWith(`${storeDir}/`));
  });
  it("gives pkgsStatic.pkgsCross.X the same store paths as pkgsCross.X.pkgsStatic", () => {
    const a = show("pkgsStatic.pkgsCross.aarch64-multiplatform.hello");
    const b = show("pkgsCross.aarch64-multiplatform.pkgsStatic.hello");
    assert.equal(a.drvPath, b.drvPath);
    const native = show("hello");
    assert.equal(native.name, "hello-2.10");
    assert.notEqual(native.drvPath, a.drvPath);
  });
  it("changes every path when the store directory changes", () => {
    const other = runCli(["show", "hello", "--json"], { XPKGS_STORE_DIR: "/other/store" });
    assert.ok(
      (JSON.parse(other.stdout) as { drvPath: string }).drvPath.startsWith("/other/store/"),
    );
  });
  it("suggests names for a typo, without a stack trace", () => {
    const r = runCli(["show", "pkgsCross.aarch64-multiplatfrom.hello"], env);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^error: attribute 'aarch64-multiplatfrom' missing in 'pkgsCross'\. Did you mean 'aarch64-multiplatform'/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const pkg = runCli(["show", "pkgsStatic.helo"], env);
    assert.match(pkg.stderr, /attribute 'helo' missing in 'pkgsStatic'\. Did you mean 'hello'/);
    const debug = runCli(["--debug", "show", "pkgsStatic.helo"], env);
    assert.match(debug.stderr, /\n\s+at /);
  });
});

describe("xpkgs show-derivation", () => {
  it("prints an attribute's derivation in nix derivation show's shape", () => {
    const r = runCli(["show-derivation", "pkgsCross.riscv64.hello"], env);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as Record<
      string,
      { outputs: object; env: Record<string, string>; inputDrvs: object }
    >;
    const [drvPath, drv] = Object.entries(json)[0]!;
    assert.ok(drvPath.endsWith("-hello-riscv64-unknown-linux-gnu-2.10.drv"));
    assert.equal(drv.env.xpkgsHostPlatform, "riscv64-unknown-linux-gnu");
    assert.match(
      drv.env.configureFlags!,
      /--build=x86_64-unknown-linux-gnu --host=riscv64-unknown-linux-gnu/,
    );
    // The source, the riscv64 wrapper, the native wrapper, the base tools and qemu-user.
    assert.equal(Object.keys(drv.inputDrvs).length, 5);
    const rec = JSON.parse(runCli(["show-derivation", "-r", "hello"], env).stdout) as object;
    // hello, its source, the native compiler wrapper and the base tools.
    assert.equal(Object.keys(rec).length, 4);
  });
  it("names the byte offset of a malformed .drv file", () => {
    const file = join(storeDir, "..", "broken.drv");
    const text = 'Derive([("out","/x","","")],[],[],"sys",oops';
    writeFileSync(file, text);
    const r = runCli(["show-derivation", file], env);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /is not a valid derivation: expected '"' but found 'oops' at byte offset (\d+)/,
    );
    assert.equal(Number(/byte offset (\d+)/.exec(r.stderr)![1]), text.indexOf("oops"));
  });
});

describe("errors and help", () => {
  it("has --help on every command", () => {
    for (const args of [
      [],
      ["platforms"],
      ["show"],
      ["show-derivation"],
      ["derivation"],
      ["derivation", "add"],
      ["build"],
      ["gc"],
      ["path-info"],
      ["store"],
      ["store", "verify"],
      ["log"],
      ["doctor"],
      ["list"],
      ["search"],
      ["file"],
      ["readelf"],
      ["ldd"],
      ["patchelf"],
      ["inspect"],
      ["run"],
      ["bundle"],
      ["copy"],
    ]) {
      const r = runCli([...args, "--help"]);
      assert.equal(r.status, 0, args.join(" "));
      assert.match(r.stdout, /^Usage: xpkgs/);
    }
  });
  it("does not crash when its reader stops early (| head)", () => {
    for (const args of [
      ["readelf", "-s", "/usr/bin/ls"],
      ["copy", "/usr/bin/ls", "--to", "ssh://nowhere/opt", "--dry-run"],
    ]) {
      const r = spawnSync(
        "sh",
        ["-c", `"$0" "$@" | head -c 1 >/dev/null`, process.execPath, cliPath, ...args],
        { encoding: "utf8" },
      );
      assert.equal(r.status, 0, args.join(" "));
      assert.doesNotMatch(r.stderr, /EPIPE|internal error|Unhandled/, args.join(" "));
    }
  });
  it("loads only the command it runs, and all of them for the full help", () => {
    assert.equal(commandName(["-f", "o.ts", "--debug", "build", "hello"]), "build");
    assert.equal(commandName(["--overlay", "build", "show", "x"]), "show");
    assert.equal(commandName(["--help"]), null);
    const help = runCli(["--help"]).stdout;
    for (const c of ["build", "readelf", "patchelf", "inspect", "search", "store"]) {
      assert.match(help, new RegExp(`^  ${c} `, "m"), c);
    }
    // A mistyped command still gets commander's suggestion, from the full list.
    assert.match(runCli(["readefl"]).stderr, /Did you mean readelf\?/);
  });
  it("refuses a bad store directory with the fix", () => {
    const r = runCli(["show", "hello"], { XPKGS_STORE_DIR: "relative/store" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /must be an absolute, normalised path.*Fix XPKGS_STORE_DIR/);
  });
  it("rejects an unknown command with usage", () => {
    const r = runCli(["frobnicate"]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
});

describe("xpkgs build -A", () => {
  it("takes attribute paths with -A, as nix-build does", () => {
    const r = runCli(["build", "--dry-run", "-A", "hello", "-A", "pkgsStatic.hello"], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /-hello-2\.10\.drv\n/);
    assert.match(r.stderr, /-hello-static-x86_64-unknown-linux-musl-2\.10\.drv\n/);
  });
});

describe("missing toolchains", () => {
  it("fail before anything builds, with the apt-get line", () => {
    // A PATH with no compiler at all (node is started by absolute path).
    const r = runCli(["build", "pkgsCross.riscv64.hello"], { ...env, PATH: "/nonexistent" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not installed: xpkgs uses Debian's gcc-riscv64-linux-gnu/);
    assert.match(
      r.stderr,
      /apt-get install gcc-riscv64-linux-gnu g\+\+-riscv64-linux-gnu libc6-dev-riscv64-cross/,
    );
    assert.doesNotMatch(r.stderr, /building|fetching/);
    const none = runCli(["show", "pkgsCross.loongarch64-linux.hello"], env);
    assert.match(none.stderr, /Debian ships no cross compiler for the cpu 'loongarch64'/);
  });
});

describe("xpkgs list and search", () => {
  it("lists every package with its version and description", () => {
    const r = runCli(["list", "--json"], env);
    assert.equal(r.status, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { attr: string; version: string; description: string }[];
    const binutils = list.find((e) => e.attr === "binutils-unwrapped")!;
    assert.equal(binutils.version, "2.40");
    assert.match(binutils.description, /readelf/);
    assert.ok(list.some((e) => e.attr === "hello"));
  });
  it("finds packages by words of their name or description", () => {
    const r = runCli(["search", "compression library"], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^zlib\s+1\.2\.13\s/m);
    assert.doesNotMatch(r.stdout, /^hello/m);
    const none = runCli(["search", "no-such-package-anywhere"], env);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no package matches/);
  });
});

describe("xpkgs doctor", () => {
  it("reports a target ready when this machine has its C and C++ cross compilers", () => {
    const r = runCli(["doctor"], env);
    assert.equal(r.status, 0, r.stderr);
    // setup.sh installs both for aarch64; a C++ package is no longer reported missing.
    const line = r.stdout.split("\n").find((l) => l.startsWith("aarch64-multiplatform "));
    assert.ok(line !== undefined, r.stdout);
    assert.doesNotMatch(line, /missing/);
    assert.match(line, /\bready$/);
  });
});

describe("xpkgs doctor --builder", () => {
  it("prints the builder's apt-get line, nix.conf and a machines line that parses", () => {
    const r = runCli(["doctor", "--builder"], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^apt-get install --no-install-recommends nix-bin openssh-server /m);
    const features = hostToolchainFeatures();
    // The same nix.conf as the tests' own Nix builder.
    for (const line of builderNixConf(features)
      .split("\n")
      .filter((l) => l !== "")) {
      assert.ok(r.stdout.split("\n").includes(line), line);
    }
    assert.match(r.stdout, /^xpkgs builders check --builders @\/etc\/xpkgs\/machines$/m);
    const line = r.stdout.split("\n").find((l) => l.startsWith("ssh://root@HOST?"))!;
    const hostKey = Buffer.from("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample").toString("base64");
    const [m] = parseMachines(line.replace("HOST?", "builder1?").replace("HOSTKEY", hostKey));
    assert.equal(m!.host, "builder1");
    assert.equal(m!.remoteStore, builderStoreUri(storeDir));
    assert.match(m!.remoteStore!, new RegExp(`^local\\?store=${storeDir}&real=`));
    assert.deepEqual(m!.supportedFeatures, features);
  });
});

describe("xpkgs matrix --render", () => {
  it("writes the pages from the matrix file alone, with the published set's sum, and builds nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-render-"));
    const json = join(dir, "m.json");
    const cell = {
      package: "hello",
      target: "riscv64",
      linkage: "static",
      attr: "pkgsCross.riscv64.pkgsStatic.hello",
      status: "ran",
      checkedAt: "2026-12-02T00:00:00.000Z",
      commit: "abc",
    };
    const generated = { date: "2026-12-02T00:00:00.000Z", commit: "abc", machine: "m" };
    writeFileSync(json, JSON.stringify({ format: 1, generated, cells: [cell] }));
    const storeDir = join(dir, "store");
    const r = runCli(["matrix", "--render", "--json", json, "--md", join(dir, "m.md")], {
      XPKGS_STORE_DIR: storeDir,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 cells rendered/);
    const md = readFileSync(join(dir, "m.md"), "utf8");
    assert.match(md, /\*\*The published matrix\*\*.* has \d+ cells: \*\*1 built and ran/);
    assert.ok(!existsSync(storeDir), "no store was opened");
    const none = runCli(["matrix", "--render", "--json", join(dir, "none.json"), "--md", "x"]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /does not exist: --render writes pages from a matrix file/);
  });
});
