// A finished (or failed) run as the step summary and the notification describe it.
import type { Summary } from "../summary/types.ts";
import { describeRegression } from "./describe.ts";
import type { RunAssessment } from "./regressions.ts";

export interface RunOutcome {
  drill: string;
  exitCode: number;
  /** Absent when the run produced no summary (it could not start, or was interrupted). */
  summary?: Summary;
  reportDir?: string;
  /** Why there is no summary. */
  error?: string;
  /** The trend store's verdict on this run; null or absent when there is none. */
  assessment?: RunAssessment | null;
}

/** The drill's status, or "error" when it produced none. */
export const outcomeStatus = (o: RunOutcome): string => o.summary?.status ?? "error";

export const outcomeFailed = (o: RunOutcome): boolean => outcomeStatus(o) !== "pass";

/** The regressions in sentences; empty without a trend baseline. */
export function outcomeRegressions(o: RunOutcome): string[] {
  const a = o.assessment;
  return a === null || a === undefined ? [] : a.regressions.map((r) => describeRegression(r, a.baseline));
}
