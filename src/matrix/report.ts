// Pure: the comparison report (matrix.json, matrix.md) from the plan and the runs done so far.
import { redactOverride, redactOverrides } from "../drill/redact.ts";
import { fmtMs, fmtNumber, NA } from "../report/format.ts";
import { aggregateRuns, exitCodeFor, worstStatus } from "./aggregate.ts";
import { cellLabel, columnValue, showValue } from "./load.ts";
import type { Aggregate, CellReport, MatrixPlan, MatrixReport, RunRecord, RunStatus } from "./types.ts";

export interface ReportProgress {
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  /** Runs per cell, in plan order; a cell not reached has none. */
  runs: ReadonlyArray<readonly RunRecord[]>;
}

export function buildMatrixReport(plan: MatrixPlan, progress: ReportProgress): MatrixReport {
  const { spec } = plan;
  const cells = plan.cells.map((cell, i): CellReport => {
    const runs = [...(progress.runs[i] ?? [])];
    const finished = runs.filter((r) => r.status !== "interrupted").length;
    return {
      index: cell.index,
      slug: cell.slug,
      // matrix.json and matrix.md travel as CI artifacts: no app.env value or password in them.
      parameters: redactOverrides(
        Object.fromEntries(
          plan.columns.filter((c) => c in cell.assignments).map((c) => [c, cell.assignments[c]]),
        ),
      ),
      assignments: redactOverrides(cell.assignments),
      runsPlanned: spec.repeat,
      complete: finished === spec.repeat,
      runs,
      metrics: aggregateRuns(runs),
    };
  });
  const all = cells.flatMap((c) => c.runs.map((r) => r.status));
  const status = worstStatus(all, progress.interrupted);
  const runsPlanned = plan.cells.length * spec.repeat;
  const runsDone = all.filter((s) => s !== "interrupted").length;
  return {
    matrix: {
      name: spec.name,
      description: spec.description,
      file: spec.file,
      base: spec.base,
      baseDrill: plan.baseDrill.name,
      repeat: spec.repeat,
      parameters: Object.fromEntries(
        spec.parameters.map((p) => [p.path, p.values.map((v) => redactOverride(p.path, v))]),
      ),
      exclude: spec.exclude.map(redactOverrides),
      include: spec.include.map(redactOverrides),
    },
    startedAt: progress.startedAt,
    durationMs: progress.durationMs,
    complete: runsDone === runsPlanned && !progress.interrupted,
    interrupted: progress.interrupted,
    status,
    exitCode: exitCodeFor(status),
    columns: plan.columns,
    fixed: redactOverrides(plan.fixed),
    runsPlanned,
    runsDone,
    cells,
  };
}

export function renderMatrixJson(report: MatrixReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** "4.9–5.3 s" when both ends share a unit, else "850 ms–1.2 s". */
export function fmtRange(min: string, max: string): string {
  const split = (s: string): [string, string] => {
    const at = s.lastIndexOf(" ");
    return at < 0 ? [s, ""] : [s.slice(0, at), s.slice(at + 1)];
  };
  const [a, unitA] = split(min);
  const [b, unitB] = split(max);
  if (unitA === unitB) return unitA === "" ? `${a}–${b}` : `${a}–${b} ${unitA}`;
  return `${min}–${max}`;
}

/**
 * `median (min–max)` over several runs, the value alone for one, `n/a` for none; `, k of n` when
 * only k of the n finished runs measured it.
 */
export function formatAggregate(a: Aggregate, format: (n: number) => string): string {
  if (a.median === null || a.min === null || a.max === null) return NA;
  const value =
    a.count > 1 ? `${format(a.median)} (${fmtRange(format(a.min), format(a.max))})` : format(a.median);
  return a.count < a.of ? `${value}, ${a.count} of ${a.of}` : value;
}

const ms = (n: number): string => fmtMs(n);
const count = (n: number): string => fmtNumber(n, 1);
const rate = (n: number): string => fmtNumber(n, 0);

/** "2 pass, 1 fail"; "not run" for none; the planned count when some are missing. */
function runsSummary(cell: CellReport): string {
  if (cell.runs.length === 0) return "not run";
  const order: RunStatus[] = ["pass", "fail", "inconclusive", "error", "interrupted"];
  const counts = order
    .map((s) => [s, cell.runs.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const finished = cell.runs.filter((r) => r.status !== "interrupted").length;
  return (
    counts.join(", ") + (finished < cell.runsPlanned ? ` (${finished} of ${cell.runsPlanned} runs)` : "")
  );
}

const TABLE_HEADER = [
  "runs",
  "write p50",
  "write p99",
  "acked writes/s",
  "lost writes",
  "lost window",
  "RTO p50",
  "RTO p90",
  "RTO max (measured / predicted)",
  "detection (measured / predicted)",
  "DNS switch (client first / last)",
  "DNS failover (measured / predicted)",
];

function tableRow(report: MatrixReport, cell: CellReport): string[] {
  const m = cell.metrics;
  const vsPredicted = (measured: Aggregate, predicted: Aggregate): string =>
    `${formatAggregate(measured, ms)} / ${predicted.median === null ? NA : fmtMs(predicted.median)}`;
  return [
    ...report.columns.map((c) => columnValue(cell.parameters, c)),
    runsSummary(cell),
    formatAggregate(m.writeLatencyP50Ms, ms),
    formatAggregate(m.writeLatencyP99Ms, ms),
    formatAggregate(m.ackedPerSecond, rate),
    formatAggregate(m.lostWrites, count),
    formatAggregate(m.lostWindowMs, ms),
    formatAggregate(m.rtoP50Ms, ms),
    formatAggregate(m.rtoP90Ms, ms),
    vsPredicted(m.rtoMaxMs, m.predictedRtoMaxMs),
    vsPredicted(m.detectionMs, m.predictedDetectionMs),
    `${formatAggregate(m.dnsSwitchClientFirstMs, ms)} / ${formatAggregate(m.dnsSwitchClientLastMs, ms)}`,
    vsPredicted(m.dnsFailoverMs, m.predictedDnsFailoverMs),
  ];
}

const escape = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(escape).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)].join("\n");
}

function fmtElapsed(msTotal: number): string {
  const s = Math.round(msTotal / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

export function renderMatrixMarkdown(report: MatrixReport): string {
  const { matrix } = report;
  const cellCount = report.cells.length;
  const lines: string[] = [`# Drill matrix: ${matrix.name}`, ""];
  if (!report.complete) {
    const why = report.interrupted ? "interrupted" : "incomplete";
    lines.push(
      `> **INCOMPLETE** (${why}): ${report.runsDone} of ${report.runsPlanned} runs done; ` +
        "the figures below are over the runs done so far.",
      "",
    );
  }
  if (matrix.description !== "") lines.push(matrix.description, "");
  const fixed = Object.entries(report.fixed).map(([k, v]) => `${k}=${showValue(v)}`);
  lines.push(
    `- Base drill: \`${matrix.base}\` (${matrix.baseDrill})`,
    `- Cells: ${cellCount} × ${matrix.repeat} run${matrix.repeat === 1 ? "" : "s"} ` +
      `(${report.runsPlanned} runs); started ${report.startedAt}, took ${fmtElapsed(report.durationMs)}`,
    ...(fixed.length > 0 ? [`- Set in every cell: ${fixed.join(", ")}`] : []),
    `- Status: **${report.status}** (exit ${report.exitCode})`,
    "",
    "## Comparison",
    "",
    table(
      [...report.columns, ...TABLE_HEADER],
      report.cells.map((cell) => tableRow(report, cell)),
    ),
    "",
    "Each figure is the median (min–max) over a cell's runs; `k of n` means only k of n runs measured " +
      "it. Write latency: acknowledged writes over the whole run. Lost writes and window: acknowledged " +
      "writes missing from the surviving primary. Detection: fault → primary declared down, predicted " +
      "interval × threshold. DNS switch: writable → last client on the new address. DNS failover: fault → " +
      "last client on the new address, predicted detection + TTL. `base`: the base drill's value.",
    "",
    "## Runs",
    "",
  );
  for (const cell of report.cells) {
    lines.push(`### ${cellLabel({ index: cell.index, assignments: cell.parameters }, report.columns)}`, "");
    if (cell.runs.length === 0) lines.push("- not run");
    for (const run of cell.runs) lines.push(`- ${describeRun(run)}`);
    lines.push("");
  }
  return lines.join("\n");
}

function describeRun(run: RunRecord): string {
  const parts = [`run ${run.run}: **${run.status}**`];
  const f = run.figures;
  if (f !== null) {
    parts.push(`lost ${f.lostWrites === null ? NA : fmtNumber(f.lostWrites)}, RTO max ${fmtMs(f.rtoMaxMs)}`);
  }
  if (run.missed.length > 0) parts.push(`missed ${run.missed.join(", ")}`);
  if (run.error !== undefined) parts.push(run.error.split("\n")[0] ?? "");
  if (run.reportDir !== null) {
    // Only a run that reached the checkers wrote report.md; otherwise its history is the evidence.
    parts.push(
      run.figures === null ? `[run directory](${run.reportDir}/)` : `[report](${run.reportDir}/report.md)`,
    );
  }
  return parts.join(" — ");
}
