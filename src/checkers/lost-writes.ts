// RPO: acknowledged writes missing from the surviving primary, as a count, as ids and as a time
// window. `info` writes are never lost: their outcome was unknown, so present = recovered, absent = fine.
import { Events, type FinalRead } from "../history/types.ts";
import { MAX_LISTED_IDS, eventsOf, nsToRoundedMs, type HistoryIndex, type WriteRecord } from "./history.ts";
import type { RpoMeasurement } from "./types.ts";

const head = (ids: number[]): number[] => ids.slice(0, MAX_LISTED_IDS);

export function measureRpo(
  index: HistoryIndex,
  finalReads: readonly FinalRead[],
  survivingPrimary: string | null,
): RpoMeasurement {
  // Keyed writes (active-active) update registers and counters: the conflicts checker judges them.
  const all = [...index.writes.values()].filter((w) => w.keyed === undefined).sort((a, b) => a.id - b.id);
  const acked = all.filter((w) => w.outcome === "ok");
  const indeterminate = all.filter((w) => w.outcome === "info" || w.outcome === "pending");
  const read = finalReads.find((r) => r.node === survivingPrimary);
  const base: RpoMeasurement = {
    ackedWrites: acked.length,
    lostWrites: null,
    lostWindowMs: null,
    unexpectedWrites: null,
    indeterminateWrites: indeterminate.length,
    recoveredWrites: null,
    failedButPresent: null,
    lostIds: [],
    lostIdsTruncated: false,
    unexpectedIds: [],
    failedButPresentIds: [],
    survivingPrimary,
    survivingPrimaryRole: read?.role ?? null,
    lostByRegion: {},
    divergedWrites: 0,
    divergedIds: [],
    divergedOn: {},
  };
  if (survivingPrimary === null) return { ...base, reason: "no primary region known" };
  if (read === undefined)
    return { ...base, reason: `no final read of the surviving primary ${survivingPrimary}` };
  if (!read.reachable) {
    return {
      ...base,
      reason: `the surviving primary ${survivingPrimary} was unreachable${read.error === undefined ? "" : `: ${read.error}`}`,
    };
  }

  const present = new Set(read.ids);
  const lost = acked.filter((w) => !present.has(w.id));
  const lostByRegion: Record<string, number> = {};
  for (const w of lost) lostByRegion[w.region ?? "unknown"] = (lostByRegion[w.region ?? "unknown"] ?? 0) + 1;

  const others = finalReads.filter((r) => r.node !== survivingPrimary && r.reachable);
  const divergedOn: Record<string, number> = {};
  const diverged = new Set<number>();
  for (const other of others) {
    const theirs = new Set(other.ids);
    const held = lost.filter((w) => theirs.has(w.id));
    if (held.length > 0) divergedOn[other.node] = held.length;
    for (const w of held) diverged.add(w.id);
  }

  const unexpected = read.ids.filter((id) => !index.writes.has(id)).sort((a, b) => a - b);
  const recovered = indeterminate.filter((w) => present.has(w.id));
  const failedButPresent = all.filter((w) => w.outcome === "fail" && present.has(w.id));
  return {
    ...base,
    lostWrites: lost.length,
    lostWindowMs: lostWindowMs(index, acked, lost, present),
    unexpectedWrites: unexpected.length,
    recoveredWrites: recovered.length,
    failedButPresent: failedButPresent.length,
    lostIds: head(lost.map((w) => w.id)),
    lostIdsTruncated: lost.length > MAX_LISTED_IDS,
    unexpectedIds: head(unexpected),
    failedButPresentIds: head(failedButPresent.map((w) => w.id)),
    lostByRegion,
    divergedWrites: diverged.size,
    divergedIds: head([...diverged].sort((a, b) => a - b)),
    divergedOn,
  };
}

/**
 * Ack time of the newest lost write minus ack time of the newest surviving ack before the oldest lost
 * one: how much acknowledged history the failover rolled back. Falls back to workload start (or the
 * oldest lost ack) when nothing before the first loss survived.
 */
function lostWindowMs(
  index: HistoryIndex,
  acked: readonly WriteRecord[],
  lost: readonly WriteRecord[],
  present: ReadonlySet<number>,
): number {
  if (lost.length === 0) return 0;
  let oldestLostNs = Infinity;
  let newestLostNs = -Infinity;
  for (const w of lost) {
    const t = w.completeNs as number;
    oldestLostNs = Math.min(oldestLostNs, t);
    newestLostNs = Math.max(newestLostNs, t);
  }
  let survivingBeforeNs: number | null = null;
  for (const w of acked) {
    const t = w.completeNs as number;
    if (present.has(w.id) && t < oldestLostNs) survivingBeforeNs = Math.max(survivingBeforeNs ?? t, t);
  }
  const workloadStart = eventsOf(index, Events.workloadStart).at(0)?.time;
  const fromNs = survivingBeforeNs ?? Math.min(workloadStart ?? oldestLostNs, oldestLostNs);
  return nsToRoundedMs(newestLostNs - fromNs);
}
