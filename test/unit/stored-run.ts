// A run directory written from the golden history (golden-outage.ts) without starting anything, in the
// files a real run leaves: history.jsonl (history-format first), final-state.json and the reports.
// Not a test file: importing it runs no suite.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Summary } from "../../src/checkers/types.ts";
import type { Objective } from "../../src/drill/types.ts";
import { historyFormatValue } from "../../src/history/format.ts";
import type { FinalRead, Op } from "../../src/history/types.ts";
import { writeFinalState, writeReportFiles } from "../../src/runner/run-files.ts";
import { summariseRun } from "../../src/runner/summarise.ts";
import { outageHistory, outageReads } from "./golden-outage.ts";

/** The golden history as the runner writes it: op 0 is the history-format event. */
export const storedHistory: Op[] = [
  { index: 0, time: 0, process: "runner", type: "info", f: "history-format", value: historyFormatValue() },
  ...outageHistory.map((op, i) => ({ ...op, index: i + 1 })),
];

export const historyJsonl = (ops: readonly Op[]): string =>
  ops.map((op) => JSON.stringify(op) + "\n").join("");

/** Writes the run to `dir` and returns the summary its report.json holds. */
export async function writeStoredRun(
  dir: string,
  objectives: Objective[],
  finalReads: readonly FinalRead[] = outageReads,
): Promise<Summary> {
  const summary = summariseRun({
    drill: sampleDrill({ name: "stored-outage", objectives }),
    history: storedHistory,
    finalReads,
    startedAt: "2026-01-01T00:00:00.000Z",
  });
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "history.jsonl"), historyJsonl(storedHistory));
  await writeFinalState(dir, finalReads);
  await writeReportFiles(dir, summary);
  return summary;
}
