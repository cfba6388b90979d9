// A dynamic aarch64 glibc build, bundled, runs under qemu-user with an empty
// sysroot: -L points at an empty folder, so only the bundle can provide the
// loader and the libraries. And a native bundle's launcher works under
// busybox's sh in a root that holds nothing else.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCli } from "../cli/testing.js";
import { type BundleManifest, manifestName } from "./bundle.js";

const dir = mkdtempSync(join(tmpdir(), "xpkgs-bundle-e2e-"));
const env = e2eStoreEnv(dir);
const empty = join(dir, "empty");
mkdirSync(empty);

/** The launcher's exec line as argv, for a bundle at `b` started as `argv0` with `args`. */
function launcherArgv(b: string, name: string, args: string[]): string[] {
  const line = readFileSync(join(b, "bin", name), "utf8")
    .split("\n")
    .find((l) => l.startsWith("exec "));
  assert.ok(line !== undefined, "the launcher has an exec line");
  const words = line.slice(5).split(" ");
  return words.flatMap((w) => {
    if (w === '"$@"') return args;
    return [w.replace(/^"|"$/g, "").replace("$here", b).replace("$0", name)];
  });
}

describe("a bundled dynamic aarch64 glibc program", () => {
  const b = join(dir, "file-bundle");
  const attr = "pkgsCross.aarch64-multiplatform.file";
  it("bundles with its loader and every library, store ones included", () => {
    const r = runCli(["bundle", "-q", attr, "--dir", b], env);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(b, manifestName), "utf8")) as BundleManifest;
    assert.equal(m.arch, "aarch64");
    assert.equal(m.static, false);
    assert.equal(m.interpreter, "lib/ld-linux-aarch64.so.1");
    const libs = m.files.filter((f) => f.path.startsWith("lib/")).map((f) => f.path);
    for (const l of ["libmagic.so.1", "liblzma.so.5", "libz.so.1", "libc.so.6"]) {
      assert.ok(libs.includes(`lib/${l}`), `${l} in ${libs.join(" ")}`);
    }
    // The RUNPATHs named the zlib and xz store paths: after the rewrite no file does.
    const storeDir = env.XPKGS_STORE_DIR!;
    for (const f of m.files) {
      const bytes = readFileSync(join(b, f.path)).toString("latin1");
      assert.equal(
        /-zlib-|-xz-/.test(bytes.split(`${storeDir}/`).slice(1).join(" ")),
        false,
        f.path,
      );
    }
    // libmagic still names its magic database in the store: the report says so.
    assert.ok(
      m.warnings.some((w) => /lib\/libmagic\.so\.1 still names .*-file-/.test(w)),
      m.warnings.join("\n"),
    );
  });
  it("runs under qemu-aarch64 with -L an empty folder, through the launcher's command line", () => {
    const text = join(dir, "note.txt");
    writeFileSync(text, "just some words\n");
    const run = (args: string[]) =>
      spawnSync("qemu-aarch64-static", ["-L", empty, ...launcherArgv(b, "file", args)], {
        encoding: "utf8",
      });
    const version = run(["--version"]);
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^file-5\.44$/m);
    const typed = run(["-b", text]);
    assert.equal(typed.status, 0, typed.stderr);
    assert.equal(typed.stdout, "ASCII text\n");
    // Without the bundle's loader, the same empty sysroot has nothing to offer.
    const bare = spawnSync(
      "qemu-aarch64-static",
      ["-L", empty, join(b, "libexec/file"), "--version"],
      {
        encoding: "utf8",
      },
    );
    assert.notEqual(bare.status, 0);
  });
});

describe("a native bundle's launcher under busybox sh", () => {
  const busyboxSh = () => {
    const busybox = runCli(["build", "-q", "--no-out-link", "pkgsStatic.busybox"], env);
    assert.equal(busybox.status, 0, busybox.stderr);
    return join(busybox.stdout.trim(), "bin/busybox");
  };
  const inEmptyRoot = (b: string, args: string[], more: string[] = []) =>
    execFileSync(
      "bwrap",
      [
        "--ro-bind",
        b,
        "/b",
        "--ro-bind",
        busyboxSh(),
        "/bin/sh",
        ...more,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--",
        ...args,
      ],
      { encoding: "utf8" },
    );
  it("a dynamic musl build: musl's loader is its C library, and the program's loader is renamed /lib/…", () => {
    const b = join(dir, "musl-hello-bundle");
    const r = runCli(["bundle", "-q", "pkgsMusl.hello", "--dir", b], env);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(readFileSync(join(b, manifestName), "utf8")) as BundleManifest;
    assert.deepEqual(
      m.files.map((f) => f.path),
      ["bin/hello", "lib/ld-musl-x86_64.so.1", "libexec/hello"],
    );
    assert.equal(
      m.report.find((x) => x.path === "libexec/hello")?.interpreter,
      "/lib/ld-musl-x86_64.so.1",
    );
    assert.match(inEmptyRoot(b, ["/b/bin/hello", "--version"]), /^hello \(GNU Hello\) 2\.10$/m);
    // On a musl system (the loader at /lib), the program starts without the launcher too.
    assert.equal(
      inEmptyRoot(b, ["/b/libexec/hello"], ["--ro-bind", join(b, "lib"), "/lib"]),
      "Hello, world!\n",
    );
  });
  it("runs in a root holding only the bundle and a static busybox as /bin/sh", () => {
    const b = join(dir, "native-file-bundle");
    const r = runCli(["bundle", "-q", "file", "--dir", b], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(inEmptyRoot(b, ["/b/bin/file", "--version"]), /^file-5\.44$/m);
  });
});
