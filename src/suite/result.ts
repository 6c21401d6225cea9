// Pure: the suite's result (suite.json) from its plan and the entries done so far, and the status and
// exit code aggregation: the worst over the runs of every entry.
import { redactOverrides } from "../drill/redact.ts";
import { exitCodeFor, runFigures, worstStatus } from "../matrix/aggregate.ts";
import { cellLabel } from "../matrix/load.ts";
import type { MatrixPlan, RunRecord, RunStatus } from "../matrix/types.ts";
import type { Summary } from "../summary/types.ts";
import {
  SUITE_FORMAT_VERSION,
  type EntryStatus,
  type PlannedEntry,
  type SuiteEntryResult,
  type SuitePlan,
  type SuiteResult,
  type SuiteRun,
} from "./types.ts";

/** A run that produced a summary. `reportDir` is relative to the suite's directory. */
export function summaryRun(
  summary: Summary,
  where: { label: string; reportDir: string | null; startedAt: string; durationMs: number },
  cell?: { slug: string; run: number },
): SuiteRun {
  return {
    label: where.label,
    drill: summary.drill.name,
    ...(cell === undefined ? {} : { cell: cell.slug, run: cell.run }),
    status: summary.status,
    reportDir: where.reportDir,
    startedAt: where.startedAt,
    durationMs: where.durationMs,
    objectives: summary.objectives,
    failedCheckers: summary.notes.filter((n) => FAILED_CHECKER.test(n)),
    figures: runFigures(summary),
  };
}

/** The note compose.ts writes for a checker that threw. */
const FAILED_CHECKER = /^checker \S+ failed: /;

/** The label of one matrix run: `sync-vs-async cell 2 (database.replication=sync) run 1`. */
export function matrixRunLabel(plan: MatrixPlan, cellIndex: number, run: number): string {
  const cell = plan.cells[cellIndex];
  const label = cell === undefined ? `cell ${cellIndex + 1}` : cellLabel(cell, plan.columns);
  return `${plan.spec.name} ${label} run ${run}`;
}

/** A matrix run as the matrix recorded it, when its report.json could not be read back. */
export function recordRun(
  record: RunRecord,
  where: { label: string; drill: string; reportDir: string | null; slug: string },
): SuiteRun {
  return {
    label: where.label,
    drill: where.drill,
    cell: where.slug,
    run: record.run,
    status: record.status,
    reportDir: where.reportDir,
    startedAt: record.startedAt,
    durationMs: record.durationMs,
    objectives: [],
    failedCheckers: [],
    figures: record.figures,
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}

/** The worst status over an entry's runs; an entry the suite never reached is `not-run`. */
export function entryStatus(runs: readonly SuiteRun[], interrupted: boolean): RunStatus {
  return worstStatus(
    runs.map((r) => r.status),
    interrupted,
  );
}

/** What an entry is before it runs (and stays when the suite is interrupted first). */
export function pendingEntry(entry: PlannedEntry, position: number): SuiteEntryResult {
  return {
    index: position,
    name: entry.name,
    kind: entry.kind,
    file: entry.path,
    overrides: redactOverrides(Object.fromEntries(entry.overrides.map((o) => [o.path, o.value]))),
    status: "not-run",
    exitCode: null,
    startedAt: null,
    durationMs: 0,
    runsPlanned: entry.kind === "drill" ? 1 : entry.plan.cells.length * entry.plan.spec.repeat,
    runs: [],
  };
}

/** The exit code of an entry's status; none for an entry that did not run. */
export function entryExitCode(status: EntryStatus): number | null {
  return status === "not-run" ? null : exitCodeFor(status);
}

export interface SuiteProgress {
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  /** One per planned entry, in order; `not-run` for those not reached. */
  entries: readonly SuiteEntryResult[];
}

/** The suite as suite.json names it. */
export type SuiteInfo = SuiteResult["suite"];

export function suiteInfo(plan: SuitePlan): SuiteInfo {
  return { name: plan.spec.name, description: plan.spec.description, file: plan.spec.file };
}

/** `progress.entries` holds every planned entry, `not-run` for those the suite has not reached. */
export function buildSuiteResult(suite: SuiteInfo, progress: SuiteProgress): SuiteResult {
  const ran = progress.entries.filter((e) => e.status !== "not-run");
  const status = worstStatus(
    ran.map((e) => e.status as RunStatus),
    progress.interrupted,
  );
  const objectives = { met: 0, missed: 0, inconclusive: 0 };
  for (const run of progress.entries.flatMap((e) => e.runs)) {
    for (const o of run.objectives) {
      if (o.met === true) objectives.met++;
      else if (o.met === false) objectives.missed++;
      else objectives.inconclusive++;
    }
  }
  return {
    formatVersion: SUITE_FORMAT_VERSION,
    suite,
    startedAt: progress.startedAt,
    durationMs: progress.durationMs,
    complete: !progress.interrupted && ran.length === progress.entries.length,
    interrupted: progress.interrupted,
    status,
    exitCode: exitCodeFor(status),
    objectives,
    entries: [...progress.entries],
  };
}
