/** Temporary GC roots: the paths a running xpkgs process uses, in `<state>/temproots/<pid>`. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Record paths this process is using, so that a concurrent gc keeps them. */
export class TempRoots {
  private readonly file: string;
  private readonly paths = new Set<string>();
  constructor(stateDir: string) {
    const dir = join(stateDir, "temproots");
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, String(process.pid));
  }
  add(paths: Iterable<string>): void {
    for (const p of paths) this.paths.add(p);
    writeFileSync(this.file, [...this.paths].join("\n") + "\n");
  }
  release(): void {
    rmSync(this.file, { force: true });
  }
}
