// trend.html: the trend as one self-contained page (no scripts, no network): a sparkline per figure
// drawn as inline SVG, regressed runs in red, then the runs table. Content from content.ts.
import {
  figuresTable,
  FLAG,
  headline,
  latestLines,
  runsTable,
  settingsLine,
  type Cell,
  type Table,
} from "./content.ts";
import { fmtFigure } from "./describe.ts";
import type { FigureTrend, Trend } from "./trend.ts";

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const W = 220;
const H = 40;
const PAD = 4;

/**
 * One figure across runs: a line through the measured values (broken where a run measured nothing),
 * a dot per run with its value as a tooltip, red where the run regressed.
 */
export function sparkline(f: FigureTrend, runs: readonly string[]): string {
  const present = f.values.filter((v): v is number => v !== null);
  const label = `${f.spec.label} across ${f.values.length} runs`;
  if (present.length === 0) {
    return `<svg class="spark" role="img" aria-label="${escapeHtml(label)}: not measured" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><text x="${PAD}" y="${H / 2 + 4}" class="na">not measured</text></svg>`;
  }
  const lo = Math.min(0, ...present);
  const hi = Math.max(...present);
  const span = hi - lo || 1;
  const n = f.values.length;
  const x = (i: number): number => (n === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (n - 1));
  const y = (v: number): number => H - PAD - ((v - lo) / span) * (H - 2 * PAD);
  const segments: string[][] = [[]];
  const dots: string[] = [];
  f.values.forEach((v, i) => {
    if (v === null) {
      segments.push([]);
      // A figure the run no longer measured: a red cross on the axis, where a value would be.
      if (f.regressed[i] === true) {
        const cx = x(i);
        const cy = H - PAD;
        dots.push(
          `<path class="missing regressed" d="M${(cx - 3).toFixed(1)},${cy - 3} l6,6 m0,-6 l-6,6">` +
            `<title>${escapeHtml(`${runs[i] ?? ""}: not measured ${FLAG} regression`)}</title></path>`,
        );
      }
      return;
    }
    const px = x(i).toFixed(1);
    const py = y(v).toFixed(1);
    segments.at(-1)!.push(`${px},${py}`);
    const cls = f.regressed[i] === true ? "dot regressed" : "dot";
    const tip = `${runs[i] ?? ""}: ${fmtFigure(f.spec, v)}${f.regressed[i] === true ? ` ${FLAG} regression` : ""}`;
    dots.push(
      `<circle class="${cls}" cx="${px}" cy="${py}" r="2.5"><title>${escapeHtml(tip)}</title></circle>`,
    );
  });
  const lines = segments
    .filter((s) => s.length > 1)
    .map((s) => `<polyline class="line" points="${s.join(" ")}"/>`)
    .join("");
  return (
    `<svg class="spark" role="img" aria-label="${escapeHtml(label)}" width="${W}" height="${H}" ` +
    `viewBox="0 0 ${W} ${H}">${lines}${dots.join("")}</svg>`
  );
}

function cellHtml(c: Cell, tag = "td"): string {
  const text = escapeHtml(c.text) + (c.flag === true ? ` ${FLAG}` : "");
  return c.flag === true ? `<${tag} class="regressed">${text}</${tag}>` : `<${tag}>${text}</${tag}>`;
}

function tableHtml(t: Table, extra?: { header: string; cells: string[] }): string {
  const head = [...t.header, ...(extra ? [extra.header] : [])]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join("");
  const rows = t.rows
    .map(
      (r, i) =>
        `<tr>${r.map((c) => cellHtml(c)).join("")}${extra ? `<td>${extra.cells[i] ?? ""}</td>` : ""}</tr>`,
    )
    .join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f3f3f3; }
td.regressed, li.regressed { color: #b00020; font-weight: 600; }
.spark .line { fill: none; stroke: #3465a4; stroke-width: 1.5; }
.spark .dot { fill: #3465a4; }
.spark .dot.regressed { fill: #b00020; }
.spark .missing { stroke: #b00020; stroke-width: 1.5; }
.spark .na { fill: #888; font-size: 12px; }
p.settings { color: #555; max-width: 60em; }
`;

export function renderTrendHtml(t: Trend): string {
  const latest = latestLines(t);
  const runs = t.runs.map((r) => r.entry.run);
  const title = escapeHtml(headline(t));
  const regressions =
    latest.regressions.length === 0
      ? ""
      : `<ul>${latest.regressions.map((r) => `<li class="regressed">${FLAG} ${escapeHtml(r)}</li>`).join("")}</ul>`;
  const body = [
    `<h1>${title}</h1>`,
    `<p>${escapeHtml(latest.verdict)}</p>`,
    regressions,
    `<h2>Figures</h2>`,
    tableHtml(figuresTable(t), { header: "across runs", cells: t.figures.map((f) => sparkline(f, runs)) }),
    `<p class="settings">${escapeHtml(settingsLine(t))}</p>`,
    `<h2>Runs</h2>`,
    tableHtml(runsTable(t)),
    t.warnings.length === 0
      ? ""
      : `<h2>Warnings</h2><ul>${t.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`,
  ];
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
    `<style>${CSS}</style></head><body>\n${body.filter((b) => b !== "").join("\n")}\n</body></html>\n`
  );
}
