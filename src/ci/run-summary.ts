// The short Markdown a run (or a matrix) appends to $GITHUB_STEP_SUMMARY: status, key figures beside
// the trend baseline, objectives, and the regressions the trend store flags.
import type { MatrixReport } from "../matrix/types.ts";
import { fmtValue } from "../report/format.ts";
import { FLAG } from "../trend/content.ts";
import { describeRegression, fmtFigure } from "../trend/describe.ts";
import { FIGURES, summaryFigures } from "../trend/figures.ts";
import { outcomeRegressions, outcomeStatus, type RunOutcome } from "../trend/outcome.ts";
import type { RunAssessment } from "../trend/regressions.ts";

const ICON: Record<string, string> = { pass: "✅", fail: "❌", inconclusive: "⚠️" };
const icon = (status: string): string => ICON[status] ?? "💥";

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function regressionsBlock(assessment: RunAssessment | null | undefined, regressions: string[]): string[] {
  if (assessment === null || assessment === undefined) return [];
  if (assessment.previous === null) return ["First run in its trend store: no baseline to compare with yet."];
  if (regressions.length === 0) {
    return [
      `No regression against the previous run or the baseline (median of ${assessment.baseline?.runs ?? 0} runs).`,
    ];
  }
  return [`**Regressions** against the trend store:`, "", ...regressions.map((r) => `- ${FLAG} ${r}`)];
}

export function runSummaryMarkdown(o: RunOutcome): string {
  const status = outcomeStatus(o);
  const lines = [`### ${icon(status)} failover-drill ${o.drill}: ${status} (exit ${o.exitCode})`, ""];
  if (o.reportDir !== undefined) lines.push(`Reports: \`${o.reportDir}\``, "");
  if (o.summary === undefined) {
    lines.push(
      o.error === undefined ? "The run produced no report." : `The run produced no report: ${cell(o.error)}`,
    );
    return lines.join("\n") + "\n";
  }
  const figures = summaryFigures(o.summary);
  const baseline = o.assessment?.baseline ?? null;
  const previous = o.assessment?.previous ?? null;
  const flagged = new Set(
    (o.assessment?.regressions ?? []).flatMap((r) => (r.kind === "figure" ? [r.key] : [])),
  );
  lines.push(
    `| figure | this run | previous run | baseline |`,
    `|---|---|---|---|`,
    ...FIGURES.map((f) => {
      const value = fmtFigure(f, figures[f.key]) + (flagged.has(f.key) ? ` ${FLAG}` : "");
      const before = previous === null ? "" : fmtFigure(f, previous.figures[f.key]);
      return `| ${f.label} | ${value} | ${before} | ${baseline === null ? "" : fmtFigure(f, baseline.figures[f.key])} |`;
    }),
    "",
  );
  if (o.summary.objectives.length > 0) {
    lines.push(
      `| objective | measured | outcome |`,
      `|---|---|---|`,
      ...o.summary.objectives.map(
        (ob) =>
          `| ${cell(`${ob.name} ${ob.limit}`)} | ${cell(fmtValue(ob.measured, ob.unit))} | ` +
          `${ob.met === null ? "inconclusive" : ob.met ? "met" : "**missed**"} |`,
      ),
      "",
    );
  }
  lines.push(...regressionsBlock(o.assessment, outcomeRegressions(o)));
  return lines.join("\n").trimEnd() + "\n";
}

export interface MatrixOutcome {
  report: MatrixReport;
  dir: string;
  /** Per cell (by slug): the trend store's verdict on its newest run. */
  verdicts: Record<string, RunAssessment | null>;
}

export function matrixSummaryMarkdown(m: MatrixOutcome): string {
  const r = m.report;
  const lines = [
    `### ${icon(r.status)} failover-drill matrix ${r.matrix.name}: ${r.status} (exit ${r.exitCode})`,
    "",
    `${r.runsDone} of ${r.runsPlanned} runs of ${r.matrix.baseDrill}. Reports: \`${m.dir}\``,
    "",
    `| cell | runs | missed | regressions |`,
    `|---|---|---|---|`,
  ];
  for (const c of r.cells) {
    const verdict = m.verdicts[c.slug] ?? null;
    const regressions =
      verdict === null
        ? ""
        : verdict.regressions.length === 0
          ? "none"
          : `${FLAG} ${verdict.regressions.length}`;
    const missed = [...new Set(c.runs.flatMap((run) => run.missed))];
    lines.push(
      `| ${cell(c.slug)} | ${c.runs.map((run) => run.status).join(", ") || "not run"} | ${cell(missed.join(", "))} | ${regressions} |`,
    );
  }
  const flagged = r.cells.flatMap((c) => {
    const v = m.verdicts[c.slug] ?? null;
    return v === null
      ? []
      : v.regressions.map((g) => `- ${FLAG} ${c.slug}: ${describeRegression(g, v.baseline)}`);
  });
  if (flagged.length > 0) lines.push("", "**Regressions** against each cell's trend store:", "", ...flagged);
  return lines.join("\n") + "\n";
}
