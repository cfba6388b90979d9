import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  MatrixInputError,
  attrOf,
  checkNames,
  listOption,
  planCells,
  publishCells,
} from "./cells.js";
import { buildMachinePlatform, muslArch } from "../systems/elaborate.js";
import { examplePlatform } from "../systems/named.js";
import { inEmptyRoot } from "./empty-root.js";
import {
  type MatrixCell,
  type MatrixFile,
  classify,
  mergeCells,
  readMatrixFile,
  statuses,
} from "./record.js";
import { publishedSummary, renderHtml, renderMarkdown } from "./render.js";

const at = "2026-12-01T00:00:00.000Z";
const cell = (over: Partial<MatrixCell> & Pick<MatrixCell, "package" | "target">): MatrixCell => ({
  linkage: "static",
  attr: attrOf({ linkage: "static", ...over }),
  status: "ran",
  checkedAt: at,
  ...over,
});
const file = (cells: MatrixCell[], date = at): MatrixFile => ({
  format: 1,
  generated: { date, commit: "abc123", machine: "Debian GNU/Linux 12 (bookworm), x86-64, 2 cores" },
  cells,
});

describe("matrix cells", () => {
  it("name their attribute paths as pkgsCross and pkgsStatic compose", () => {
    assert.equal(attrOf({ package: "hello", target: "native", linkage: "dynamic" }), "hello");
    assert.equal(
      attrOf({ package: "hello", target: "native", linkage: "static" }),
      "pkgsStatic.hello",
    );
    assert.equal(
      attrOf({ package: "zlib", target: "riscv64", linkage: "static" }),
      "pkgsCross.riscv64.pkgsStatic.zlib",
    );
    assert.equal(planCells(["a", "b"], ["native", "x"], ["dynamic", "static"]).length, 8);
  });
  it("refuse an unknown name with the nearest ones", () => {
    assert.throws(
      () => checkNames("target", ["aarch64-multiplatfrom"], ["native", "aarch64-multiplatform"]),
      (e: Error) =>
        e instanceof MatrixInputError &&
        /'aarch64-multiplatfrom' is not a target of the matrix\. Did you mean 'aarch64-multiplatform'\?/.test(
          e.message,
        ),
    );
    assert.throws(() => checkNames("package", ["helo"], ["hello", "zlib"]), /Did you mean 'hello'/);
    assert.deepEqual(listOption(" a, b,,a ", "--packages"), ["a", "b"]);
    assert.throws(() => listOption(",", "--packages"), MatrixInputError);
  });
});

describe("a cell's status", () => {
  it("follows from the facts, in order: refused, own failure, a dependency's, not built, smoke", () => {
    assert.equal(classify({ refused: "broken", buildFailed: true, valid: false }), "refused");
    assert.equal(
      classify({ buildFailed: true, dependencyFailed: true, valid: false }),
      "build-failed",
    );
    assert.equal(classify({ dependencyFailed: true, valid: false }), "dependency-failed");
    assert.equal(classify({ valid: false }), "not-built");
    assert.equal(classify({ valid: true, smokeOk: true }), "ran");
    assert.equal(classify({ valid: true, smokeOk: false }), "smoke-failed");
    assert.equal(classify({ valid: true }), "smoke-failed");
  });
});

describe("merging a run into the matrix file", () => {
  it("replaces the cells judged again, keeps the others, and sorts them", () => {
    const old = file([
      cell({ package: "zlib", target: "riscv64", status: "build-failed", reason: "old" }),
      cell({ package: "hello", target: "riscv64", status: "ran" }),
      cell({ package: "hello", target: "native", linkage: "dynamic" }),
    ]);
    const fresh = file(
      [
        cell({ package: "zlib", target: "riscv64", status: "ran" }),
        cell({ package: "hello", target: "aarch64-multiplatform" }),
      ],
      "2026-12-02T00:00:00.000Z",
    );
    const merged = mergeCells(old, fresh);
    assert.equal(merged.generated.date, "2026-12-02T00:00:00.000Z");
    assert.deepEqual(
      merged.cells.map((c) => `${c.package} ${c.target} ${c.linkage} ${c.status}`),
      [
        "hello native dynamic ran",
        "hello aarch64-multiplatform static ran",
        "hello riscv64 static ran",
        "zlib riscv64 static ran",
      ],
    );
    assert.equal(mergeCells(null, fresh).cells.length, 2);
  });
  it("reads an existing file, and refuses one that is not a matrix", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-matrix-"));
    assert.equal(readMatrixFile(join(dir, "none.json")), null);
    writeFileSync(
      join(dir, "m.json"),
      JSON.stringify(file([cell({ package: "a", target: "native" })])),
    );
    assert.equal(readMatrixFile(join(dir, "m.json"))!.cells.length, 1);
    writeFileSync(join(dir, "other.json"), "{}");
    assert.throws(() => readMatrixFile(join(dir, "other.json")), /not a matrix file of xpkgs/);
    writeFileSync(join(dir, "bad.json"), "{");
    assert.throws(() => readMatrixFile(join(dir, "bad.json")), /is not JSON/);
  });
});

const sample = file([
  cell({
    package: "hello",
    target: "native",
    linkage: "dynamic",
    size: 80_000,
    elf: { machine: "x86-64", static: false, interpreter: "/lib64/ld-linux-x86-64.so.2" },
  }),
  cell({
    package: "hello",
    target: "native",
    size: 90_000,
    emptyRoot: { ok: true, command: [], reason: "" },
  }),
  cell({
    package: "hello",
    target: "raspberryPi",
    status: "smoke-failed",
    reason: "exit null: timed out",
    emptyRoot: { ok: false, command: [], reason: "timed out" },
  }),
  cell({
    package: "zlib",
    target: "raspberryPi",
    status: "build-failed",
    reason: "builder exited with status 2 | </script><b>",
    log: {
      path: "/x/log/abc.drv.log",
      tail: ["make: *** [all] Error 2", "</pre><script>alert(1)</script>"],
      drvPath: "/x/abc.drv",
    },
  }),
  cell({
    package: "zlib",
    target: "native",
    linkage: "dynamic",
    status: "refused",
    reason: "marked broken",
  }),
]);

describe("the markdown page", () => {
  it("has a row per package, a column per target, dynamic / static per cell, and every red cell's cause", () => {
    const md = renderMarkdown(sample);
    assert.match(md, /^# The package matrix\n/);
    assert.match(
      md,
      /at commit abc123, on Debian GNU\/Linux 12 \(bookworm\), x86-64, 2 cores\. 5 cells: 2 built and ran/,
    );
    assert.match(md, /\| package \| native \| raspberryPi \|\n\| --- \| :-: \| :-: \|\n/);
    assert.match(md, /\| hello \| ✔ \/ ✔ \| \/ ✘ \|\n/);
    assert.match(md, /\| zlib \| ⊖ \/ \| \/ ✖ \|\n/);
    assert.match(
      md,
      /- `pkgsCross\.raspberryPi\.pkgsStatic\.zlib`: build failed: builder exited with status 2 \\\| <\/script><b> \(log: `\/x\/log\/abc\.drv\.log`\)/,
    );
    assert.match(md, /- `zlib`: refused by meta: marked broken/);
  });
});

describe("the published matrix", () => {
  const isStatic = (t: string) => t === "native" || muslArch(examplePlatform(t).parsed) !== null;
  const set = publishCells(["hello", "busybox", "zlib"], buildMachinePlatform(), isStatic);
  it("is every package native and aarch64 dynamic and static on six targets, and the core set static everywhere musl is", () => {
    const of = (p: string, l: string) =>
      set.filter((c) => c.package === p && c.linkage === l).map((c) => c.target);
    assert.deepEqual(of("hello", "dynamic"), ["native", "aarch64-multiplatform"]);
    assert.deepEqual(of("hello", "static"), [
      "aarch64-multiplatform",
      "armv7l-hf-multiplatform",
      "raspberryPi",
      "riscv64",
      "mips-linux-gnu",
      "s390x",
    ]);
    const busybox = of("busybox", "static");
    for (const t of ["native", "muslpi", "ppc64-musl", "mips64el-linux-gnuabi64", "m68k"])
      assert.ok(busybox.includes(t), t);
    // sparc64 and alpha have no musl port: no static variant to publish.
    assert.ok(!busybox.includes("sparc64") && !busybox.includes("alpha"));
    assert.equal(new Set(busybox).size, busybox.length, "no cell twice");
  });
  it("is summed up as green cells of the whole set, counting the ones not built yet", () => {
    const f = file([
      cell({ package: "hello", target: "riscv64" }),
      cell({ package: "zlib", target: "riscv64", status: "build-failed" }),
    ]);
    const text = publishedSummary(f, set);
    assert.match(text, new RegExp(`has ${set.length} cells: \\*\\*1 built and ran \\(`));
    assert.match(text, new RegExp(`1 did not \\(below\\), ${set.length - 2} not built yet`));
    assert.match(renderMarkdown(f, set), /\*\*The published matrix\*\*/);
  });
});

describe("the HTML page", () => {
  it("is one self-contained file: a cell per package, target and linkage, with colour, symbol and size", () => {
    const html = renderHtml(sample);
    assert.doesNotMatch(html, /<link |src="http|href="http|@import/);
    const cells = [
      ...html.matchAll(
        /<td class="cell s-([a-z-]+)" data-index="(\d+)" data-package="([^"]+)" data-target="([^"]+)" data-linkage="([a-z]+)"/g,
      ),
    ];
    assert.equal(cells.length, sample.cells.length);
    assert.deepEqual(
      cells.map((m) => `${m[3]} ${m[4]} ${m[5]} ${m[1]}`).sort(),
      sample.cells.map((c) => `${c.package} ${c.target} ${c.linkage} ${c.status}`).sort(),
    );
    for (const s of statuses) assert.match(html, new RegExp(`\\.s-${s}\\{background:#`));
    assert.match(html, /✔<span class="size">78 KiB<\/span>/);
    // A missing combination is an empty, unclickable cell.
    assert.equal([...html.matchAll(/<td class="cell absent"><\/td>/g)].length, 3);
  });
  it("cannot be broken out of by what a log or a reason says", () => {
    const html = renderHtml(sample);
    assert.equal(html.match(/<\/script>/g)!.length, 2);
    assert.doesNotMatch(html, /<b>"/);
    assert.match(html, /\\u003c\/pre>\\u003cscript>alert\(1\)\\u003c\/script>/);
    const data = /<script type="application\/json" id="matrix-data">(.*?)<\/script>/s.exec(
      html,
    )![1]!;
    assert.deepEqual(JSON.parse(data), sample);
  });
});

describe("the empty root", () => {
  it("binds only the program, and qemu when the program is foreign", () => {
    const native = inEmptyRoot([], "/store/x-hello/bin/hello", ["--version"]);
    assert.match(native[0]!, /bwrap$/);
    const i = native.indexOf("--");
    assert.deepEqual(native.slice(i + 1), ["/hello", "--version"]);
    assert.deepEqual(
      native.filter((a, k) => native[k - 1] === "--ro-bind" || native[k - 2] === "--ro-bind"),
      ["/store/x-hello/bin/hello", "/hello"],
    );
    assert.ok(!native.includes("/usr"));
    const foreign = inEmptyRoot(["qemu-aarch64-static", "-cpu", "cortex-a53"], "/s/bin/hello", []);
    assert.deepEqual(foreign.slice(foreign.indexOf("--") + 1), [
      "/.qemu-user",
      "-cpu",
      "cortex-a53",
      "/hello",
    ]);
    assert.ok(foreign.includes("/usr/bin/qemu-aarch64-static"));
  });
});
