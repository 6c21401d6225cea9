// Acknowledged-write latency per phase of the drill: before the fault (the steady-state cost of the
// replication mode), during it (until the failover made a region writable, or the fault was healed)
// and after. A write belongs to the phase it was invoked in: the conditions it was sent into.
import { Events } from "../history/types.ts";
import { nearestRank } from "./availability.ts";
import type { FailoverEvents, FaultWindow } from "./failover.ts";
import { eventsOf, nsToRoundedMs, type HistoryIndex } from "./history.ts";
import type { LatencyPhase, LatencyStats, WriteLatencyMeasurement } from "./types.ts";

export function latencyStats(latenciesMs: readonly number[]): LatencyStats {
  if (latenciesMs.length === 0) return { count: 0, p50Ms: null, p99Ms: null, maxMs: null };
  return {
    count: latenciesMs.length,
    p50Ms: nearestRank(latenciesMs, 50),
    p99Ms: nearestRank(latenciesMs, 99),
    maxMs: Math.max(...latenciesMs),
  };
}

/**
 * @param fault t_fault: the primary outage when there is one, else the drill's first fault.
 * @param failover its failover, whose writable moment ends the "during" phase.
 */
export function measureWriteLatency(
  index: HistoryIndex,
  fault: FaultWindow | null,
  failover: FailoverEvents,
): WriteLatencyMeasurement {
  const acked = [...index.writes.values()]
    .filter((w) => w.outcome === "ok" && w.completeNs !== null)
    .map((w) => ({ invokeNs: w.invokeNs, ms: nsToRoundedMs((w.completeNs as number) - w.invokeNs) }));
  const firstInvokeNs = acked.reduce((min, w) => Math.min(min, w.invokeNs), Infinity);
  const startNs =
    eventsOf(index, Events.workloadStart).at(0)?.time ?? (Number.isFinite(firstInvokeNs) ? firstInvokeNs : 0);
  const endNs = Math.max(startNs, eventsOf(index, Events.workloadEnd).at(-1)?.time ?? index.endNs);
  const overall = latencyStats(acked.map((w) => w.ms));
  const reason = acked.length === 0 ? { reason: "no write was acknowledged" } : {};

  const phase = (name: LatencyPhase["phase"], fromNs: number, toNs: number, last: boolean): LatencyPhase => {
    // The first and last phases take everything outside the workload window too.
    const inside = acked.filter(
      (w) => (name === "before" || name === "all" || w.invokeNs >= fromNs) && (last || w.invokeNs < toNs),
    );
    return {
      phase: name,
      fromMs: nsToRoundedMs(fromNs),
      toMs: nsToRoundedMs(toNs),
      ...latencyStats(inside.map((w) => w.ms)),
    };
  };

  if (fault === null) {
    const all = phase("all", startNs, endNs, true);
    return { phases: [all], overall, beforeP50Ms: all.p50Ms, duringEndsAt: null, ...reason };
  }
  const faultNs = Math.min(Math.max(fault.invokeNs, startNs), endNs);
  const writableNs = failover.fault === fault ? failover.writableNs : null;
  const [duringEndNs, duringEndsAt] =
    writableNs !== null && writableNs >= faultNs
      ? [writableNs, "writable" as const]
      : fault.healNs !== null && fault.healNs >= faultNs
        ? [fault.healNs, "heal" as const]
        : [endNs, "workload-end" as const];
  const duringEnd = Math.min(duringEndNs, endNs);
  const hasAfter = duringEnd < endNs;
  const phases = [
    phase("before", startNs, faultNs, false),
    phase("during", faultNs, duringEnd, !hasAfter),
    ...(hasAfter ? [phase("after", duringEnd, endNs, true)] : []),
  ];
  return {
    phases,
    overall,
    beforeP50Ms: phases[0]?.p50Ms ?? null,
    duringEndsAt: duringEnd < duringEndNs ? "workload-end" : duringEndsAt,
    ...reason,
  };
}
