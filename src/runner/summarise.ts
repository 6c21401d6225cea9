// The summary of a run, from its evidence alone: the checkers' analysis plus a note for every fault
// that failed to apply or heal, both read from the history. The runner and `failover-drill check` both
// call this, so a stored run re-checked gives the summary the run gave.
import { analyze, type AnalyzeInput, type Summary } from "../checkers/index.ts";
import { Events, Processes, type Op } from "../history/types.ts";

export function summariseRun(input: AnalyzeInput): Summary {
  const summary = analyze(input);
  summary.notes.push(...faultErrorNotes(input.history));
  return summary;
}

/** The nemesis records a fault that failed to apply or heal as a `fail` op with the error. */
function faultErrorNotes(history: readonly Op[]): string[] {
  return history
    .filter(
      (op) =>
        op.process === Processes.nemesis &&
        op.type === "fail" &&
        (op.f === Events.faultStart || op.f === Events.faultHeal),
    )
    .map((op) => `fault error: ${op.error ?? "unknown error"}`);
}
