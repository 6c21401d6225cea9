// What a trend report says, as tables and lines; console.ts, markdown.ts and html.ts only write it out.
import { fmtMs } from "../report/format.ts";
import { againstText, describeRegression, fmtFigure } from "./describe.ts";
import { FIGURES } from "./figures.ts";
import type { IndexEntry } from "./index-format.ts";
import type { RunAssessment } from "./regressions.ts";
import type { FigureTrend, Rise, Trend } from "./trend.ts";

/** A table cell; `flag` marks a regression (▲ in text, red in HTML). */
export interface Cell {
  text: string;
  flag?: boolean;
}

export interface Table {
  header: string[];
  rows: Cell[][];
}

export const FLAG = "▲";

export function headline(t: Trend): string {
  return `Trend of ${t.drill}: ${t.runs.length} run${t.runs.length === 1 ? "" : "s"}`;
}

/** The verdict on the newest run, then one line per regression. */
export function latestLines(t: Trend): { verdict: string; regressions: string[] } {
  const l = t.latest;
  const n = l.regressions.length;
  const compared =
    l.previous === null
      ? "the first run: nothing to compare with yet"
      : n === 0
        ? `no regression against ${againstText("previous", null)}` +
          (l.baseline === null ? "" : ` or ${againstText("baseline", l.baseline)}`)
        : `${n} regression${n === 1 ? "" : "s"}`;
  return {
    verdict: `Latest run ${l.entry.run}: ${l.entry.status}${l.drillChanged ? " (drill changed)" : ""}; ${compared}`,
    regressions: l.regressions.map((r) => describeRegression(r, l.baseline)),
  };
}

export function objectivesText(e: IndexEntry): string {
  if (e.objectives.length === 0) return "none";
  const met = e.objectives.filter((o) => o.outcome === "met").length;
  const missed = e.objectives.filter((o) => o.outcome === "missed").map((o) => o.name);
  return `${met}/${e.objectives.length} met` + (missed.length > 0 ? `; missed ${missed.join(", ")}` : "");
}

const short = (digest: string): string => digest.replace(/^sha256:/, "").slice(0, 8);

export const RUN_HEADER = ["run", "status", "drill", ...FIGURES.map((f) => f.label), "objectives"];

function runRow(r: RunAssessment): Cell[] {
  const flagged = (kind: string, key?: string): boolean =>
    r.regressions.some((g) => g.kind === kind && (key === undefined || ("key" in g && g.key === key)));
  return [
    { text: r.entry.run },
    { text: r.entry.status, flag: flagged("status") },
    { text: short(r.entry.drillDigest) + (r.drillChanged ? " (changed)" : "") },
    ...FIGURES.map((f) => ({ text: fmtFigure(f, r.entry.figures[f.key]), flag: flagged("figure", f.key) })),
    { text: objectivesText(r.entry), flag: flagged("objective") },
  ];
}

/** One row per run, oldest first. */
export function runsTable(t: Trend): Table {
  return { header: RUN_HEADER, rows: t.runs.map(runRow) };
}

function riseText(f: FigureTrend, rise: Rise | null): string {
  if (rise === null) return "n/a";
  const abs = rise.absolute <= 0 ? "none" : `+${fmtFigure(f.spec, rise.absolute)}`;
  const rel = rise.relative === null || rise.relative <= 0 ? "" : ` (+${Math.round(rise.relative * 100)}%)`;
  return abs + rel;
}

export const FIGURE_HEADER = [
  "figure",
  "latest",
  "baseline",
  "min",
  "median",
  "max",
  "largest rise vs previous",
  "largest rise vs baseline",
];

/** One row per figure: where it is, where it has been, and the largest run-to-run rise seen. */
export function figuresTable(t: Trend): Table {
  const base = t.latest.baseline;
  return {
    header: FIGURE_HEADER,
    rows: t.figures.map((f) => [
      { text: f.spec.label },
      { text: fmtFigure(f.spec, f.latest), flag: f.regressed.at(-1) === true },
      { text: base === null ? "n/a" : fmtFigure(f.spec, base.figures[f.spec.key]) },
      { text: fmtFigure(f.spec, f.min) },
      { text: fmtFigure(f.spec, f.median) },
      { text: fmtFigure(f.spec, f.max) },
      { text: riseText(f, f.riseVsPrevious) },
      { text: riseText(f, f.riseVsBaseline) },
    ]),
  };
}

/** How regressions were judged, in one sentence. */
export function settingsLine(t: Trend): string {
  const { baselineRuns, tolerance, sameDrill } = t.options;
  return (
    `A figure regresses when it is worse than the previous run, or than the baseline (the median of up ` +
    `to ${baselineRuns} runs before it), by more than ${Math.round(tolerance.relative * 100)}% and by ` +
    `more than ${fmtMs(tolerance.ms)} (${tolerance.count} for counts); a status or objective regresses ` +
    `when its outcome got worse (pass < inconclusive < fail; met < inconclusive < missed).` +
    (sameDrill ? " Only runs of the same drill definition are compared." : "")
  );
}
