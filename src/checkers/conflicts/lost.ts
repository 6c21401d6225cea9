// Lost register updates by strategy, judged against each region's final registers. Pure.
//   lww / crdt: the register must hold the acknowledged write with the largest (stamp, region), or an
//     indeterminate one; a region holding anything else lost that winner.
//   none: no rule but real time: an acknowledged write invoked after the surviving write completed
//     should have replaced it; each such write is lost.
//   custom union: every acknowledged value must be in the set; max: the largest acknowledged value.
import { judgeLww } from "./lww.ts";
import type { KeyedWrite, RegisterWrite } from "./types.ts";

export interface RegisterJudgement {
  lost: Set<number>;
  wrongKeys: Array<{ key: string; found: string | number | null; allowed: string[] }>;
  overwritten: number;
  discarded: Set<number>;
}

export function judgeRegisters(
  strategy: string,
  merge: string,
  writes: readonly RegisterWrite[],
  final: ReadonlyMap<string, string>,
): RegisterJudgement {
  const result: RegisterJudgement = { lost: new Set(), wrongKeys: [], overwritten: 0, discarded: new Set() };
  const acked = writes.filter((w) => w.outcome === "ok");
  if (strategy === "lww" || strategy === "crdt") {
    const verdict = judgeLww(writes, final);
    result.overwritten = verdict.overwritten;
    for (const w of verdict.discardedDespiteRealTime) result.discarded.add(w.id);
    for (const wrong of verdict.wrongKeys) {
      result.wrongKeys.push({ key: wrong.key, found: wrong.found ?? null, allowed: wrong.allowed });
      // The acknowledged winner is what the register lost.
      const winner = acked
        .filter((w) => w.key === wrong.key)
        .reduce<RegisterWrite | null>((best, w) => (best === null || beats(w, best) ? w : best), null);
      if (winner !== null && !wrong.allowed.includes(String(wrong.found))) result.lost.add(winner.id);
    }
    return result;
  }
  if (strategy === "custom" && merge === "union") {
    for (const w of acked) {
      const tags = (final.get(w.key) ?? "").split(",");
      if (!tags.includes(w.value)) result.lost.add(w.id);
    }
    return result;
  }
  if (strategy === "custom" && merge === "max") {
    const best = new Map<string, number>();
    for (const w of acked) best.set(w.key, Math.max(best.get(w.key) ?? -Infinity, Number(w.value)));
    for (const w of acked) {
      const found = Number(final.get(w.key) ?? "");
      if (!(found >= Number(w.value))) result.lost.add(w.id);
    }
    for (const [key, value] of best) {
      const found = final.get(key) ?? null;
      if (!(Number(found) >= value)) result.wrongKeys.push({ key, found, allowed: [String(value)] });
    }
    return result;
  }
  // none: real time is the only rule left.
  const byId = new Map(writes.map((w) => [w.id, w]));
  for (const w of acked) {
    const found = final.get(w.key);
    if (found === String(w.id) || found === w.value) continue;
    const survivor = found === undefined || found === "" ? undefined : byId.get(Number(found));
    const survivorDone = survivor?.completeNs ?? null;
    if (survivor === undefined || (survivorDone !== null && w.invokeNs > survivorDone)) result.lost.add(w.id);
  }
  return result;
}

const beats = (a: RegisterWrite, b: RegisterWrite): boolean =>
  a.stampMs - b.stampMs > 0 || (a.stampMs === b.stampMs && a.region > b.region);

/**
 * Acknowledged writes made without knowing of another region's earlier write to the same key: the
 * version a write replaced (prev) is older than some other region's write stamped before it.
 */
export function concurrentWrites(writes: readonly KeyedWrite[]): number {
  const byKey = new Map<string, KeyedWrite[]>();
  for (const w of writes) {
    if (w.outcome !== "ok" || !Number.isFinite(w.stampMs)) continue;
    const list = byKey.get(w.key) ?? [];
    list.push(w);
    byKey.set(w.key, list);
  }
  let count = 0;
  for (const list of byKey.values()) {
    list.sort((a, b) => a.stampMs - b.stampMs);
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      if (w.prev === undefined) continue;
      const [prevStamp] = w.prev;
      // Another region's write stamped after the replaced version and before this one: not seen.
      for (let j = i - 1; j >= 0 && list[j]!.stampMs > prevStamp; j--) {
        if (list[j]!.region !== w.region) {
          count++;
          break;
        }
      }
    }
  }
  return count;
}
