// What a notification says: a JSON summary of the run (or matrix) whose `text` field is the whole
// message in one paragraph, as Slack's incoming webhooks (and Mattermost, Teams' Slack mode) expect.
import type { MatrixOutcome } from "../ci/run-summary.ts";
import { describeRegression, fmtFigure, figureSpec } from "../trend/describe.ts";
import { summaryFigures, type FigureKey, type Figures } from "../trend/figures.ts";
import { outcomeRegressions, outcomeStatus, type RunOutcome } from "../trend/outcome.ts";

export interface RunNotification {
  text: string;
  kind: "run";
  drill: string;
  status: string;
  exitCode: number;
  startedAt: string | null;
  reportDir: string | null;
  figures: Figures | null;
  objectives: Array<{ name: string; limit: string; measured: number | boolean | null; met: boolean | null }>;
  regressions: string[];
  error: string | null;
}

/** The figures the one-line text names (all of them are in `figures`). */
const TEXT_FIGURES: readonly FigureKey[] = [
  "detectionMs",
  "promotionMs",
  "rtoP50Ms",
  "rtoMaxMs",
  "lostWrites",
];

export function runNotification(o: RunOutcome): RunNotification {
  const status = outcomeStatus(o);
  const regressions = outcomeRegressions(o);
  const figures = o.summary === undefined ? null : summaryFigures(o.summary);
  const missed = (o.summary?.objectives ?? []).filter((ob) => ob.met === false);
  const parts = [`failover-drill ${o.drill}: ${status.toUpperCase()} (exit ${o.exitCode}).`];
  if (o.error !== undefined) parts.push(o.error);
  if (missed.length > 0) parts.push(`Missed: ${missed.map((ob) => `${ob.name} ${ob.limit}`).join(", ")}.`);
  if (figures !== null) {
    parts.push(
      TEXT_FIGURES.map((k) => `${figureSpec(k).label} ${fmtFigure(figureSpec(k), figures[k])}`).join(", ") +
        ".",
    );
  }
  if (regressions.length > 0) parts.push(`Regressions: ${regressions.join("; ")}.`);
  if (o.reportDir !== undefined) parts.push(`Reports: ${o.reportDir}`);
  return {
    text: parts.join(" "),
    kind: "run",
    drill: o.drill,
    status,
    exitCode: o.exitCode,
    startedAt: o.summary?.startedAt ?? null,
    reportDir: o.reportDir ?? null,
    figures,
    objectives: (o.summary?.objectives ?? []).map((ob) => ({
      name: ob.name,
      limit: ob.limit,
      measured: ob.measured,
      met: ob.met,
    })),
    regressions,
    error: o.error ?? null,
  };
}

export interface MatrixNotification {
  text: string;
  kind: "matrix";
  matrix: string;
  status: string;
  exitCode: number;
  runsDone: number;
  runsPlanned: number;
  reportDir: string;
  cells: Array<{ slug: string; statuses: string[]; missed: string[]; regressions: string[] }>;
}

export function matrixNotification(m: MatrixOutcome): MatrixNotification {
  const r = m.report;
  const cells = r.cells.map((c) => {
    const v = m.verdicts[c.slug] ?? null;
    return {
      slug: c.slug,
      statuses: c.runs.map((run) => run.status),
      missed: [...new Set(c.runs.flatMap((run) => run.missed))],
      regressions: v === null ? [] : v.regressions.map((g) => describeRegression(g, v.baseline)),
    };
  });
  const bad = cells.filter((c) => c.statuses.some((s) => s !== "pass") || c.regressions.length > 0);
  const parts = [
    `failover-drill matrix ${r.matrix.name}: ${r.status.toUpperCase()} (exit ${r.exitCode}), ${r.runsDone} of ${r.runsPlanned} runs.`,
    ...bad.map(
      (c) =>
        `${c.slug}: ${c.statuses.join(", ")}` +
        (c.missed.length > 0 ? `; missed ${c.missed.join(", ")}` : "") +
        (c.regressions.length > 0 ? `; regressions: ${c.regressions.join("; ")}` : "") +
        ".",
    ),
    `Reports: ${m.dir}`,
  ];
  return {
    text: parts.join(" "),
    kind: "matrix",
    matrix: r.matrix.name,
    status: r.status,
    exitCode: r.exitCode,
    runsDone: r.runsDone,
    runsPlanned: r.runsPlanned,
    reportDir: m.dir,
    cells,
  };
}
