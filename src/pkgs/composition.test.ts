import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { elaboratePlatform } from "../systems/elaborate.js";
import { PackageUniverse } from "./top-level.js";

const universe = () =>
  new PackageUniverse(elaboratePlatform("x86_64-unknown-linux-gnu"), "/xpkgs/store");

/** The files of a writeTree derivation, by path. */
function treeFiles(p: { drv: { env: Record<string, string> } }): Map<string, string> {
  const env = p.drv.env;
  return new Map(
    Object.entries(env)
      .filter(([k]) => k.startsWith("path_"))
      .map(([k, path]) => [path, env[k.replace("path_", "content_")] ?? ""]),
  );
}

describe("package-set composition", () => {
  it("commutes: the same derivation in either order", () => {
    const u = universe();
    const a = u.resolve("pkgsStatic.pkgsCross.aarch64-multiplatform.hello");
    const b = u.resolve("pkgsCross.aarch64-multiplatform.pkgsStatic.hello");
    assert.equal(a.drvPath, b.drvPath);
    assert.equal(a.name, "hello-static-aarch64-unknown-linux-musl-2.10");
    // A fresh universe computes the same paths: nothing depends on evaluation order.
    assert.equal(
      universe().resolve("pkgsCross.aarch64-multiplatform.pkgsStatic.hello").drvPath,
      a.drvPath,
    );
  });
  it("treats pkgsMusl.pkgsStatic, pkgsStatic.pkgsMusl and pkgsStatic as one set", () => {
    const u = universe();
    const paths = [
      "pkgsMusl.pkgsStatic.hello",
      "pkgsStatic.pkgsMusl.hello",
      "pkgsStatic.hello",
      "pkgsStatic.pkgsStatic.hello",
    ].map((p) => u.resolve(p).drvPath);
    assert.equal(new Set(paths).size, 1);
    assert.notEqual(u.resolve("pkgsMusl.hello").drvPath, paths[0]);
  });
  it("shares one native set as every cross set's buildPackages", () => {
    const u = universe();
    const native = u.nativeSet();
    const cross = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: true,
      musl: false,
    });
    assert.equal(cross.buildPackages, native);
    // The native compiler wrapper is the same derivation in both.
    const crossHello = u.resolve("pkgsCross.aarch64-multiplatform.pkgsStatic.hello");
    assert.ok(Object.keys(crossHello.drv.inputDrvs).includes(native.stdenv.cc.drvPath));
  });
  it("shares musl between the static and the dynamic set of a platform", () => {
    const u = universe();
    const s = u.resolve("pkgsCross.aarch64-multiplatform-musl.pkgsStatic.hello");
    const d = u.resolve("pkgsCross.aarch64-multiplatform-musl.hello");
    const closure = (drvPath: string) =>
      u.graph
        .closure(drvPath)
        .map((d) => d.drvPath)
        .filter((p) => /-musl-aarch64-unknown-linux-musl-1\.2\.3\.drv$/.test(p));
    assert.deepEqual(closure(s.drvPath), closure(d.drvPath));
    assert.equal(closure(s.drvPath).length, 1);
  });
  it("names packages as Nixpkgs does", () => {
    const u = universe();
    assert.equal(u.resolve("hello").name, "hello-2.10");
    assert.equal(u.resolve("pkgsStatic.hello").name, "hello-static-x86_64-unknown-linux-musl-2.10");
    assert.equal(u.resolve("pkgsMusl.hello").name, "hello-x86_64-unknown-linux-musl-2.10");
    assert.equal(u.resolve("pkgsCross.riscv64.hello").name, "hello-riscv64-unknown-linux-gnu-2.10");
    const h = u.resolve("pkgsCross.riscv64.pkgsStatic.hello");
    assert.equal(h.pname, "hello");
    assert.equal(h.version, "2.10");
  });
  it("says which attribute is missing where, with suggestions", () => {
    assert.throws(
      () => universe().resolve("pkgsCross.aarch64-multiplatform.helo"),
      /attribute 'helo' missing in 'pkgsCross\.aarch64-multiplatform'\. Did you mean 'hello'/,
    );
    assert.throws(
      () => universe().resolve("pkgsCross.aarch64-multiplatfrom.hello"),
      /attribute 'aarch64-multiplatfrom' missing in 'pkgsCross'\. Did you mean 'aarch64-multiplatform'/,
    );
  });
});

describe("overrides", () => {
  it("overrideAttrs changes attributes and gives a new derivation", () => {
    const u = universe();
    const hello = u.resolve("hello");
    const loud = hello.overrideAttrs!((prev) => ({
      configureFlags: [...(prev.configureFlags ?? []), "--program-prefix=loud-"],
    }));
    assert.notEqual(loud.drvPath, hello.drvPath);
    assert.equal(loud.name, hello.name);
    assert.match(loud.drv.env.configureFlags!, /--disable-nls --program-prefix=loud-$/);
    // Overriding again starts from the overridden attributes.
    const again = loud.overrideAttrs!((prev) => ({ version: `${prev.version}-1` }));
    assert.equal(again.name, "hello-2.10-1");
    assert.match(again.drv.env.configureFlags!, /--program-prefix=loud-/);
  });
  it("override replaces a dependency by name", () => {
    const u = universe();
    const set = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: true,
      musl: false,
    });
    const binutils = set.package("binutils-unwrapped");
    const zlib = set.package("zlib");
    const otherZlib = zlib.overrideAttrs!(() => ({ makeFlags: ["CFLAGS=-O3"] }));
    const rebuilt = binutils.override!({ zlib: otherZlib });
    assert.notEqual(rebuilt.drvPath, binutils.drvPath);
    assert.ok(Object.keys(rebuilt.drv.inputDrvs).includes(otherZlib.drvPath));
    assert.ok(!Object.keys(rebuilt.drv.inputDrvs).includes(zlib.drvPath));
    assert.ok(Object.keys(binutils.drv.inputDrvs).includes(zlib.drvPath));
  });
});

describe("toolchain limits", () => {
  it("gives musl sets a g++ that refuses, with the fix, unless the recipe asks for C++", () => {
    const u = universe();
    const set = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: true,
      musl: false,
    });
    const cc = set.stdenv.cc;
    const scripts = treeFiles(cc);
    const gxx = scripts.get("bin/aarch64-unknown-linux-musl-g++")!;
    assert.match(
      gxx,
      /its recipe did not ask for it.*Add "cxx: true" to the mkDerivation attributes/,
    );
    assert.match(gxx, /exit 1/);
    const gcc = scripts.get("bin/aarch64-unknown-linux-musl-gcc")!;
    assert.match(gcc, /-specs=.*-musl-aarch64-unknown-linux-musl-1\.2\.3\/lib\/musl-gcc\.specs/);
    assert.match(gcc, /args\+=\(-static\)/);
    // musl's libc.so hides __getauxval, which out-of-line atomics' start-up calls.
    assert.match(gcc, /-mno-outline-atomics/);
    const plain = set.stdenv.mkDerivation({ pname: "c-only", version: "1" });
    assert.doesNotMatch(plain.drv.env.xpkgsToolPath!, /g\+\+/);
  });
  it("puts a C++ wrapper with libstdc++ built for the platform first on PATH, for cxx: true", () => {
    const u = universe();
    const set = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: true,
      musl: false,
    });
    const pkg = set.stdenv.mkDerivation({ pname: "uses-cxx", version: "1", cxx: true });
    const [first] = pkg.drv.env.xpkgsToolPath!.split(" ");
    assert.match(first!, /-aarch64-unknown-linux-musl-g\+\+-wrapper-12\.2\.0$/);
    const wrapperDrv = Object.keys(pkg.drv.inputDrvs).find((d) => d.includes("g++-wrapper"))!;
    const wrapper = u.graph.byPath.get(wrapperDrv)!.drv;
    const gxx = treeFiles({ drv: wrapper }).get("bin/aarch64-unknown-linux-musl-g++")!;
    const lib = set.package("libstdcxx");
    assert.equal(lib.name, "libstdcxx-aarch64-unknown-linux-musl-12.2.0");
    // Its headers first, its library and the _dl_find_object shim on links, -static.
    assert.ok(
      gxx.includes(
        `-isystem ${lib.out}/include/c++/12 -isystem ${lib.out}/include/c++/12/aarch64-unknown-linux-musl`,
      ),
    );
    // -L on every call (what libtool reads from `g++ -v` names it first); the shim on links.
    assert.ok(gxx.includes(`/include/c++/12/backward -L${lib.out}/lib)`));
    assert.ok(gxx.includes(`  args+=(${lib.out}/lib/xpkgs-dl-find-object.o)`));
    assert.match(gxx, /args\+=\(-static\)/);
    assert.ok(lib.drvPath in wrapper.inputDrvs);
    // One libstdc++ for the static and the dynamic set; it is configured with the bootstrap g++.
    const dynamic = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: false,
      musl: true,
    });
    assert.equal(dynamic.package("libstdcxx").drvPath, lib.drvPath);
    assert.match(lib.drv.env.cxxBootstrap!, /-g\+\+-bootstrap-wrapper-12\.2\.0$/);
    // glibc sets have Debian's libstdc++: the C wrapper's g++ serves, nothing is added.
    const glibc = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: false,
      musl: false,
    });
    const g = glibc.stdenv.mkDerivation({ pname: "uses-cxx", version: "1", cxx: true });
    assert.equal(g.drv.env.xpkgsToolPath!.split(" ").length, 2);
    assert.throws(() => glibc.package("libstdcxx"), /attribute 'libstdcxx' missing/);
    // Without Debian's g++ a glibc recipe with cxx: true stops at evaluation, naming the package.
    const noGxx = u.setFor({
      base: { config: "aarch64-unknown-linux-gnu" },
      static: false,
      musl: false,
    });
    Object.defineProperty(noGxx, "toolchain", { value: { ...noGxx.toolchain, cxx: null } });
    assert.throws(
      () => noGxx.stdenv.mkDerivation({ pname: "needs-gxx", version: "1", cxx: true }),
      /compiles C\+\+ \(cxx: true\), but the C\+\+ compiler .* apt-get install g\+\+-aarch64-linux-gnu/,
    );
  });
  it("puts the compiler's identity into the wrapper derivation", () => {
    const cc = universe().nativeSet().stdenv.cc;
    assert.match(cc.drv.env.compilerVersion!, /^gcc \(Debian/);
    assert.match(cc.drv.env.compilerSha256!, /^[0-9a-f]{64}$/);
    assert.match(cc.drv.env.compilerPath!, /^\/usr\/bin\/.*gcc/);
  });
});

describe("meta.platforms and meta.brokenOn", () => {
  const withMeta = (meta: Record<string, unknown>) =>
    new PackageUniverse(elaboratePlatform("x86_64-unknown-linux-gnu"), "/xpkgs/store", [
      (_final, prev) => ({
        hello: prev.hello!.overrideAttrs!((p) => ({ meta: { ...p.meta, ...meta } })),
      }),
    ]);
  it("refuses a package on a platform its meta.platforms leaves out, naming the way round", () => {
    const u = withMeta({ platforms: ["x86_64-linux"] });
    assert.equal(u.resolve("hello").pname, "hello");
    assert.throws(
      () => u.resolve("pkgsCross.aarch64-multiplatform.hello"),
      /does not support aarch64-unknown-linux-gnu \(aarch64-linux\).*XPKGS_ALLOW_UNSUPPORTED=1/,
    );
  });
  it("refuses a package marked broken there, with the reason", () => {
    const u = withMeta({ brokenOn: { "aarch64-unknown-linux-musl": "needs a C++ toolchain" } });
    assert.equal(u.resolve("pkgsCross.aarch64-multiplatform.hello").pname, "hello");
    assert.throws(
      () => u.resolve("pkgsCross.aarch64-multiplatform.pkgsStatic.hello"),
      /hello is marked broken on aarch64-unknown-linux-musl: needs a C\+\+ toolchain\. .*XPKGS_ALLOW_BROKEN=1/,
    );
  });
});
