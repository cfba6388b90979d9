import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { paragraphs, relationNames } from "./deb822.js";
import {
  closestNames,
  findSource,
  parseSources,
  releaseHashes,
  type SourcesIndex,
} from "./debian-index.js";
import {
  buildRoot,
  debianConfigureFlags,
  debianMeta,
  detectBuildSystem,
} from "./inspect-source.js";
import { compareDebianVersions } from "./debian-version.js";
import {
  hasInstallTarget,
  likelyCause,
  ranHostProgram,
  storeVersion,
  upstreamVersion,
} from "./import.js";
import { compareWithIndex, poolSourceOf } from "./outdated.js";
import {
  addToOverlay,
  makePrefixFlags,
  mapBuildDepends,
  overlayEntry,
  prefixVariables,
  splitDebianFlags,
  type RecipeFacts,
} from "./recipe.js";

const sources = `Package: pv
Binary: pv
Version: 1.6.20-1
Build-Depends: debhelper-compat (= 13), gettext
Homepage: https://www.ivarch.com/programs/pv.shtml
Format: 3.0 (quilt)
Directory: pool/main/p/pv
Checksums-Sha256:
 e831951eff0718fba9b1ef286128773b9d0e723e1fbfae88d5a3188814fdc603 115310 pv_1.6.20.orig.tar.bz2
 03b2725590bb6d0ab2d44e729e535a9a589224d12ddd709761702e6d49495e39 190 pv_1.6.20.orig.tar.bz2.asc

Package: openssl
Binary: openssl, libssl3, libssl-dev, libssl-doc
Version: 3.0.11-1~deb12u2
Directory: pool/main/o/openssl
Checksums-Sha256:
 0000000000000000000000000000000000000000000000000000000000000000 1 openssl_3.0.11.orig.tar.gz

Package: zlib
Binary: zlib1g, zlib1g-dev
Version: 1:1.2.13.dfsg-1
Directory: pool/main/z/zlib

Package: smartmontools
Binary: smartmontools
Version: 7.3-1
Build-Depends: autoconf, automake, debhelper-compat (= 12), freebsd-glue [kfreebsd-any], libselinux1-dev [linux-any], zlib1g-dev | libz-dev, bison, pkg-config, libfoo-dev
Directory: pool/main/s/smartmontools
`;

const index: SourcesIndex = {
  suite: "bookworm",
  uri: "http://archive.invalid/debian",
  packages: parseSources(sources),
};

describe("Debian's indexes", () => {
  it("reads deb822 paragraphs with continuation lines", () => {
    const ps = [...paragraphs("A: 1\nB: two\n lines\n\nA: 3\n")];
    assert.equal(ps.length, 2);
    assert.equal(ps[0]!.get("B"), "two\nlines");
    assert.equal(ps[1]!.get("A"), "3");
  });

  it("reads relations: alternatives kept, versions dropped, other kernels' dependencies left out", () => {
    assert.deepEqual(
      relationNames(
        "a (>= 1), b | c [linux-any], d [kfreebsd-any], e [!hurd-any], f:native, g [!linux-any]",
      ),
      [["a"], ["b", "c"], ["e"], ["f"]],
    );
  });

  it("reads the SHA256 list of a Release file", () => {
    const r = releaseHashes(
      "Origin: Debian\nMD5Sum:\n 9de2 50724597 main/source/Sources\nSHA256:\n " +
        "92d11a035571df011f06f28c61cb9825130ef1d92abb2f2e0525e8674dc44af8  9491888 main/source/Sources.xz\n",
    );
    assert.deepEqual(r.get("main/source/Sources.xz"), {
      sha256: "92d11a035571df011f06f28c61cb9825130ef1d92abb2f2e0525e8674dc44af8",
      size: 9491888,
    });
    assert.equal(r.get("main/source/Sources"), undefined, "MD5 entries are not hashes to trust");
  });

  it("finds a source by its name or a binary's, and suggests near names", () => {
    assert.equal(findSource(index, "pv")!.files[0]!.name, "pv_1.6.20.orig.tar.bz2");
    assert.equal(findSource(index, "libssl-dev")!.name, "openssl");
    assert.equal(findSource(index, "pv", "9.9-1"), null);
    assert.deepEqual(closestNames(index, "pvv"), ["pv"]);
  });

  it("maps Build-Depends: host tools, libraries of the collection, the rest as comments", () => {
    const m = mapBuildDepends(
      findSource(index, "smartmontools")!,
      index,
      new Set(["zlib", "pv"]),
      "autoreconf",
    );
    assert.deepEqual(m.nativeBuildInputs, ["autoreconfHook", "bison", "pkg-config"]);
    assert.deepEqual(m.buildInputs, ["zlib"]);
    // With a generated configure in the tarball, Debian's autoreconf tools are not needed.
    const built = mapBuildDepends(
      findSource(index, "smartmontools")!,
      index,
      new Set(["zlib", "pv"]),
      "autotools",
    );
    assert.deepEqual(built.nativeBuildInputs, ["bison", "pkg-config"]);
    assert.deepEqual(m.unmapped, ["libselinux1-dev", "libfoo-dev"]);
  });
});

describe("the source and its packaging", () => {
  it("detects the build system from the tarball's listing", () => {
    const t = (files: string[]) =>
      detectBuildSystem(files.map((f) => `x-1.0/${f}`).concat("x-1.0/"));
    assert.equal(t(["configure", "configure.ac", "CMakeLists.txt"]), "autotools");
    assert.equal(t(["configure.ac", "Makefile.am"]), "autoreconf");
    assert.equal(t(["meson.build", "Makefile"]), "meson");
    assert.equal(t(["CMakeLists.txt"]), "cmake");
    assert.equal(t(["Makefile", "src/configure"]), "make");
    assert.equal(t(["README"]), "unknown");
  });

  it("finds a build system one folder down when the top has none, and only a single one", () => {
    const l = (files: string[]) => files.map((f) => `x-1.0/${f}`).concat("x-1.0/");
    assert.equal(
      buildRoot(l(["README", "squashfs-tools/Makefile", "squashfs-tools/mksquashfs.c"])),
      "x-1.0/squashfs-tools/",
    );
    assert.equal(
      detectBuildSystem(l(["squashfs-tools/Makefile"]), "x-1.0/squashfs-tools/"),
      "make",
    );
    assert.equal(buildRoot(l(["unix/Makefile", "win32/Makefile"])), "x-1.0/");
    assert.equal(buildRoot(l(["Makefile", "sub/CMakeLists.txt"])), "x-1.0/");
    assert.equal(buildRoot(l(["README", "a/b/Makefile"])), "x-1.0/");
  });

  it("reads Debian's configure flags from debian/rules, and keeps only those that turn things off", () => {
    const rules =
      "override_dh_auto_configure:\n\tdh_auto_configure -- --disable-nls \\\n\t  --with-foo --libdir=$(LIBDIR) --enable-bar\n";
    const flags = debianConfigureFlags(rules);
    assert.deepEqual(flags, ["--disable-nls", "--with-foo", "--libdir=$(LIBDIR)", "--enable-bar"]);
    assert.deepEqual(splitDebianFlags(flags), {
      kept: ["--disable-nls"],
      proposed: ["--with-foo", "--enable-bar"],
    });
  });

  it("takes the description from debian/control and the licence from debian/copyright", () => {
    const m = debianMeta(
      "Source: pv\n\nPackage: pv\nDescription: Shell pipeline element to meter data\n long text\n",
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: Artistic-2.0\n",
      "pv",
    );
    assert.deepEqual(m, {
      description: "Shell pipeline element to meter data",
      license: "Artistic-2.0",
    });
  });

  it("turns Debian versions into upstream ones", () => {
    assert.equal(upstreamVersion("1:1.2.13.dfsg-1"), "1.2.13");
    assert.equal(upstreamVersion("9.65+ds-1"), "9.65");
    assert.equal(upstreamVersion("3.0.11-1~deb12u2"), "3.0.11");
  });

  it("points every install prefix of a plain Makefile at the output", () => {
    const mk =
      "INSTALL_PREFIX = /usr/local\nINSTALL_DIR = $(INSTALL_PREFIX)/bin\nprefix ?= /usr\nDESTDIR =\nCC := gcc\n";
    assert.deepEqual(prefixVariables(mk), ["INSTALL_PREFIX", "prefix"]);
    assert.deepEqual(makePrefixFlags(prefixVariables(mk)), [
      "PREFIX=@out@",
      "prefix=@out@",
      "INSTALL_PREFIX=@out@",
    ]);
  });

  it("finds a Makefile's install rule among other targets", () => {
    assert.ok(hasInstallTarget("all: p\ninstall: all\n\tcp p /x\n"));
    assert.ok(hasInstallTarget("depend install: $(allprereq)\n"));
    assert.ok(!hasInstallTarget("installdirs:\n\tmkdir x\nINSTALL := install\n"));
    assert.ok(!hasInstallTarget("# install: not a rule\nall:\n"));
  });

  it("spells a version as a store path name allows", () => {
    assert.equal(storeVersion(upstreamVersion("1.0~pre4-9")), "1.0pre4");
    assert.equal(storeVersion("2.1:3"), "2.1-3");
    assert.equal(storeVersion("4.0.32+ds"), "4.0.32+ds");
  });
});

describe("the recipe", () => {
  const facts: RecipeFacts = {
    attr: "pkg-x",
    pname: "pkg-x",
    version: "1.0",
    url: "mirror://debian/pool/main/p/pkg-x/pkg-x_1.0.orig.tar.gz",
    fileName: "pkg-x-1.0.tar.gz",
    hash: "sha256-MeBmE3qWJnbon2nRtlOC3pWn732RS4y5VvQepy4PUWs=",
    buildSystem: "autoreconf",
    deps: {
      nativeBuildInputs: ["autoreconfHook", "pkg-config"],
      buildInputs: ["zlib"],
      unmapped: ["libfoo-dev"],
    },
    debianFlags: ["--disable-nls", "--with-foo"],
    description: 'Says "hi"',
    homepage: null,
    license: "MIT",
    mainProgram: "pkg-x",
    origin: "Debian bookworm pkg-x 1.0-1.",
  };

  it("is an overlay entry with its inputs as arguments, and what it could not map as comments", () => {
    const e = overlayEntry(facts);
    assert.match(
      e,
      /"pkg-x": \(\{ stdenv, fetchurl, autoreconfHook, "pkg-config": pkgConfig, zlib \}\) =>/,
    );
    assert.match(e, /nativeBuildInputs: \[autoreconfHook, pkgConfig\],/);
    assert.match(e, /configureFlags: \["--disable-nls"\],/);
    assert.match(e, /\/\/ Debian also configures with: --with-foo/);
    assert.match(e, /\/\/ Build-Depends not mapped to packages here: libfoo-dev\./);
    assert.match(e, /description: "Says \\"hi\\"",/);
    assert.doesNotMatch(e, /cxx: true/);
    assert.match(overlayEntry({ ...facts, cxx: true }), /\n {6}cxx: true,\n/);
    assert.doesNotMatch(e, /emulateHostPrograms/);
    assert.match(
      overlayEntry({ ...facts, emulateHostPrograms: true }),
      /\n {6}emulateHostPrograms: true,\n/,
    );
  });

  it("goes into an overlay file, replacing an earlier import of the same name", () => {
    const one = addToOverlay(null, "pkg-x", overlayEntry(facts));
    assert.match(one, /^\/\/ Recipes imported from Debian/);
    assert.match(one, /export default overlay;\n$/);
    const two = addToOverlay(
      one,
      "other",
      overlayEntry({ ...facts, attr: "other", version: "3.0" }),
    );
    assert.equal((two.match(/xpkgs-import: /g) ?? []).length, 2);
    const again = addToOverlay(two, "pkg-x", overlayEntry({ ...facts, version: "2.0" }));
    assert.equal((again.match(/xpkgs-import: /g) ?? []).length, 2);
    assert.match(again, /version: "2.0"/);
    assert.doesNotMatch(again, /version: "1.0"/);
  });

  it("names the likely cause of a failed build", () => {
    assert.match(
      likelyCause("checking x... configure: error: cannot run test program while cross compiling")!,
      /test program/,
    );
    assert.match(likelyCause("sh: 1: help2man: not found")!, /host tool is missing: help2man/);
    assert.match(
      likelyCause("x.c:1:10: fatal error: zlib.h: No such file or directory")!,
      /zlib\.h/,
    );
    assert.match(likelyCause("/usr/bin/ld: cannot find -lncurses")!, /-lncurses/);
    assert.match(
      likelyCause("configure: error: C++ compiler cannot create executables")!,
      /cxx: true/,
    );
    assert.match(
      likelyCause(
        "/bin/sh: 1: ./fbc: Exec format error\nmake: *** [Makefile:12: number.h] Error 126",
      )!,
      /emulateHostPrograms: true/,
    );
    assert.ok(ranHostProgram("bash: ./gen: cannot execute binary file: Exec format error"));
    assert.ok(!ranHostProgram("gen.c:3: error: expected ';'"));
    assert.equal(likelyCause("all fine"), null);
  });
});

describe("Debian's version order", () => {
  it("compares as dpkg does: epoch, upstream, revision; ~ before all, letters before other characters", () => {
    // Each pair is older < newer, as `dpkg --compare-versions A lt B` answers.
    const older = [
      ["1.0", "1.1"],
      ["1.9", "1.10"],
      ["1.0~rc1", "1.0"],
      ["1.0~~", "1.0~"],
      ["1.0", "1.0a"],
      ["1.0a", "1.0+"],
      ["1.0-1", "1.0-2"],
      ["1.0-9", "1.0-10"],
      ["3.0.11-1~deb12u1", "3.0.11-1~deb12u2"],
      ["3.0.11-1~deb12u2", "3.0.11-1"],
      ["9:1.0", "10:0.1"],
      ["2.0", "1:1.0"],
      ["1.2.13", "1.2.13.dfsg"],
    ];
    for (const [a, b] of older) {
      assert.equal(compareDebianVersions(a!, b!), -1, `${a} < ${b}`);
      assert.equal(compareDebianVersions(b!, a!), 1, `${b} > ${a}`);
    }
    assert.equal(compareDebianVersions("1.01", "1.1"), 0);
    assert.equal(compareDebianVersions("0:1.0-1", "1.0-1"), 0);
    assert.equal(compareDebianVersions("00:1.0", "1.0"), 0);
  });
  it("picks the newest of several versions of a source package by that order", () => {
    const two = parseSources(
      "Package: foo\nVersion: 1.9-1\nDirectory: pool/main/f/foo\n\nPackage: foo\nVersion: 1.10-1\nDirectory: pool/main/f/foo\n",
    );
    assert.equal(findSource({ ...index, packages: two }, "foo")?.version, "1.10-1");
  });
});

describe("import --outdated", () => {
  it("reads the source package and upstream version from a pool URL", () => {
    assert.deepEqual(poolSourceOf("mirror://debian/pool/main/p/pv/pv_1.6.20.orig.tar.bz2"), {
      source: "pv",
      upstream: "1.6.20",
    });
    assert.deepEqual(
      poolSourceOf("mirror://debian/pool/main/libe/libevent/libevent_2.1.12-stable.orig.tar.gz"),
      { source: "libevent", upstream: "2.1.12-stable" },
    );
    assert.deepEqual(
      poolSourceOf("mirror://debian/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.gz")?.upstream,
      "1.2.13.dfsg",
    );
    assert.equal(poolSourceOf("https://example.invalid/pv-1.6.20.tar.gz"), null);
  });
  it("says which recipes are older than the suite's, current, newer, or not from the pool", () => {
    const rows = compareWithIndex(
      [
        {
          attr: "pv",
          version: "1.6.19",
          url: "mirror://debian/pool/main/p/pv/pv_1.6.19.orig.tar.bz2",
        },
        {
          attr: "zlib",
          version: "1.2.13",
          url: "mirror://debian/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.gz",
        },
        {
          attr: "openssl",
          version: "3.1.0",
          url: "mirror://debian/pool/main/o/openssl/openssl_3.1.0.orig.tar.gz",
        },
        { attr: "gone", version: "1", url: "mirror://debian/pool/main/g/gone/gone_1.orig.tar.gz" },
        { attr: "probe", version: "1", url: null },
        // A binary package's name is not its source's: no match, not openssl.
        {
          attr: "ssl",
          version: "1",
          url: "mirror://debian/pool/main/l/libssl-dev/libssl-dev_1.orig.tar.gz",
        },
      ],
      index,
    );
    assert.deepEqual(
      rows.map((r) => [r.attr, r.status, r.debian]),
      [
        ["pv", "outdated", "1.6.20-1"],
        ["zlib", "current", "1:1.2.13.dfsg-1"],
        ["openssl", "ahead", "3.0.11-1~deb12u2"],
        ["gone", "not-in-suite", null],
        ["probe", "not-from-debian", null],
        ["ssl", "not-in-suite", null],
      ],
    );
  });
});
