// A run read back from its directory (history.jsonl, final-state.json, report.json) and re-checked:
// Jepsen's `analyze`. Starts nothing; every problem with the files is a FormatError naming the file.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { MEASUREMENT_NAMES, type MeasurementName } from "../checkers/checker.ts";
import type { Summary } from "../checkers/types.ts";
import type { HistoryIndex } from "../checkers/history.ts";
import { parseFinalState } from "../history/final-state.ts";
import { indexHistoryFile } from "../history/index-file.ts";
import { forEachHistoryOp } from "../history/read-file.ts";
import type { FinalRead } from "../history/types.ts";
import { parseSummaryJson } from "../report/json.ts";
import { FormatError } from "../util/format-version.ts";
import { RUN_FILES } from "./run-files.ts";
import { summariseIndexed } from "./summarise.ts";

export interface StoredRun {
  dir: string;
  /** The stored summary: the drill it embeds and startedAt feed the re-check; the rest is compared. */
  report: Summary;
  /** history.jsonl, indexed as it was streamed in (its ops are not kept: src/history/index-file.ts). */
  index: HistoryIndex;
  finalReads: FinalRead[];
}

/** Why a file a run should have is absent. */
const MISSING: Record<keyof typeof RUN_FILES, string> = {
  history: "missing: not a run's report directory (reports/<drill>/<timestamp>/)",
  finalState:
    "missing: the run ended before its final read (interrupted or failed), or was written by a " +
    "failover-drill from before final-state.json",
  report: "missing: the run ended before its reports were written",
};

export async function readStoredRun(dir: string): Promise<StoredRun> {
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => null,
  );
  if (isDir === null) throw new FormatError(dir, "no such directory");
  if (!isDir) throw new FormatError(dir, "not a directory: name a run's report directory");
  const text = async (which: keyof typeof RUN_FILES): Promise<[string, string]> => {
    const file = path.join(dir, RUN_FILES[which]);
    try {
      return [file, await readFile(file, "utf8")];
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new FormatError(file, code === "ENOENT" ? MISSING[which] : (err as Error).message);
    }
  };
  const historyFile = path.join(dir, RUN_FILES.history);
  const historyProblem = await stat(historyFile).then(
    () => null,
    (err: NodeJS.ErrnoException) => (err.code === "ENOENT" ? MISSING.history : err.message),
  );
  if (historyProblem !== null) throw new FormatError(historyFile, historyProblem);
  const [finalFile, finalText] = await text("finalState");
  const [reportFile, reportText] = await text("report");
  const history = { file: historyFile, requireVersion: true } as const;
  let report: Summary;
  try {
    report = parseSummaryJson(reportText, reportFile);
  } catch (err) {
    // A broken history is named before a broken final state or report, whichever the reader meets.
    await forEachHistoryOp(historyFile, () => {}, history);
    parseFinalState(finalText, finalFile);
    throw err;
  }
  const index = await indexHistoryFile(report.drill, historyFile, history);
  return { dir, index, finalReads: parseFinalState(finalText, finalFile).nodes, report };
}

/** This version's checkers on the stored evidence, with the drill and start time the run recorded. */
export function recheckRun(run: StoredRun): Summary {
  return summariseIndexed({
    drill: run.report.drill,
    index: run.index,
    finalReads: run.finalReads,
    startedAt: run.report.startedAt,
  });
}

/**
 * The measurements whose values differ between two summaries as report.json holds them (so a field
 * left undefined in memory equals one absent from the file; a missing measurement differs).
 */
export function changedMeasurements(a: Summary, b: Summary): MeasurementName[] {
  const asStored = (x: unknown): unknown => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
  return MEASUREMENT_NAMES.filter(
    (name) => !isDeepStrictEqual(asStored(a.measurements[name]), asStored(b.measurements[name])),
  );
}
