// For managers that fail over on their own timers (Patroni): when the new primary took writes and
// when each load balancer routed to it, beside what the manager's parameters predict. Notes only:
// the built-in controller's drills have neither the prediction nor route-switch events. Pure.
import { Events } from "../history/types.ts";
import { fmtMs } from "../report/format.ts";
import { faultUncertaintyMs, type FailoverEvents } from "./failover.ts";
import { eventsOf, num, nsToRoundedMs, roundMs, str, valueOf, type HistoryIndex } from "./history.ts";
import type { Predicted } from "./types.ts";

const within = (ms: number, [low, high]: [number, number]): string =>
  ms >= low && ms <= high ? "inside" : ms < low ? "before" : "after";

export function routingNotes(index: HistoryIndex, f: FailoverEvents, predicted: Predicted): string[] {
  if (f.fault === null || f.writableNs === null) return [];
  const notes: string[] = [];
  const faultNs = f.fault.invokeNs;
  const writableMs = nsToRoundedMs(f.writableNs - faultNs);
  const basis = predicted.basis === undefined ? "" : ` (${predicted.basis})`;
  if (predicted.writableRangeMs !== undefined) {
    const range = predicted.writableRangeMs;
    const uncertainty = roundMs(faultUncertaintyMs(f.fault) + f.writablePollMs);
    notes.push(
      `writable: ${f.promotedRegion ?? "?"} committed ${fmtMs(writableMs)} after the fault (± ${fmtMs(uncertainty)}), ` +
        `${within(writableMs, range)} the predicted ${fmtMs(range[0])} – ${fmtMs(range[1])}${basis}`,
    );
  }
  const dcsLeader = eventsOf(index, Events.dcsLeader)
    .filter((op) => op.time <= faultNs)
    .map((op) => str(valueOf(op), "member"))
    .at(-1);
  if (dcsLeader !== undefined) {
    notes.push(
      dcsLeader === f.fault.region
        ? `DCS: the outage took the etcd leader (${dcsLeader}) with it; etcd extends every lease when it ` +
            "elects the next leader, so the old leader's key outlived its ttl"
        : `DCS: the etcd leader (${dcsLeader}) was outside the failed region; the leader key lived its ttl`,
    );
  }
  // A router in the failed region comes back with it; its switch belongs to the heal, not the failover.
  const healNs = f.fault.healNs ?? Number.POSITIVE_INFINITY;
  const switches = eventsOf(index, Events.routeSwitch).filter(
    (op) => op.time >= f.writableNs! && op.time < healNs && str(valueOf(op), "region") === f.promotedRegion,
  );
  if (switches.length === 0) return notes;
  const each = switches.map(
    (op) => `${str(valueOf(op), "router") ?? "?"} ${fmtMs(nsToRoundedMs(op.time - f.writableNs!))}`,
  );
  const lastMs = nsToRoundedMs(switches.at(-1)!.time - faultNs);
  const pollMs = num(valueOf(switches.at(-1)!), "pollMs") ?? 0;
  const range = predicted.routingRangeMs;
  notes.push(
    `routing: to ${f.promotedRegion ?? "?"} after writable: ${each.join(", ")}; fault -> last ${fmtMs(lastMs)} ` +
      `(± ${fmtMs(roundMs(faultUncertaintyMs(f.fault) + pollMs))})` +
      (range === undefined
        ? ""
        : `, ${within(lastMs, range)} the predicted ${fmtMs(range[0])} – ${fmtMs(range[1])}`),
  );
  return notes;
}
