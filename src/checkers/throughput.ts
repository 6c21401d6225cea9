// Throughput over the workload window, and per phase around the primary outage (by completion time).
import { Events } from "../history/types.ts";
import type { FaultWindow } from "./failover.ts";
import { eventsOf, nsToRoundedMs, type HistoryIndex, type WriteRecord } from "./history.ts";
import type { PhaseCounts, ThroughputMeasurement } from "./types.ts";

const perSecond = (count: number, ns: number): number =>
  ns > 0 ? Math.round((count / (ns / 1e9)) * 1000) / 1000 : 0;

function phase(
  name: PhaseCounts["phase"],
  fromNs: number,
  toNs: number,
  writes: readonly WriteRecord[],
): PhaseCounts {
  const inside = writes.filter((w) => w.completeNs !== null && w.completeNs >= fromNs && w.completeNs < toNs);
  const count = (outcome: WriteRecord["outcome"]): number =>
    inside.filter((w) => w.outcome === outcome).length;
  return {
    phase: name,
    fromMs: nsToRoundedMs(fromNs),
    toMs: nsToRoundedMs(toNs),
    ok: count("ok"),
    fail: count("fail"),
    info: count("info"),
    ackedPerSecond: perSecond(count("ok"), toNs - fromNs),
  };
}

export function measureThroughput(index: HistoryIndex, fault: FaultWindow | null): ThroughputMeasurement {
  const writes = [...index.writes.values()];
  let firstNs = Infinity;
  let lastNs = -Infinity;
  for (const w of writes) {
    firstNs = Math.min(firstNs, w.invokeNs);
    lastNs = Math.max(lastNs, w.completeNs ?? w.invokeNs);
  }
  const startNs = eventsOf(index, Events.workloadStart).at(0)?.time ?? (writes.length > 0 ? firstNs : 0);
  const endNs = eventsOf(index, Events.workloadEnd).at(-1)?.time ?? (writes.length > 0 ? lastNs : startNs);
  // A completion can land after workload-end (the end event waits for in-flight requests anyway).
  const windowNs = Math.max(0, endNs - startNs);
  const count = (outcome: WriteRecord["outcome"]): number =>
    writes.filter((w) => w.outcome === outcome).length;

  const phases: PhaseCounts[] = [];
  if (fault !== null) {
    const healNs = Math.max(fault.invokeNs, Math.min(fault.healNs ?? endNs, endNs));
    phases.push(phase("before-fault", startNs, fault.invokeNs, writes));
    phases.push(phase("during-fault", fault.invokeNs, healNs, writes));
    if (healNs < endNs) phases.push(phase("after-heal", healNs, endNs, writes));
  }
  // What the workload achieved while the system was healthy: invokes before the fault (all run without).
  const steadyEndNs = fault === null ? endNs : Math.min(fault.invokeNs, endNs);
  const invokedBefore = writes.filter((w) => w.invokeNs >= startNs && w.invokeNs < steadyEndNs).length;
  const stalls = eventsOf(index, Events.runnerStall).map((e) => (e.value as { ms: number }).ms);
  return {
    ackedPerSecond: perSecond(count("ok"), windowNs),
    askedPerSecond: index.drill.workload.ratePerSecond,
    achievedPerSecond: perSecond(invokedBefore, Math.max(0, steadyEndNs - startNs)),
    attempted: writes.length,
    ok: count("ok"),
    fail: count("fail"),
    info: count("info"),
    pending: count("pending"),
    windowMs: nsToRoundedMs(windowNs),
    phases,
    ...(stalls.length === 0
      ? {}
      : {
          runnerStalls: {
            count: stalls.length,
            longestMs: Math.max(...stalls),
            totalMs: stalls.reduce((sum, ms) => sum + ms, 0),
          },
        }),
  };
}
