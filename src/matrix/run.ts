// Runs every cell of a matrix, one drill at a time (they share loopback addresses and two cores),
// and keeps matrix.json / matrix.md up to date after every run, so an interrupt or a crash still
// leaves the comparison of the runs done so far.
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { freshDirectory, reportTimestamp, runDrill } from "../runner/runner.ts";
import { matrixCellIndexFile } from "../trend/store.ts";
import { AbortedError } from "../util/abort.ts";
import { runFigures } from "./aggregate.ts";
import type { MatrixProgress, RunPosition } from "./progress.ts";
import { buildMatrixReport, renderMatrixJson, renderMatrixMarkdown } from "./report.ts";
import type { MatrixPlan, MatrixReport, RunRecord } from "./types.ts";

export interface MatrixRunOptions {
  /** Parent directory: the matrix writes <out>/<matrix name>/<timestamp>/. */
  out: string;
  /** Aborting stops the running drill (it cleans up itself) and runs no more. */
  signal?: AbortSignal;
  keep?: boolean;
  toxiproxyUrl?: string;
  /** Each run's maximum wall time (runDrill's timeoutMs); default from the drill. */
  timeoutMs?: number;
  /** The drills' own log lines; none by default. */
  log?: (line: string) => void;
  onProgress?: (event: MatrixProgress) => void;
}

export interface MatrixRunResult {
  report: MatrixReport;
  /** Holds matrix.json, matrix.md and cells/<slug>/run-<k>/. */
  dir: string;
}

export async function runMatrix(plan: MatrixPlan, options: MatrixRunOptions): Promise<MatrixRunResult> {
  const started = new Date();
  const t0 = performance.now();
  const dir = await freshDirectory(path.join(options.out, plan.spec.name, reportTimestamp(started)));
  const runs: RunRecord[][] = plan.cells.map(() => []);
  let interrupted = false;
  const write = async (): Promise<MatrixReport> => {
    const report = buildMatrixReport(plan, {
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      interrupted,
      runs,
    });
    await Promise.all([
      writeFile(path.join(dir, "matrix.json"), renderMatrixJson(report)),
      writeFile(path.join(dir, "matrix.md"), renderMatrixMarkdown(report)),
    ]);
    return report;
  };

  const repeat = plan.spec.repeat;
  const runCount = plan.cells.length * repeat;
  let runNumber = 0;
  let spentMs = 0;
  outer: for (const [i, cell] of plan.cells.entries()) {
    for (let run = 1; run <= repeat; run++) {
      if (options.signal?.aborted) {
        interrupted = true;
        break outer;
      }
      runNumber++;
      const position: RunPosition = { cell, cellCount: plan.cells.length, run, repeat, runNumber, runCount };
      options.onProgress?.({ type: "run-start", ...position });
      const runOut = path.join(dir, "cells", cell.slug, `run-${run}`);
      const startedAt = new Date().toISOString();
      const runStart = performance.now();
      let record: RunRecord;
      try {
        const { summary, reportDir } = await runDrill(cell.drill, {
          out: runOut,
          indexFile: matrixCellIndexFile(options.out, plan.spec.name, cell.slug),
          log: options.log ?? (() => {}),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.keep === undefined ? {} : { keep: options.keep }),
          ...(options.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: options.toxiproxyUrl }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        });
        record = {
          run,
          status: summary.status,
          reportDir: path.relative(dir, reportDir),
          startedAt,
          durationMs: Math.round(performance.now() - runStart),
          figures: runFigures(summary),
          missed: summary.objectives.filter((o) => o.met === false).map((o) => `${o.name} ${o.limit}`),
        };
      } catch (err) {
        const aborted = err instanceof AbortedError || options.signal?.aborted === true;
        if (aborted) interrupted = true;
        const runDir = await onlySubdirectory(path.join(runOut, cell.drill.name));
        record = {
          run,
          status: aborted ? "interrupted" : "error",
          reportDir: runDir === null ? null : path.relative(dir, runDir),
          startedAt,
          durationMs: Math.round(performance.now() - runStart),
          figures: null,
          missed: [],
          ...(aborted ? {} : { error: `${(err as Error).name}: ${(err as Error).message}` }),
        };
      }
      (runs[i] as RunRecord[]).push(record);
      spentMs += record.durationMs;
      const etaMs = (spentMs / runNumber) * (runCount - runNumber);
      options.onProgress?.({ type: "run-end", ...position, record, etaMs });
      await write();
      if (interrupted) break outer;
    }
  }
  return { report: await write(), dir };
}

/** `dir`, or `dir-2`, `dir-3`... when a matrix started in the same second already wrote there. */

/** The report directory a drill created before it stopped, if it got that far. */
async function onlySubdirectory(parent: string): Promise<string | null> {
  try {
    const entries = await readdir(parent, { withFileTypes: true });
    const dirs = entries.filter((e) => e.isDirectory());
    return dirs.length === 1 && dirs[0] ? path.join(parent, dirs[0].name) : null;
  } catch {
    return null;
  }
}
