// The files of one run's directory, by name, and how the run writes them. The runner writes them and
// `failover-drill check` reads them back (stored-run.ts); naming them once keeps the two in step.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderFinalState } from "../history/final-state.ts";
import type { FinalRead } from "../history/types.ts";
import { REPORT_FILES } from "../report/index.ts";
import type { Summary } from "../summary/types.ts";

export const RUN_FILES = {
  /** Every op and event, streamed as they happen (src/history/format.ts). */
  history: "history.jsonl",
  /** Every node's ids, role and position after the recovery wait (src/history/final-state.ts). */
  finalState: "final-state.json",
  /** The summary with the drill embedded (src/report/json.ts). */
  report: "report.json",
} as const;

/** A run directory's name: the start time to the second, e.g. 20260101T120000Z. */
export function reportTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Creates `dir`, or `dir-2`, `dir-3`... when another run (a drill, matrix or suite started in the same
 * second, here or in another process) already took it: mkdir of the last component is atomic, so two
 * runs never share a directory.
 */
export async function freshDirectory(dir: string): Promise<string> {
  await mkdir(path.dirname(dir), { recursive: true });
  let lastError: unknown;
  for (let n = 1; n <= MAX_SAME_SECOND_RUNS; n++) {
    const candidate = n === 1 ? dir : `${dir}-${n}`;
    try {
      await mkdir(candidate);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      lastError = err;
    }
  }
  throw lastError;
}

/** More runs than this in one second under one name means something else is wrong (e.g. a file system that says EEXIST to everything). */
const MAX_SAME_SECOND_RUNS = 1000;

export async function writeFinalState(dir: string, reads: readonly FinalRead[]): Promise<void> {
  await writeFile(path.join(dir, RUN_FILES.finalState), renderFinalState(reads));
}

/** Every format in the REPORT_FILES registry. */
export async function writeReportFiles(dir: string, summary: Summary): Promise<void> {
  await Promise.all(REPORT_FILES.map(({ file, render }) => writeFile(path.join(dir, file), render(summary))));
}
