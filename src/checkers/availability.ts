// Client-observed RTO: how long each client went without a successful write because of the outage.
// A write counts as recovery only when it was invoked after the fault had fully taken effect (its
// nemesis op completed), so a write the old primary served in the injection window cannot pass for it.
import { NO_OUTAGE_REASON, faultUncertaintyMs, type FaultWindow } from "./failover.ts";
import { nsToRoundedMs, roundMs, type HistoryIndex } from "./history.ts";
import type { RtoMeasurement } from "./types.ts";

/** Nearest-rank percentile of a non-empty list. */
export function nearestRank(values: readonly number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function measureRto(index: HistoryIndex, fault: FaultWindow | null): RtoMeasurement {
  const empty: RtoMeasurement = {
    p50Ms: null,
    p90Ms: null,
    p99Ms: null,
    maxMs: null,
    gapMaxMs: null,
    gapP50Ms: null,
    perClient: [],
    clientsRecovered: 0,
    clientsNotRecovered: 0,
    uncertaintyMs: index.opIntervalMs,
    histogram: [],
    predictedRangeMs: null,
    byProfile: [],
    outside: [],
    clientsOutside: 0,
  };
  if (fault === null) return { ...empty, reason: NO_OUTAGE_REASON };

  const perClient = index.clients.map((client) => {
    const oks = (index.writesByClient.get(client) ?? []).filter((w) => w.outcome === "ok");
    let lastBeforeNs: number | null = null;
    let recoveryNs: number | null = null;
    for (const w of oks) {
      const done = w.completeNs as number;
      // Acknowledged no later than the fault took effect: service before the outage.
      if (done <= fault.okNs) lastBeforeNs = Math.max(lastBeforeNs ?? done, done);
      if (w.invokeNs > fault.okNs) recoveryNs = Math.min(recoveryNs ?? done, done);
    }
    return {
      client,
      rtoMs: recoveryNs === null ? null : nsToRoundedMs(recoveryNs - fault.invokeNs),
      gapMs: recoveryNs === null || lastBeforeNs === null ? null : nsToRoundedMs(recoveryNs - lastBeforeNs),
    };
  });

  const rtos = perClient.flatMap((c) => (c.rtoMs === null ? [] : [c.rtoMs]));
  const gaps = perClient.flatMap((c) => (c.gapMs === null ? [] : [c.gapMs]));
  const clientsNotRecovered = perClient.length - rtos.length;
  const result: RtoMeasurement = {
    ...empty,
    perClient,
    clientsRecovered: rtos.length,
    clientsNotRecovered,
    uncertaintyMs: roundMs(index.opIntervalMs + faultUncertaintyMs(fault)),
  };
  if (clientsNotRecovered > 0 || rtos.length === 0) {
    const reason =
      rtos.length === 0 && clientsNotRecovered === 0
        ? "no clients"
        : `${clientsNotRecovered} of ${perClient.length} client(s) never completed a write after the fault`;
    return { ...result, reason };
  }
  return {
    ...result,
    p50Ms: nearestRank(rtos, 50),
    p99Ms: nearestRank(rtos, 99),
    maxMs: Math.max(...rtos),
    gapMaxMs: gaps.length > 0 ? Math.max(...gaps) : null,
    gapP50Ms: gaps.length > 0 ? nearestRank(gaps, 50) : null,
  };
}
