/**
 * Progress of a realisation. On a terminal: one status line, redrawn in
 * place, with each running build and its elapsed time. Elsewhere: one plain
 * line per event, for logs and CI.
 */
import type { Reporter, WorkKind } from "./scheduler.js";

export type Verbosity = "quiet" | "normal" | "verbose";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

const ing: Record<WorkKind, string> = {
  fetch: "fetching",
  build: "building",
  substitute: "substituting",
};
const ed: Record<WorkKind, string> = {
  fetch: "fetched",
  build: "built",
  substitute: "substituted",
};

export class ProgressReporter implements Reporter {
  private readonly running = new Map<string, { name: string; kind: string; since: number }>();
  private total = 0;
  private done = 0;
  private failed = 0;
  private readonly start = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private statusShown = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly verbosity: Verbosity,
    private readonly live = out.isTTY === true,
  ) {}

  private line(text: string): void {
    if (this.verbosity === "quiet") return;
    this.clearStatus();
    this.out.write(`${text}\n`);
    this.drawStatus();
  }

  private clearStatus(): void {
    if (this.live && this.statusShown) {
      this.out.write("\r\x1b[2K");
      this.statusShown = false;
    }
  }

  private drawStatus(): void {
    if (!this.live || this.verbosity === "quiet" || this.total === 0) return;
    const now = Date.now();
    const names = [...this.running.values()].map((r) => `${r.name} (${seconds(now - r.since)})`);
    const waiting = this.total - this.done - this.failed - this.running.size;
    let text =
      `[${this.done}/${this.total} done, ${this.running.size} running, ${waiting} waiting` +
      `${this.failed > 0 ? `, ${this.failed} failed` : ""}, ${seconds(now - this.start)}] ${names.join(", ")}`;
    const width = this.out.columns ?? 100;
    if (text.length > width - 1) text = `${text.slice(0, width - 2)}…`;
    this.out.write(text);
    this.statusShown = true;
  }

  plan(
    toFetch: string[],
    toBuild: string[],
    toSubstitute: { drvPath: string; from: string[] }[] = [],
  ): void {
    this.total = toFetch.length + toBuild.length + toSubstitute.length;
    if (this.total === 0) return;
    const list = (what: string, paths: string[]) =>
      paths.length === 0
        ? []
        : [`these ${paths.length} derivations will be ${what}:`, ...paths.map((p) => `  ${p}`)];
    const subs =
      toSubstitute.length === 0
        ? []
        : [
            `these ${toSubstitute.length} derivations' outputs will be substituted:`,
            ...toSubstitute.map((s) => `  ${s.drvPath} from ${s.from.join(", ")}`),
          ];
    for (const l of [...subs, ...list("fetched", toFetch), ...list("built", toBuild)]) this.line(l);
    if (this.live && this.verbosity !== "quiet") {
      this.timer = setInterval(() => {
        this.clearStatus();
        this.drawStatus();
      }, 250);
      this.timer.unref();
    }
  }

  started(drvPath: string, name: string, kind: WorkKind, where?: string): void {
    this.running.set(drvPath, {
      name: where !== undefined ? `${name} on ${where}` : name,
      kind,
      since: Date.now(),
    });
    this.line(`${ing[kind]} ${drvPath}${where !== undefined ? ` on ${where}` : ""}`);
  }

  waiting(drvPath: string, name: string): void {
    this.line(`waiting for another xpkgs process that is building ${name}`);
    void drvPath;
  }

  finished(drvPath: string, name: string, error: Error | null): void {
    const r = this.running.get(drvPath);
    this.running.delete(drvPath);
    if (error === null) {
      this.done++;
      if (r !== undefined)
        this.line(`${ed[r.kind as WorkKind]} ${r.name} in ${seconds(Date.now() - r.since)}`);
    } else {
      this.failed++;
      this.line(`failed: ${name}`);
    }
  }

  logLine(_drvPath: string, line: string): void {
    if (this.verbosity === "verbose") this.line(line);
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.clearStatus();
  }
}
