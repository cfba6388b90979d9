import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { elaboratePlatform } from "./elaborate.js";
import { NoEmulatorError, emulatorFor } from "./emulator.js";
import { exampleNames, examples } from "./examples.js";
import { UnknownPlatformError, examplePlatform, platformFromUserInput } from "./named.js";
import { PlatformParseError, parsePlatform, tripleOf } from "./parse.js";

describe("parsing platforms", () => {
  it("fills Nixpkgs' defaults into doubles and short triples", () => {
    assert.equal(tripleOf(parsePlatform("x86_64-linux")), "x86_64-unknown-linux-gnu");
    assert.equal(tripleOf(parsePlatform("aarch64-linux-gnu")), "aarch64-unknown-linux-gnu");
    assert.equal(tripleOf(parsePlatform("armv7l-linux")), "armv7l-unknown-linux-gnueabihf");
    assert.equal(tripleOf(parsePlatform("armv5tel-linux")), "armv5tel-unknown-linux-gnueabi");
    assert.equal(tripleOf(parsePlatform("powerpc64-linux")), "powerpc64-unknown-linux-gnuabielfv2");
    assert.equal(tripleOf(parsePlatform("mips64el-linux")), "mips64el-unknown-linux-gnuabi64");
    assert.equal(tripleOf(parsePlatform("x86_64-unknown-linux")), "x86_64-unknown-linux-gnu");
  });
  it("reads the cpu's bits, endianness, family and version", () => {
    const p = parsePlatform("armv7l-unknown-linux-gnueabihf");
    assert.deepEqual(p.cpu, {
      name: "armv7l",
      bits: 32,
      endianness: "little",
      family: "arm",
      version: "7",
    });
    assert.equal(p.abi.float, "hard");
    const m = parsePlatform("mips64el-unknown-linux-gnuabi64");
    assert.equal(m.abi.mipsAbi, "n64");
    assert.equal(parsePlatform("s390x-linux").cpu.endianness, "big");
  });
  it("names the bad component and lists the known values", () => {
    assert.throws(
      () => parsePlatform("aarch65-unknown-linux-gnu"),
      (e: unknown) =>
        e instanceof PlatformParseError &&
        e.component === "cpu" &&
        /'aarch65' is not a known cpu\. Did you mean 'aarch64'/.test(e.message) &&
        /Known cpu values: .*riscv64/.test(e.message),
    );
    assert.throws(() => parsePlatform("x86_64-unknown-linux-gnux"), /'gnux' is not a known abi/);
    assert.throws(() => parsePlatform("x86_64-unknown-darwin"), /'darwin' is not a known kernel/);
    assert.throws(() => parsePlatform("x86_64-acme-linux-gnu"), /'acme' is not a known vendor/);
    assert.throws(() => parsePlatform("x86_64"), /has 1 '-'-separated parts/);
    assert.throws(() => parsePlatform("x86_64--linux"), /non-empty parts/);
    assert.throws(() => parsePlatform("x86_64-linux-gnueabihf"), /for 32-bit ARM/);
  });
});

describe("elaborating platforms", () => {
  it("derives the attributes of aarch64-multiplatform", () => {
    const p = examplePlatform("aarch64-multiplatform");
    assert.equal(p.config, "aarch64-unknown-linux-gnu");
    assert.equal(p.system, "aarch64-linux");
    assert.equal(p.libc, "glibc");
    assert.equal(p.isGnu && p.isLinux && p.is64bit && p.isLittleEndian && p.isAarch64, true);
    assert.equal(p.isMusl || p.is32bit || p.isStatic, false);
    assert.equal(p.linuxArch, "arm64");
    assert.equal(p.qemuArch, "aarch64");
    assert.equal(p.uname.processor, "aarch64");
    assert.equal(p.dynamicLinker, "/lib/ld-linux-aarch64.so.1");
  });
  it("knows the interpreter of glibc and musl on each CPU", () => {
    const cases: [string, string][] = [
      ["x86_64-unknown-linux-gnu", "/lib64/ld-linux-x86-64.so.2"],
      ["x86_64-unknown-linux-musl", "/lib/ld-musl-x86_64.so.1"],
      ["i686-unknown-linux-gnu", "/lib/ld-linux.so.2"],
      ["i686-unknown-linux-musl", "/lib/ld-musl-i386.so.1"],
      ["aarch64-unknown-linux-musl", "/lib/ld-musl-aarch64.so.1"],
      ["armv7l-unknown-linux-gnueabihf", "/lib/ld-linux-armhf.so.3"],
      ["armv5tel-unknown-linux-gnueabi", "/lib/ld-linux.so.3"],
      ["armv6l-unknown-linux-musleabihf", "/lib/ld-musl-armhf.so.1"],
      ["riscv64-unknown-linux-gnu", "/lib/ld-linux-riscv64-lp64d.so.1"],
      ["riscv64-unknown-linux-musl", "/lib/ld-musl-riscv64.so.1"],
      ["powerpc64le-unknown-linux-gnu", "/lib64/ld64.so.2"],
      ["powerpc64-unknown-linux-gnuabielfv1", "/lib64/ld64.so.1"],
      ["powerpc64-unknown-linux-musl", "/lib/ld-musl-powerpc64.so.1"],
      ["s390x-unknown-linux-gnu", "/lib/ld64.so.1"],
      ["mips-unknown-linux-gnu", "/lib/ld.so.1"],
      ["mips64el-unknown-linux-gnuabi64", "/lib64/ld.so.1"],
      ["mips64el-unknown-linux-gnuabin32", "/lib32/ld.so.1"],
      ["m68k-unknown-linux-gnu", "/lib/ld.so.1"],
      ["loongarch64-unknown-linux-gnu", "/lib64/ld-linux-loongarch-lp64d.so.1"],
    ];
    for (const [config, loader] of cases) {
      assert.equal(elaboratePlatform(config).dynamicLinker, loader, config);
    }
  });
  it("refuses musl where musl has no port", () => {
    assert.throws(() => elaboratePlatform("sparc64-unknown-linux-musl"), /musl has no port/);
  });
  it("says which machines run which binaries", () => {
    const x64 = elaboratePlatform("x86_64-linux");
    assert.ok(x64.canExecute(elaboratePlatform("i686-unknown-linux-gnu")));
    assert.ok(x64.canExecute(elaboratePlatform("x86_64-unknown-linux-musl")));
    assert.ok(!x64.canExecute(elaboratePlatform("aarch64-linux")));
    assert.ok(!elaboratePlatform("i686-linux").canExecute(x64));
    assert.ok(elaboratePlatform("armv7l-linux").canExecute(elaboratePlatform("armv6l-linux")));
  });
  it("names the emulator, none when native, and an error when qemu has none", () => {
    const x64 = elaboratePlatform("x86_64-linux");
    assert.equal(emulatorFor(examplePlatform("aarch64-multiplatform"), x64), "qemu-aarch64-static");
    assert.equal(emulatorFor(examplePlatform("powernv"), x64), "qemu-ppc64le-static");
    assert.equal(emulatorFor(examplePlatform("raspberryPi"), x64), "qemu-arm-static");
    assert.equal(
      emulatorFor(examplePlatform("mips64el-linux-gnuabi64"), x64),
      "qemu-mips64el-static",
    );
    assert.equal(emulatorFor(examplePlatform("musl64"), x64), null);
    assert.equal(emulatorFor(examplePlatform("gnu32"), x64), null);
    assert.throws(() => emulatorFor(examplePlatform("arc"), x64), NoEmulatorError);
  });
  it("keys platforms by what they are, not by their name", () => {
    assert.equal(examplePlatform("gnu64").key, elaboratePlatform("x86_64-linux").key);
    assert.notEqual(
      elaboratePlatform({ config: "x86_64-linux", isStatic: true }).key,
      elaboratePlatform("x86_64-linux").key,
    );
  });
});

describe("the examples", () => {
  const required = [
    "gnu64",
    "gnu32",
    "musl64",
    "musl32",
    "aarch64-multiplatform",
    "aarch64-multiplatform-musl",
    "armv7l-hf-multiplatform",
    "sheevaplug",
    "raspberryPi",
    "muslpi",
    "riscv64",
    "riscv64-musl",
    "powernv",
    "musl-power",
    "ppc64",
    "ppc64-musl",
    "s390x",
    "mips-linux-gnu",
    "mipsel-linux-gnu",
    "mips64el-linux-gnuabi64",
    "m68k",
    "loongarch64-linux",
  ];
  it("include every name the issue asks for, and all elaborate", () => {
    for (const name of required) assert.ok(exampleNames.includes(name), name);
    for (const name of exampleNames) {
      const p = examplePlatform(name);
      assert.equal(p.config, elaboratePlatform(examples[name]!.config).config);
    }
  });
  it("use Nixpkgs' triples", () => {
    assert.equal(examplePlatform("muslpi").config, "armv6l-unknown-linux-musleabihf");
    assert.equal(examplePlatform("ppc64").config, "powerpc64-unknown-linux-gnuabielfv2");
    assert.equal(examplePlatform("musl-power").config, "powerpc64le-unknown-linux-musl");
    assert.equal(examplePlatform("sheevaplug").config, "armv5tel-unknown-linux-gnueabi");
  });
  it("suggest the closest names for an unknown one", () => {
    assert.throws(
      () => examplePlatform("aarch64-multiplatfrom"),
      (e: unknown) =>
        e instanceof UnknownPlatformError && /Did you mean 'aarch64-multiplatform'/.test(e.message),
    );
    assert.throws(() => platformFromUserInput("rasberryPi"), /Did you mean 'raspberryPi'/);
  });
});

describe("compiler flags from the platform", () => {
  it("asks for ARM code where Thumb-1 cannot do hard float", async () => {
    const { platformCompilerFlags } = await import("../toolchains/cc-wrapper.js");
    assert.deepEqual(platformCompilerFlags(examplePlatform("raspberryPi")), [
      "-march=armv6k",
      "-mfpu=vfp",
      "-mfloat-abi=hard",
      "-marm",
    ]);
    assert.deepEqual(platformCompilerFlags(examplePlatform("armv7l-hf-multiplatform")), [
      "-march=armv7-a",
      "-mfpu=vfpv3-d16",
      "-mfloat-abi=hard",
    ]);
    assert.deepEqual(platformCompilerFlags(examplePlatform("sheevaplug")), [
      "-march=armv5te",
      "-mfloat-abi=soft",
    ]);
    assert.deepEqual(platformCompilerFlags(examplePlatform("aarch64-multiplatform")), []);
  });
});

describe("musl on PowerPC", () => {
  it("compiles with musl's 64-bit long double", async () => {
    const { platformCompilerFlags } = await import("../toolchains/cc-wrapper.js");
    assert.ok(platformCompilerFlags(examplePlatform("musl-power")).includes("-mlong-double-64"));
    assert.ok(!platformCompilerFlags(examplePlatform("powernv")).includes("-mlong-double-64"));
  });
  it("hides glibc's hwcap builtins from musl, and builds its own libgcc where Debian's is ELFv1", async () => {
    const { platformCompilerFlags } = await import("../toolchains/cc-wrapper.js");
    const { needsOwnLibgcc } = await import("../toolchains/libgcc.js");
    assert.ok(
      platformCompilerFlags(examplePlatform("musl-power")).includes("-U__BUILTIN_CPU_SUPPORTS__"),
    );
    assert.ok(
      !platformCompilerFlags(examplePlatform("powernv")).includes("-U__BUILTIN_CPU_SUPPORTS__"),
    );
    assert.ok(needsOwnLibgcc(examplePlatform("ppc64-musl")));
    assert.ok(
      !needsOwnLibgcc(examplePlatform("musl-power")),
      "little-endian: Debian's libgcc is ELFv2",
    );
    assert.ok(!needsOwnLibgcc(examplePlatform("ppc64")), "glibc keeps Debian's");
  });
  it("gives musl m68k's own POLLWRNORM and POLLWRBAND, which musl 1.2.3 leaves generic", async () => {
    const { PackageUniverse } = await import("../pkgs/top-level.js");
    const { hostSpecOf } = await import("../pkgs/variants.js");
    const u = new PackageUniverse(elaboratePlatform("x86_64-unknown-linux-gnu"), "/xpkgs/store");
    const muslOf = (name: string) =>
      u.muslFor(
        elaboratePlatform(hostSpecOf({ base: examples[name]!, static: true, musl: false })),
      );
    const m68k = JSON.stringify(muslOf("m68k").drv.env);
    assert.match(m68k, /cp arch\/mips\/bits\/poll\.h arch\/m68k\/bits\/poll\.h/);
    for (const name of ["mips-linux-gnu", "aarch64-multiplatform", "ppc32"])
      assert.doesNotMatch(JSON.stringify(muslOf(name).drv.env), /bits\/poll\.h/, name);
  });

  it("links libatomic into musl C programs only where the CPU has no 8-byte atomics, never glibc's libatomic.so", async () => {
    const { lacksAtomics8 } = await import("../toolchains/cc-wrapper.js");
    for (const name of ["mips-linux-gnu", "mipsel-linux-gnu", "ppc32", "m68k", "sheevaplug"])
      assert.ok(lacksAtomics8(examplePlatform(name)), name);
    for (const name of [
      "aarch64-multiplatform",
      "armv7l-hf-multiplatform",
      // ARMv6K has LDREXD: a Raspberry Pi 1 needs no libatomic.
      "raspberryPi",
      "mips64-linux-gnuabi64",
      "ppc64",
      "riscv64",
      "s390x",
    ])
      assert.ok(!lacksAtomics8(examplePlatform(name)), name);
    // The wrapper script itself: a static musl mips link adds -latomic, an aarch64 one does not.
    const { ccWrapper } = await import("../toolchains/cc-wrapper.js");
    const { hostSpecOf } = await import("../pkgs/variants.js");
    const { hostToolchain } = await import("../toolchains/detect.js");
    const build = elaboratePlatform("x86_64-unknown-linux-gnu");
    const hostOf = (name: string) =>
      elaboratePlatform(hostSpecOf({ base: examples[name]!, static: true, musl: false }));
    const specOf = (name: string, libatomic?: { out: string; drvPath: string }) => {
      const host = hostOf(name);
      return {
        host,
        native: false,
        toolchain: hostToolchain(host, build),
        libc: {
          kind: "musl" as const,
          muslOut: "/m",
          muslDrvPath: "/m.drv",
          specs: "/m/specs",
          ...(libatomic !== undefined ? { libatomic } : {}),
        },
        role: "host" as const,
        buildSystem: build.system,
      };
    };
    const wrapper = (name: string, libatomic?: { out: string; drvPath: string }) =>
      ccWrapper(specOf(name, libatomic));
    const gccScript = (name: string, libatomic?: { out: string; drvPath: string }) =>
      Object.entries(wrapper(name, libatomic).env).find(
        ([k, v]) => k.startsWith("content_") && v.includes("compiler for"),
      )?.[1] ?? "";
    assert.match(gccScript("mips-linux-gnu"), /args\+=\(-latomic\)/);
    assert.doesNotMatch(gccScript("aarch64-multiplatform"), /-latomic/);
    // 32-bit ARM: Debian's libatomic.a has IFUNC symbols, so a static set's -latomic finds one
    // built in the store (its -L first); ARMv5 also links it after every program.
    const { ownLibatomic } = await import("../toolchains/cc-wrapper.js");
    for (const name of ["sheevaplug", "raspberryPi", "armv7l-hf-multiplatform"])
      assert.ok(ownLibatomic(hostOf(name)), name);
    for (const name of ["mips-linux-gnu", "aarch64-multiplatform", "ppc32"])
      assert.ok(!ownLibatomic(hostOf(name)), name);
    // Dynamic musl: every CPU where a program may link -latomic (Debian's libatomic.so is
    // glibc's), and no other.
    const dynamicMuslOf = (name: string) =>
      elaboratePlatform(hostSpecOf({ base: examples[name]!, static: false, musl: true }));
    for (const name of [
      "mips-linux-gnu",
      "ppc32",
      "m68k",
      "raspberryPi",
      "armv7l-hf-multiplatform",
    ])
      assert.ok(ownLibatomic(dynamicMuslOf(name)), name);
    // RISC-V's gcc links -latomic with every -pthread.
    assert.ok(ownLibatomic(dynamicMuslOf("riscv64")), "riscv64");
    for (const name of ["aarch64-multiplatform", "mips64-linux-gnuabi64", "s390x", "ppc64"])
      assert.ok(!ownLibatomic(dynamicMuslOf(name)), name);
    assert.ok(!ownLibatomic(examplePlatform("mips-linux-gnu")), "glibc sets take Debian's");
    const own = { out: "/a", drvPath: "/a.drv" };
    assert.match(gccScript("sheevaplug", own), /^args=\(.* -L\/a\/lib\)$/m);
    assert.match(gccScript("sheevaplug", own), /args\+=\(-latomic\)/);
    assert.match(gccScript("raspberryPi", own), /^args=\(.* -L\/a\/lib\)$/m);
    assert.doesNotMatch(gccScript("raspberryPi", own), /-latomic/);
    assert.deepEqual(wrapper("sheevaplug", own).inputDrvs["/a.drv"], ["out"]);
    // A dynamic musl mips link takes the store's archive after the program, as a static
    // one does; without it (the base stdenv that builds libatomic itself), nothing.
    const dynSpec = (libatomic?: { out: string; drvPath: string }) => {
      const host = dynamicMuslOf("mips-linux-gnu");
      const base = specOf("mips-linux-gnu", libatomic);
      return { ...base, host, toolchain: hostToolchain(host, build) };
    };
    const dynScript = (libatomic?: { out: string; drvPath: string }) =>
      Object.values(ccWrapper(dynSpec(libatomic)).env).find((v) => v.includes("compiler for")) ??
      "";
    assert.match(dynScript(own), /^args=\(.* -L\/a\/lib\)$/m);
    // After every link, shared libraries' too (not only where $shared is 0).
    assert.match(dynScript(own), /^ {2}args\+=\(-latomic\)$/m);
    assert.doesNotMatch(dynScript(), /-latomic|-L\/a/);
    // The C++ wrapper's -L is libstdcxx's, whose libatomic is built the same way.
    const { cxxWrapper } = await import("../toolchains/cc-wrapper.js");
    const cxx = cxxWrapper(specOf("sheevaplug", own), {
      kind: "libstdcxx",
      out: "/s",
      drvPath: "/s.drv",
    });
    const cxxScript = Object.values(cxx.env).find((v) => v.includes("compiler for")) ?? "";
    assert.match(cxxScript, /-L\/s\/lib/);
    assert.doesNotMatch(cxxScript, /-L\/a\/lib/);
    // And the package set gives it to the static sets of 32-bit ARM only.
    const { PackageUniverse } = await import("../pkgs/top-level.js");
    const u = new PackageUniverse(build, "/xpkgs/store");
    const libatomicDrvs = (attr: string) =>
      u.graph
        .closure(u.resolve(attr).drvPath)
        .map((d) => d.drvPath)
        .filter((d) => /-libatomic-/.test(d));
    for (const [attr, cpu] of [
      ["pkgsCross.sheevaplug.pkgsStatic.hello", "armv5tel-unknown-linux-musleabi"],
      ["pkgsCross.raspberryPi.pkgsStatic.hello", "armv6l-unknown-linux-musleabihf"],
      ["pkgsCross.muslpi.hello", "armv6l-unknown-linux-musleabihf"],
      ["pkgsCross.armv7l-hf-multiplatform-musl.hello", "armv7l-unknown-linux-musleabihf"],
      ["pkgsCross.mips-linux-gnu.pkgsMusl.hello", "mips-unknown-linux-musl"],
      ["pkgsCross.riscv64-musl.hello", "riscv64-unknown-linux-musl"],
    ] as const) {
      assert.equal(libatomicDrvs(attr).length, 1, attr);
      assert.ok(libatomicDrvs(attr)[0]!.includes(cpu), attr);
    }
    // One libatomic per CPU: the static and the dynamic set share it, and so its derivation
    // is what the static set had before the dynamic one took it (its base stdenv).
    assert.deepEqual(
      libatomicDrvs("pkgsCross.raspberryPi.pkgsStatic.hello"),
      libatomicDrvs("pkgsCross.muslpi.hello"),
    );
    for (const attr of [
      "pkgsCross.sheevaplug.hello",
      "pkgsCross.mips-linux-gnu.pkgsStatic.hello",
      "pkgsCross.aarch64-multiplatform-musl.hello",
      "pkgsCross.riscv64.pkgsStatic.hello",
      "pkgsCross.aarch64-multiplatform.pkgsStatic.hello",
    ])
      assert.deepEqual(libatomicDrvs(attr), [], attr);
  });
});
