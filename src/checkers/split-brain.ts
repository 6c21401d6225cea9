// Split brain: two regions acknowledging writes in overlapping time. A write acknowledged by region A
// is suspect when, at its ack, another region B had already been made writable in A's place (the
// last `writable` event before the ack names B) and A was not itself being promoted since. Without any
// controller `writable` event (external mode), the database monitor's observed promotions stand in.
import { Events } from "../history/types.ts";
import { observedPromotions } from "./failover.ts";
import { MAX_LISTED_IDS, eventsOf, nsToRoundedMs, str, valueOf, type HistoryIndex } from "./history.ts";
import type { SplitBrainMeasurement } from "./types.ts";

interface RegionEvent {
  ns: number;
  region: string;
}

function regionEvents(index: HistoryIndex, f: string): RegionEvent[] {
  return eventsOf(index, f).flatMap((op) => {
    const region = str(valueOf(op), "region");
    return region === undefined ? [] : [{ ns: op.time, region }];
  });
}

export function detectSplitBrain(index: HistoryIndex): SplitBrainMeasurement {
  const controllers = regionEvents(index, Events.writable);
  const writables: readonly RegionEvent[] = controllers.length > 0 ? controllers : observedPromotions(index);
  const promotes = regionEvents(index, Events.promote);
  const ids: number[] = [];
  const regions = new Set<string>();
  let fromNs = Infinity;
  let toNs = -Infinity;
  let unattributedWrites = 0;

  for (const w of index.writes.values()) {
    if (w.outcome !== "ok") continue;
    if (w.region === null || w.region === "unknown") {
      unattributedWrites++;
      continue;
    }
    const ackNs = w.completeNs as number;
    const current = writables.filter((e) => e.ns < ackNs).at(-1);
    if (current === undefined || current.region === w.region) continue;
    // A region acking between its own promote and its writable event is the new primary, not a stale one.
    const promoting = promotes.some((p) => p.region === w.region && p.ns >= current.ns && p.ns < ackNs);
    if (promoting) continue;
    ids.push(w.id);
    regions.add(w.region).add(current.region);
    fromNs = Math.min(fromNs, current.ns);
    toNs = Math.max(toNs, ackNs);
  }

  if (ids.length === 0) {
    return {
      detected: false,
      writes: 0,
      ids: [],
      regions: [],
      overlapFromMs: null,
      overlapToMs: null,
      overlapMs: null,
      unattributedWrites,
    };
  }
  return {
    detected: true,
    writes: ids.length,
    ids: ids.sort((a, b) => a - b).slice(0, MAX_LISTED_IDS),
    regions: [...regions].sort(),
    overlapFromMs: nsToRoundedMs(fromNs),
    overlapToMs: nsToRoundedMs(toNs),
    overlapMs: nsToRoundedMs(toNs - fromNs),
    unattributedWrites,
  };
}
