// The summary of a run, from its evidence alone: the checkers' analysis plus a note for every fault
// that failed to apply or heal, both read from the history. The runner and `failover-drill check` both
// call this, so a stored run re-checked gives the summary the run gave.
import { analyzeIndex, type AnalyzeIndexInput, type AnalyzeInput, type Summary } from "../checkers/index.ts";
import { indexHistory } from "../checkers/history.ts";
import { Events, Processes, type Op } from "../history/types.ts";

export function summariseRun(input: AnalyzeInput): Summary {
  const { history, ...rest } = input;
  return summariseIndexed({ ...rest, index: indexHistory(input.drill, history) });
}

/** summariseRun on a history already indexed (a run's, streamed from history.jsonl). */
export function summariseIndexed(input: AnalyzeIndexInput): Summary {
  const summary = analyzeIndex(input);
  summary.notes.push(...faultErrorNotes(input.index.ops));
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
