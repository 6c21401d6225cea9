// The client-observed RTO as a distribution: percentiles, a histogram, each resolver x connection
// profile's share of it, and the range the drill's own parameters predict for each profile, with the
// clients that fell outside their range and why. Pure.
import { clientHoldMs } from "../dns/site-resolvers.ts";
import type { Drill } from "../drill/types.ts";
import { predictPatroni } from "../managers/patroni/predict.ts";
import { nearestRank } from "./availability.ts";
import type { FailoverEvents } from "./failover.ts";
import { nsToRoundedMs, roundMs, type HistoryIndex } from "./history.ts";
import { kindOf, recordedPopulation, type ClientKind } from "./population.ts";
import { predict } from "./predicted.ts";
import type { RtoMeasurement, RtoProfile } from "./types.ts";

/** Clients listed by name in `outside`; the count is always complete. */
export const MAX_LISTED_OUTSIDE = 50;

const NICE_WIDTHS_MS = [
  10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 30_000, 60_000,
];

/** About a dozen equal buckets of a round width covering every value. */
export function histogram(values: readonly number[]): RtoMeasurement["histogram"] {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const width = NICE_WIDTHS_MS.find((w) => (max - min) / w <= 12) ?? NICE_WIDTHS_MS.at(-1)!;
  const from = Math.floor(min / width) * width;
  const count = Math.floor((max - from) / width) + 1;
  const buckets = Array.from({ length: count }, (_, i) => ({
    fromMs: from + i * width,
    toMs: from + (i + 1) * width,
    clients: 0,
  }));
  for (const v of values) buckets[Math.min(count - 1, Math.floor((v - from) / width))]!.clients++;
  return buckets;
}

/** How long a client of this resolver profile may keep using an answer it got before the switch. */
function cacheHoldMs(drill: Drill, resolver: string): number {
  return clientHoldMs(drill.dns, resolver, drill.workload.fixedCacheMs);
}

/** Clients hold every regional endpoint (no DNS in the way) under client mode and the external manager. */
function clientRouting(drill: Drill): boolean {
  return drill.controller.mode === "client" || drill.controller.mode === "external";
}

/**
 * [lower, upper] for one resolver profile, or null where our parameters do not govern the failover
 * (external manager) or nothing was promoted. lower: the shortest detection plus the measured
 * promotion. upper: the longest detection, promotion, the DNS update, the resolver's hold time, one
 * write interval (the client's next write) and one request timeout (a write still in flight). The
 * detection bounds are predict()'s: the health check's, or a failover manager's own.
 */
export function predictedRange(
  drill: Drill,
  f: FailoverEvents,
  opIntervalMs: number,
  resolver: string,
): [number, number] | null {
  if (drill.controller.mode === "external" || f.primaryDownNs === null || f.writableNs === null) return null;
  const [shortestDetectionMs, longestDetectionMs] = predict(drill).detectionRangeMs;
  const promotionMs = nsToRoundedMs(f.writableNs - f.primaryDownNs);
  const lower = shortestDetectionMs + promotionMs;
  const routingMs = clientRouting(drill)
    ? 0
    : (f.dnsUpdate === null ? 0 : nsToRoundedMs(Math.max(0, f.dnsUpdate.ns - f.writableNs))) +
      cacheHoldMs(drill, resolver);
  // Patroni behind HAProxy: the region's load balancer marks the new leader up rise x inter later.
  const loadBalancerMs =
    drill.controller.manager === "patroni" ? (predictPatroni(drill).routingDelayRangeMs?.[1] ?? 0) : 0;
  const upper =
    longestDetectionMs +
    promotionMs +
    routingMs +
    loadBalancerMs +
    opIntervalMs +
    drill.workload.requestTimeoutMs;
  return [roundMs(lower), roundMs(upper)];
}

/** Why a client's RTO is outside its profile's range, in words an SRE can act on. */
function whyOutside(
  index: HistoryIndex,
  drill: Drill,
  client: number,
  kind: ClientKind,
  rtoMs: number | null,
  range: [number, number],
  faultNs: number,
): string {
  const profile = `${kind.resolver} resolver, ${kind.connections} connections`;
  if (rtoMs === null) {
    const leftMs = nsToRoundedMs(index.endNs - faultNs);
    const hold = kind.resolver === "fixed" ? drill.workload.fixedCacheMs : 0;
    if (hold > 0 && hold >= leftMs - drill.workload.requestTimeoutMs)
      return `${profile}: never recovered; its cache keeps the old answer ${hold / 1000} s whatever the TTL, longer than the ${Math.round(leftMs) / 1000} s the workload ran after the fault`;
    return `${profile}: never completed a write in the ${Math.round(leftMs) / 1000} s after the fault${lastError(index, client, faultNs)}`;
  }
  if (rtoMs < range[0])
    return `${profile}: recovered ${rtoMs} ms after the fault, before the earliest predicted ${range[0]} ms`;
  return `${profile}: ${rtoMs} ms, above the predicted ${range[1]} ms${lastError(index, client, faultNs)}`;
}

function lastError(index: HistoryIndex, client: number, faultNs: number): string {
  const failed = (index.writesByClient.get(client) ?? []).filter(
    (w) => w.invokeNs > faultNs && w.outcome !== "ok" && w.error !== undefined,
  );
  const last = failed.at(-1);
  return last === undefined ? "" : ` (last failure: ${last.error})`;
}

/** The distribution fields of the RTO measurement, from the per-client figures already measured. */
export function rtoDistribution(
  index: HistoryIndex,
  f: FailoverEvents,
  perClient: RtoMeasurement["perClient"],
): Pick<
  RtoMeasurement,
  "p90Ms" | "histogram" | "predictedRangeMs" | "byProfile" | "outside" | "clientsOutside"
> {
  const drill = index.drill;
  const population = recordedPopulation(index);
  const rtos = perClient.flatMap((c) => (c.rtoMs === null ? [] : [c.rtoMs]));
  const groups = new Map<string, { kind: ClientKind; rtos: Array<number | null> }>();
  for (const c of perClient) {
    const kind = kindOf(population, c.client);
    const key = `${kind.resolver} ${kind.connections}`;
    const group = groups.get(key) ?? { kind, rtos: [] };
    group.rtos.push(c.rtoMs);
    groups.set(key, group);
  }
  const rangeOf = (resolver: string) => predictedRange(drill, f, index.opIntervalMs, resolver);
  const byProfile: RtoProfile[] = [...groups.values()]
    .map(({ kind, rtos: values }) => {
      const recovered = values.filter((v): v is number => v !== null);
      return {
        resolver: kind.resolver,
        connections: kind.connections,
        clients: values.length,
        recovered: recovered.length,
        p50Ms: recovered.length === values.length && recovered.length > 0 ? nearestRank(recovered, 50) : null,
        maxMs: recovered.length === values.length && recovered.length > 0 ? Math.max(...recovered) : null,
        predictedRangeMs: rangeOf(kind.resolver),
      };
    })
    .sort((a, b) => a.resolver.localeCompare(b.resolver) || a.connections.localeCompare(b.connections));
  const ranges = byProfile.flatMap((p) => (p.predictedRangeMs === null ? [] : [p.predictedRangeMs]));
  const outside: RtoMeasurement["outside"] = [];
  let clientsOutside = 0;
  if (f.fault !== null) {
    for (const c of perClient) {
      const kind = kindOf(population, c.client);
      const range = rangeOf(kind.resolver);
      if (range === null) continue;
      if (c.rtoMs !== null && c.rtoMs >= range[0] && c.rtoMs <= range[1]) continue;
      clientsOutside++;
      if (outside.length < MAX_LISTED_OUTSIDE) {
        const reason = whyOutside(index, drill, c.client, kind, c.rtoMs, range, f.fault.invokeNs);
        outside.push({
          client: c.client,
          rtoMs: c.rtoMs,
          resolver: kind.resolver,
          connections: kind.connections,
          reason,
        });
      }
    }
  }
  return {
    p90Ms: rtos.length > 0 && rtos.length === perClient.length ? nearestRank(rtos, 90) : null,
    histogram: histogram(rtos),
    predictedRangeMs:
      ranges.length === 0
        ? null
        : [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))],
    byProfile,
    outside,
    clientsOutside,
  };
}
