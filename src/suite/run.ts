// Runs a suite's entries in order, one drill at a time (they share loopback addresses and two cores).
// Each drill writes its normal run directory (<out>/<drill>/<timestamp>/) and each matrix its normal
// one (<out>/<matrix>/<timestamp>/), so per-drill trend stores keep working; the suite's own files go
// to <out>/<suite>/<timestamp>/ and are rewritten after every entry, so an interrupt or a crash still
// leaves the summary of the entries done so far. An entry whose infrastructure fails does not stop
// the suite: it is recorded as `error` and the next entry starts.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MatrixProgress } from "../matrix/progress.ts";
import { runMatrix } from "../matrix/run.ts";
import type { MatrixReport } from "../matrix/types.ts";
import { parseSummaryJson } from "../report/json.ts";
import { freshDirectory, reportTimestamp, runDrill } from "../runner/runner.ts";
import { AbortedError } from "../util/abort.ts";
import { suiteJunit } from "./junit.ts";
import { suiteMarkdown } from "./markdown.ts";
import {
  buildSuiteResult,
  entryExitCode,
  entryStatus,
  matrixRunLabel,
  pendingEntry,
  recordRun,
  suiteInfo,
  summaryRun,
} from "./result.ts";
import type { PlannedEntry, SuiteEntryResult, SuitePlan, SuiteResult, SuiteRun } from "./types.ts";

/** The suite's own files in its directory. */
export const SUITE_FILES = {
  json: "suite.json",
  markdown: "suite.md",
  junit: "suite.junit.xml",
} as const;

export interface SuiteRunOptions {
  /** Parent directory of every report the suite writes. */
  out: string;
  /** Aborting stops the running drill (it cleans up itself) and runs no more entries. */
  signal?: AbortSignal;
  keep?: boolean;
  toxiproxyUrl?: string;
  /** Each drill run's maximum wall time (runDrill's timeoutMs); default from the drill. */
  timeoutMs?: number;
  /** The drills' own log lines; none by default. */
  log?: (line: string) => void;
  onProgress?: (event: SuiteProgressEvent) => void;
}

export type SuiteProgressEvent =
  | { type: "entry-start"; position: number; count: number; entry: PlannedEntry }
  | { type: "entry-end"; position: number; count: number; entry: PlannedEntry; result: SuiteEntryResult }
  | { type: "matrix"; position: number; entry: PlannedEntry; event: MatrixProgress };

export interface SuiteRunResult {
  result: SuiteResult;
  /** Holds suite.json, suite.md and suite.junit.xml. */
  dir: string;
}

export async function runSuite(plan: SuitePlan, options: SuiteRunOptions): Promise<SuiteRunResult> {
  const started = new Date();
  const t0 = performance.now();
  const dir = await freshDirectory(path.join(options.out, plan.spec.name, reportTimestamp(started)));
  const entries = plan.entries.map((entry, i) => pendingEntry(entry, i + 1));
  let interrupted = false;
  const write = async (): Promise<SuiteResult> => {
    const result = buildSuiteResult(suiteInfo(plan), {
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      interrupted,
      entries,
    });
    await Promise.all([
      writeFile(path.join(dir, SUITE_FILES.json), JSON.stringify(result, null, 2) + "\n"),
      writeFile(path.join(dir, SUITE_FILES.markdown), suiteMarkdown(result)),
      writeFile(path.join(dir, SUITE_FILES.junit), suiteJunit(result)),
    ]);
    return result;
  };
  await write();

  const count = plan.entries.length;
  for (const [i, entry] of plan.entries.entries()) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const position = i + 1;
    options.onProgress?.({ type: "entry-start", position, count, entry });
    const startedAt = new Date().toISOString();
    const entryStart = performance.now();
    const ran =
      entry.kind === "drill"
        ? await runDrillEntry(entry, dir, options)
        : await runMatrixEntry(entry, position, dir, options);
    if (ran.interrupted) interrupted = true;
    const status = entryStatus(ran.runs, ran.interrupted);
    const done: SuiteEntryResult = {
      ...(entries[i] as SuiteEntryResult),
      status,
      exitCode: entryExitCode(status),
      startedAt,
      durationMs: Math.round(performance.now() - entryStart),
      runs: ran.runs,
      ...(ran.matrixDir === undefined ? {} : { matrixDir: ran.matrixDir }),
      ...(ran.error === undefined ? {} : { error: ran.error }),
    };
    entries[i] = done;
    options.onProgress?.({ type: "entry-end", position, count, entry, result: done });
    await write();
    if (interrupted) break;
  }
  return { result: await write(), dir };
}

interface EntryRuns {
  runs: SuiteRun[];
  interrupted: boolean;
  matrixDir?: string;
  error?: string;
}

async function runDrillEntry(
  entry: PlannedEntry & { kind: "drill" },
  suiteDir: string,
  options: SuiteRunOptions,
): Promise<EntryRuns> {
  const drillDir = path.join(options.out, entry.drill.name);
  const before = new Set(await subdirectories(drillDir));
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  try {
    const { summary, reportDir } = await runDrill(entry.drill, {
      out: options.out,
      log: options.log ?? (() => {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.keep === undefined ? {} : { keep: options.keep }),
      ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const where = {
      label: entry.name,
      reportDir: path.relative(suiteDir, reportDir),
      startedAt,
      durationMs: Math.round(performance.now() - t0),
    };
    return { runs: [summaryRun(summary, where)], interrupted: false };
  } catch (err) {
    const aborted = err instanceof AbortedError || options.signal?.aborted === true;
    // The run's directory, if it got that far: the one that was not there before it started.
    const made = (await subdirectories(drillDir)).filter((d) => !before.has(d));
    const error = aborted ? undefined : `${(err as Error).name}: ${(err as Error).message}`;
    const run: SuiteRun = {
      label: entry.name,
      drill: entry.drill.name,
      status: aborted ? "interrupted" : "error",
      reportDir: made.length === 1 ? path.relative(suiteDir, path.join(drillDir, made[0] as string)) : null,
      startedAt,
      durationMs: Math.round(performance.now() - t0),
      objectives: [],
      failedCheckers: [],
      figures: null,
      ...(error === undefined ? {} : { error }),
    };
    return { runs: [run], interrupted: aborted, ...(error === undefined ? {} : { error }) };
  }
}

async function runMatrixEntry(
  entry: PlannedEntry & { kind: "matrix" },
  position: number,
  suiteDir: string,
  options: SuiteRunOptions,
): Promise<EntryRuns> {
  const { report, dir } = await runMatrix(entry.plan, {
    out: options.out,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.keep === undefined ? {} : { keep: options.keep }),
    ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.log === undefined ? {} : { log: options.log }),
    onProgress: (event) => options.onProgress?.({ type: "matrix", position, entry, event }),
  });
  return {
    runs: await matrixRuns(entry, report, dir, suiteDir),
    interrupted: report.interrupted,
    matrixDir: path.relative(suiteDir, dir),
  };
}

/** Every run of a matrix, with its objectives read back from the run's own report.json. */
async function matrixRuns(
  entry: PlannedEntry & { kind: "matrix" },
  report: MatrixReport,
  matrixDir: string,
  suiteDir: string,
): Promise<SuiteRun[]> {
  const runs: SuiteRun[] = [];
  for (const [i, cell] of report.cells.entries()) {
    for (const record of cell.runs) {
      const runDir = record.reportDir === null ? null : path.join(matrixDir, record.reportDir);
      const where = {
        label: matrixRunLabel(entry.plan, i, record.run),
        reportDir: runDir === null ? null : path.relative(suiteDir, runDir),
        startedAt: record.startedAt,
        durationMs: record.durationMs,
      };
      const summary =
        runDir === null || record.status === "error" || record.status === "interrupted"
          ? undefined
          : await readSummary(path.join(runDir, "report.json"));
      runs.push(
        summary === undefined
          ? recordRun(record, { ...where, drill: entry.plan.baseDrill.name, slug: cell.slug })
          : summaryRun(summary, where, { slug: cell.slug, run: record.run }),
      );
    }
  }
  return runs;
}

async function readSummary(file: string) {
  try {
    return parseSummaryJson(await readFile(file, "utf8"), file);
  } catch {
    return undefined;
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}
