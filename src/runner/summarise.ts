// The summary of a run, from its evidence alone: the checkers' analysis plus a note for every fault
// that failed to apply or heal, and for a timeout or broken infrastructure (infra-events.ts), all read
// from the history. The runner and `failover-drill check` both
// call this, so a stored run re-checked gives the summary the run gave.
import { analyzeIndex, type AnalyzeIndexInput, type AnalyzeInput, type Summary } from "../checkers/index.ts";
import { indexHistory } from "../checkers/history.ts";
import { Events, Processes, type Op } from "../history/types.ts";
import { guardVerdict } from "./infra-events.ts";

export function summariseRun(input: AnalyzeInput): Summary {
  const { history, ...rest } = input;
  return summariseIndexed({ ...rest, index: indexHistory(input.drill, history) });
}

/** summariseRun on a history already indexed (a run's, streamed from history.jsonl). */
export function summariseIndexed(input: AnalyzeIndexInput): Summary {
  const summary = analyzeIndex(input);
  summary.notes.push(...faultErrorNotes(input.index.ops));
  // A timeout or broken infrastructure during the workload: never a pass (or a miss) built on it.
  const guard = guardVerdict(input.index.ops);
  summary.notes.push(...guard.notes);
  if (guard.inconclusive) summary.status = "inconclusive";
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
