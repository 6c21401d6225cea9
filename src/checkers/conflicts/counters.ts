// Counters: the final total must be the sum of the acknowledged increments, give or take the
// indeterminate ones (each may or may not have been applied), whatever the regions did concurrently.
import type { CounterWrite } from "./types.ts";

export interface CounterRange {
  key: string;
  /** Sum of acknowledged deltas plus every indeterminate negative delta. */
  min: number;
  /** Sum of acknowledged deltas plus every indeterminate positive delta. */
  max: number;
  acknowledged: number;
  indeterminate: number;
}

export function counterRanges(writes: readonly CounterWrite[]): Map<string, CounterRange> {
  const ranges = new Map<string, CounterRange>();
  for (const w of writes) {
    if (w.outcome !== "ok" && w.outcome !== "info") continue;
    const r = ranges.get(w.key) ?? { key: w.key, min: 0, max: 0, acknowledged: 0, indeterminate: 0 };
    if (w.outcome === "ok") {
      r.min += w.delta;
      r.max += w.delta;
      r.acknowledged += 1;
    } else {
      r.min += Math.min(0, w.delta);
      r.max += Math.max(0, w.delta);
      r.indeterminate += 1;
    }
    ranges.set(w.key, r);
  }
  return ranges;
}

/** Counters whose final total is outside the range the history allows (a missing key counts as 0). */
export function countersOutOfRange(
  writes: readonly CounterWrite[],
  finalState: ReadonlyMap<string, string | number>,
): Array<CounterRange & { found: number }> {
  const wrong: Array<CounterRange & { found: number }> = [];
  for (const r of counterRanges(writes).values()) {
    const found = Number(finalState.get(r.key) ?? 0);
    if (!(found >= r.min && found <= r.max)) wrong.push({ ...r, found });
  }
  return wrong;
}
