// Last-writer-wins, judged from the history alone: which write each register must converge to, which
// acknowledged writes it discarded, and which of those came later in real time than the write that
// beat them (a skewed clock's cost). Ties on the stamp go to the greater region name, as the
// replica-side trigger breaks them.
import type { RegisterWrite } from "./types.ts";

/** (stamp, region) order: positive when a wins over b. */
export function lwwCompare(a: RegisterWrite, b: RegisterWrite): number {
  return a.stampMs - b.stampMs || (a.region < b.region ? -1 : a.region > b.region ? 1 : 0);
}

const maybeApplied = (w: RegisterWrite): boolean => w.outcome === "ok" || w.outcome === "info";

export interface LwwExpectation {
  key: string;
  /** The acknowledged write with the largest (stamp, region); null when none was acknowledged. */
  acknowledgedWinner: RegisterWrite | null;
  /**
   * Every value the register may legitimately end with: the acknowledged winner's, or that of an
   * indeterminate write that would beat it had it been applied.
   */
  allowedValues: string[];
}

export function lwwExpectations(writes: readonly RegisterWrite[]): Map<string, LwwExpectation> {
  const byKey = new Map<string, RegisterWrite[]>();
  for (const w of writes) {
    if (!maybeApplied(w)) continue;
    const list = byKey.get(w.key);
    if (list === undefined) byKey.set(w.key, [w]);
    else list.push(w);
  }
  const result = new Map<string, LwwExpectation>();
  for (const [key, candidates] of byKey) {
    let winner: RegisterWrite | null = null;
    for (const w of candidates)
      if (w.outcome === "ok" && (winner === null || lwwCompare(w, winner) > 0)) winner = w;
    const beyond = candidates.filter(
      (w) => w.outcome === "info" && (winner === null || lwwCompare(w, winner) > 0),
    );
    const allowed = [...(winner === null ? [] : [winner.value]), ...beyond.map((w) => w.value)];
    result.set(key, { key, acknowledgedWinner: winner, allowedValues: [...new Set(allowed)] });
  }
  return result;
}

export interface LwwVerdict {
  /** Keys whose final value is none of the allowed ones (a wrong or missing value). */
  wrongKeys: Array<{ key: string; found: string | number | undefined; allowed: string[] }>;
  /** Acknowledged writes a later (stamp, region) legitimately overwrote. */
  overwritten: number;
  /**
   * Acknowledged writes discarded although they were invoked after the write that beat them had
   * completed: later in real time, lost to a clock that ran ahead.
   */
  discardedDespiteRealTime: RegisterWrite[];
}

/** Judges one region's final registers against what LWW must converge to. */
export function judgeLww(
  writes: readonly RegisterWrite[],
  finalState: ReadonlyMap<string, string | number>,
): LwwVerdict {
  const expectations = lwwExpectations(writes);
  const wrongKeys: LwwVerdict["wrongKeys"] = [];
  let overwritten = 0;
  for (const [key, e] of expectations) {
    const found = finalState.get(key);
    if (e.allowedValues.length > 0 && !e.allowedValues.includes(String(found)))
      wrongKeys.push({ key, found, allowed: e.allowedValues });
    const winner = e.acknowledgedWinner;
    if (winner === null) continue;
    for (const w of writes) if (w.key === key && w.outcome === "ok" && w !== winner) overwritten += 1;
  }
  return { wrongKeys, overwritten, discardedDespiteRealTime: discardedDespiteRealTime(writes) };
}

/**
 * Acknowledged writes that a write completed before they were invoked beats on (stamp, region): LWW
 * discards them although they came later in real time. Per key, in invoke order, against the best
 * write completed so far (completion order): O(n log n).
 */
export function discardedDespiteRealTime(writes: readonly RegisterWrite[]): RegisterWrite[] {
  const byKey = new Map<string, RegisterWrite[]>();
  for (const w of writes) {
    if (w.outcome !== "ok" || w.completeNs === null) continue;
    const list = byKey.get(w.key);
    if (list === undefined) byKey.set(w.key, [w]);
    else list.push(w);
  }
  const discarded: RegisterWrite[] = [];
  for (const list of byKey.values()) {
    const byInvoke = [...list].sort((a, b) => a.invokeNs - b.invokeNs);
    const byComplete = [...list].sort((a, b) => a.completeNs! - b.completeNs!);
    let best: RegisterWrite | null = null;
    let next = 0;
    for (const w of byInvoke) {
      while (next < byComplete.length && byComplete[next]!.completeNs! < w.invokeNs) {
        const done = byComplete[next++]!;
        if (best === null || lwwCompare(done, best) > 0) best = done;
      }
      if (best !== null && lwwCompare(best, w) > 0) discarded.push(w);
    }
  }
  return discarded;
}
