/**
 * A matrix file for people: a markdown table (docs/matrix.md is made from
 * it) and one self-contained HTML page, a grid of packages × targets in the
 * manner of Hydra's job views (no server, no network: inline CSS and JS).
 */
import {
  type CellId,
  type Linkage,
  cellKey,
  linkages,
  publishCore,
  publishStaticTargets,
} from "./cells.js";
import {
  type CellStatus,
  type MatrixCell,
  type MatrixFile,
  countByStatus,
  statuses,
} from "./record.js";

export const statusLook: Readonly<
  Record<CellStatus, { symbol: string; colour: string; label: string }>
> = {
  ran: { symbol: "✔", colour: "#2e7d32", label: "built and ran" },
  "smoke-failed": { symbol: "✘", colour: "#ef6c00", label: "built, smoke test failed" },
  "build-failed": { symbol: "✖", colour: "#c62828", label: "build failed" },
  "dependency-failed": { symbol: "⊘", colour: "#8d4a3c", label: "a dependency failed" },
  refused: { symbol: "⊖", colour: "#6a1b9a", label: "refused by meta" },
  "not-built": { symbol: "·", colour: "#9e9e9e", label: "not built" },
};

interface Grid {
  packages: string[];
  targets: string[];
  at(pkg: string, target: string, linkage: Linkage): MatrixCell | undefined;
}

function gridOf(f: MatrixFile): Grid {
  const packages: string[] = [];
  const targets: string[] = [];
  const byKey = new Map<string, MatrixCell>();
  for (const c of f.cells) {
    if (!packages.includes(c.package)) packages.push(c.package);
    if (!targets.includes(c.target)) targets.push(c.target);
    byKey.set(`${c.package} ${c.target} ${c.linkage}`, c);
  }
  packages.sort();
  targets.sort((a, b) => (a === "native" ? -1 : b === "native" ? 1 : a.localeCompare(b)));
  return { packages, targets, at: (p, t, l) => byKey.get(`${p} ${t} ${l}`) };
}

function summary(f: MatrixFile): string {
  const n = countByStatus(f.cells);
  return statuses
    .filter((s) => n[s] > 0)
    .map((s) => `${n[s]} ${statusLook[s].label}`)
    .join(", ");
}

export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const mdEscape = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * How the published set stands: its cells that the file holds, by status, and those it
 * does not hold yet. A cell counts as green only when it ran, in an empty root too where
 * it is static.
 */
export function publishedSummary(f: MatrixFile, published: readonly CellId[]): string {
  const byKey = new Map(f.cells.map((c) => [cellKey(c), c]));
  const held = published.map((id) => byKey.get(cellKey(id))).filter((c) => c !== undefined);
  const green = held.filter((c) => c.status === "ran" && (c.emptyRoot?.ok ?? true)).length;
  const pct = published.length === 0 ? 0 : (100 * green) / published.length;
  const missing = published.length - held.length;
  const words = (xs: readonly string[]) => `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`;
  return (
    `**The published matrix** (\`xpkgs matrix --publish\`: every package native and ` +
    `aarch64-multiplatform dynamic; every package static on ${words(publishStaticTargets)}; ` +
    `${words(publishCore)} static on every default target (a Debian cross compiler and qemu) ` +
    `with a musl port) has ${published.length} cells: **${green} built and ran (${pct.toFixed(1)} %; ` +
    `the target is 95 %)**` +
    (held.length > green ? `, ${held.length - green} did not (below)` : "") +
    (missing > 0 ? `, ${missing} not built yet` : "") +
    "."
  );
}

/** The markdown page: the grid (dynamic / static per cell), then every cell that did not run, with its cause. */
export function renderMarkdown(f: MatrixFile, published?: readonly CellId[]): string {
  const g = gridOf(f);
  const out: string[] = [];
  out.push("# The package matrix", "");
  out.push(
    `Made by \`xpkgs matrix\` on ${f.generated.date.slice(0, 10)}, at commit ` +
      `${f.generated.commit ?? "unknown"}, on ${f.generated.machine}. ${f.cells.length} cells: ` +
      `${summary(f)}.`,
    "",
  );
  const commits = [...new Set(f.cells.map((c) => c.commit ?? "before per-cell commits"))];
  if (commits.length > 1)
    out.push(
      `The cells were judged in several runs, at these commits: ${commits.join(", ")} ` +
        "(each cell's `commit` in the JSON).",
      "",
    );
  if (published !== undefined) out.push(publishedSummary(f, published), "");
  out.push(
    "Each cell is dynamic / static. " +
      statuses.map((s) => `${statusLook[s].symbol} ${statusLook[s].label}`).join(", ") +
      "; blank: not in the matrix. A static cell marked ◌ ran with the store, but not in an empty root.",
    "",
  );
  out.push(`| package | ${g.targets.join(" | ")} |`);
  out.push(`| --- | ${g.targets.map(() => ":-:").join(" | ")} |`);
  for (const p of g.packages) {
    const row = g.targets.map((t) =>
      linkages
        .map((l) => {
          const c = g.at(p, t, l);
          if (c === undefined) return "";
          const empty = c.status === "ran" && c.emptyRoot !== undefined && !c.emptyRoot.ok;
          return `${statusLook[c.status].symbol}${empty ? "◌" : ""}`;
        })
        .join(" / ")
        .trim(),
    );
    out.push(`| ${p} | ${row.join(" | ")} |`);
  }
  const red = f.cells.filter(
    (c) => c.status !== "ran" || (c.emptyRoot !== undefined && !c.emptyRoot.ok),
  );
  if (red.length > 0) {
    out.push("", "## Cells that did not run, and why", "");
    for (const c of red) {
      const why =
        c.status === "ran"
          ? `ran, but not in an empty root: ${c.emptyRoot!.reason}`
          : `${statusLook[c.status].label}: ${c.reason ?? ""}`;
      const log = c.log !== undefined && c.log.path !== null ? ` (log: \`${c.log.path}\`)` : "";
      out.push(`- \`${c.attr}\`: ${mdEscape(why)}${log}`);
    }
  }
  return `${out.join("\n")}\n`;
}

const htmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

/** JSON inside a <script> element: nothing in it may close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const css = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
.meta{color:#555;margin:0 0 1em}
.legend span{display:inline-block;margin-right:1.2em}
.legend b,.cell{font-weight:bold}
table.grid{border-collapse:collapse;margin-top:1em}
.grid th,.grid td{border:1px solid #ddd;padding:2px 5px;text-align:center;white-space:nowrap}
.grid thead th{background:#f5f5f5;font-weight:normal;vertical-align:bottom}
.grid thead th.target{writing-mode:vertical-rl;transform:rotate(180deg);max-height:14em}
.grid tbody th{text-align:left;background:#fafafa}
.cell{cursor:pointer;min-width:3.2em}
.cell .size{display:block;font-weight:normal;font-size:.72em;color:#555}
.cell.absent{cursor:default;background:#fff}
.cell:hover{outline:2px solid #333}
.cell.selected{outline:3px solid #1565c0}
.er{font-size:.8em;margin-left:1px}
${statuses.map((s) => `.s-${s}{background:${statusLook[s].colour}22;color:${statusLook[s].colour}}`).join("\n")}
#details{margin-top:1.2em;padding:.8em 1em;border:1px solid #ccc;background:#fcfcfc;max-width:70em}
#details pre{background:#111;color:#eee;padding:.6em;overflow:auto;max-height:30em;font-size:12px}
#details dt{font-weight:bold;float:left;clear:left;width:9em}
#details dd{margin-left:9.5em}
`;

const js = `
(function () {
  var cells = JSON.parse(document.getElementById("matrix-data").textContent).cells;
  var details = document.getElementById("details");
  var selected = null;
  function add(dl, term, text) {
    if (text === undefined || text === null || text === "") return;
    var dt = document.createElement("dt"); dt.textContent = term; dl.appendChild(dt);
    var dd = document.createElement("dd"); dd.textContent = String(text); dl.appendChild(dd);
  }
  function run(r) {
    if (!r) return undefined;
    return (r.ok ? "passed" : "failed: " + r.reason) + " — " + r.command.join(" ");
  }
  function show(td) {
    var c = cells[Number(td.getAttribute("data-index"))];
    if (selected) selected.classList.remove("selected");
    selected = td; td.classList.add("selected");
    details.textContent = "";
    var h = document.createElement("h2"); h.textContent = c.attr; details.appendChild(h);
    var dl = document.createElement("dl"); details.appendChild(dl);
    add(dl, "status", c.status);
    add(dl, "why", c.reason);
    add(dl, "platform", c.triple);
    if (c.elf) add(dl, "ELF", c.elf.machine + ", " + (c.elf.static ? "static" : "dynamic, " + (c.elf.interpreter || "no interpreter")));
    add(dl, "size", c.size !== undefined ? c.size + " bytes" : undefined);
    add(dl, "build time", c.buildSeconds !== undefined && c.buildSeconds !== null ? c.buildSeconds + " s" : undefined);
    add(dl, "smoke test", run(c.smoke));
    add(dl, "empty root", run(c.emptyRoot));
    add(dl, "output", c.outPath);
    add(dl, "checked", c.checkedAt);
    if (c.log) {
      add(dl, "log", c.log.path || "(none)");
      var pre = document.createElement("pre");
      pre.className = "log-tail";
      pre.textContent = c.log.tail.join("\\n");
      details.appendChild(pre);
    }
  }
  document.querySelectorAll("td.cell[data-index]").forEach(function (td) {
    td.addEventListener("click", function () { show(td); });
  });
  document.body.setAttribute("data-ready", String(cells.length));
})();
`;

/** The HTML page: legend, grid (dynamic and static side by side per target), and a details panel. */
export function renderHtml(f: MatrixFile): string {
  const g = gridOf(f);
  const index = new Map(f.cells.map((c, i) => [c, i]));
  const head = g.targets
    .map((t) => `<th class="target" colspan="${linkages.length}">${htmlEscape(t)}</th>`)
    .join("");
  const sub = g.targets
    .map(() => linkages.map((l) => `<th>${l === "dynamic" ? "dyn" : "static"}</th>`).join(""))
    .join("");
  const rows = g.packages.map((p) => {
    const tds = g.targets.flatMap((t) =>
      linkages.map((l) => {
        const c = g.at(p, t, l);
        if (c === undefined) return `<td class="cell absent"></td>`;
        const look = statusLook[c.status];
        const emptyFail = c.emptyRoot !== undefined && !c.emptyRoot.ok;
        const title = `${c.attr}: ${look.label}${c.reason !== undefined ? ` — ${c.reason}` : ""}`;
        return (
          `<td class="cell s-${c.status}" data-index="${index.get(c)}" data-package="${htmlEscape(p)}" ` +
          `data-target="${htmlEscape(t)}" data-linkage="${l}" data-status="${c.status}" title="${htmlEscape(title)}">` +
          `${look.symbol}${emptyFail ? '<span class="er" title="not in an empty root">◌</span>' : ""}` +
          `<span class="size">${htmlEscape(formatSize(c.size))}</span></td>`
        );
      }),
    );
    return `<tr><th>${htmlEscape(p)}</th>${tds.join("")}</tr>`;
  });
  const legend = statuses
    .map(
      (s) =>
        `<span><b style="color:${statusLook[s].colour}">${statusLook[s].symbol}</b> ${statusLook[s].label}</span>`,
    )
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>xpkgs matrix</title>
<style>${css}</style>
</head>
<body>
<h1>xpkgs matrix</h1>
<p class="meta">${htmlEscape(
    `${f.generated.date} · commit ${f.generated.commit ?? "unknown"} · ${f.generated.machine} · ` +
      `${f.cells.length} cells: ${summary(f)}`,
  )}</p>
<p class="legend">${legend}<span>◌ ran with the store, not in an empty root</span></p>
<table class="grid">
<thead><tr><th rowspan="2">package</th>${head}</tr><tr>${sub}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<div id="details"><p>Click a cell for its details and, for a failure, its log.</p></div>
<script type="application/json" id="matrix-data">${scriptJson(f)}</script>
<script>${js}</script>
</body>
</html>
`;
}
