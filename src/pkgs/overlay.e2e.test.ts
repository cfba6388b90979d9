// Overlays as users write them: a TypeScript file given with -f, and the same
// overlay found as xpkgs.config.ts in the project directory.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { e2eStoreEnv, runCli, runCliAsync } from "../cli/testing.js";

const example = fileURLToPath(new URL("../../docs/examples/overlay.ts", import.meta.url));

describe("overlays", () => {
  it("add a package that cross-compiles and links statically like the built-in ones", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-overlay-"));
    const env = e2eStoreEnv(root);
    const r = await runCliAsync(
      ["-f", example, "build", "pkgsStatic.pkgsCross.aarch64-multiplatform.greeter"],
      env,
      root,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /-greeter-static-aarch64-unknown-linux-musl-1\.0\n$/);
    const out = execFileSync("qemu-aarch64-static", [join(root, "result", "bin", "greeter")], {
      encoding: "utf8",
    });
    assert.equal(out, "hi from an overlay\n");
  });

  it("change built-in packages, and are found as xpkgs.config.ts in the project", () => {
    const project = mkdtempSync(join(tmpdir(), "xpkgs-project-"));
    const env = {
      XPKGS_STORE_DIR: "/xpkgs/store",
      XDG_CONFIG_HOME: join(project, "no-user-config"),
    };
    const plain = JSON.parse(runCli(["show", "--json", "hello"], env).stdout) as {
      drvPath: string;
    };
    const withFlag = runCli(["-f", example, "show", "--json", "hello"], env);
    assert.equal(withFlag.status, 0, withFlag.stderr);
    const overlaid = JSON.parse(withFlag.stdout) as { drvPath: string };
    assert.notEqual(overlaid.drvPath, plain.drvPath);
    copyFileSync(example, join(project, "xpkgs.config.ts"));
    const fromConfig = runCliIn(project, ["show", "--json", "hello"], env);
    assert.equal(JSON.parse(fromConfig).drvPath, overlaid.drvPath);
    const list = runCliIn(project, ["list"], env);
    assert.match(list, /^greeter\s+1\.0\s+linux\s+Says hi/m);
  });

  it("take Nixpkgs' top-level hooks (issue 13's overlay: postInstall was silently ignored)", async () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-barhello-"));
    const file = join(root, "barhello.ts");
    writeFileSync(
      file,
      `export default (final: any, prev: any) => ({
  barhello: prev.hello.overrideAttrs(() => ({ pname: "barhello", postInstall: "mv $out/bin/hello $out/bin/barhello" })),
});
`,
    );
    const r = await runCliAsync(["-f", file, "build", "barhello"], e2eStoreEnv(root), root);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      execFileSync(join(root, "result", "bin", "barhello"), { encoding: "utf8" }),
      "Hello, world!\n",
    );
    assert.equal(existsSync(join(root, "result", "bin", "hello")), false);
  });

  it("refuse an attribute mkDerivation does not know, naming the closest", () => {
    const root = mkdtempSync(join(tmpdir(), "xpkgs-typo-"));
    const file = join(root, "typo.ts");
    writeFileSync(
      file,
      'export default (final: any, prev: any) => ({ typo: prev.hello.overrideAttrs(() => ({ postInstal: "true" })) });\n',
    );
    const r = runCli(["-f", file, "show", "typo"], { XPKGS_STORE_DIR: "/xpkgs/store" });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^error: hello: mkDerivation does not know the attribute 'postInstal'\. Did you mean 'postInstall'/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1, "one paragraph");
  });

  it("refuses a file that exports no overlay, with the fix", () => {
    const dir = mkdtempSync(join(tmpdir(), "xpkgs-bad-overlay-"));
    writeFileSync(join(dir, "bad.ts"), "export default 42;\n");
    const r = runCli(["-f", join(dir, "bad.ts"), "show", "hello"], { XDG_CONFIG_HOME: dir });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /does not export an overlay\. Its default export must be an overlay/);
  });
});

function runCliIn(cwd: string, args: string[], env: Record<string, string>): string {
  return execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../cli/main.js", import.meta.url)), ...args],
    {
      cwd,
      env: { ...process.env, ...env },
      encoding: "utf8",
    },
  );
}
