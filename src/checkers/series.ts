// The charts' series (src/summary/series.ts) from the analysed history and the measurements. Pure and
// deterministic, sampling included, so a stored run re-checked redraws the same charts.
import { Events, type Op } from "../history/types.ts";
import type {
  FaultSpan,
  LagPoint,
  LatencyPoint,
  LatencySeries,
  ReplicationLagSeries,
  RunSeries,
  SeriesMarker,
  ThroughputSeries,
} from "../summary/series.ts";
import type { CheckContext } from "./checker.ts";
import {
  eventsOf,
  num,
  nsToRoundedMs,
  roundMs,
  str,
  valueOf,
  type HistoryIndex,
  type WriteRecord,
} from "./history.ts";
import { samplesOf } from "./replication.ts";
import type { Measurements } from "./types.ts";

/** Above this many completed writes the latency plot lists every n-th of each outcome. */
export const MAX_LATENCY_POINTS = 3000;
/** Throughput buckets: the narrowest of these widths that needs at most MAX_BUCKETS buckets. */
export const BUCKET_WIDTHS_MS = [250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000] as const;
export const MAX_BUCKETS = 240;

const wholeMs = (ns: number): number => Math.round(ns / 1e6);
const hundredths = (ms: number): number => Math.round(ms * 100) / 100;

/** What the series read of a write that completed (its outcome known to the client). */
export interface Completed {
  id: number;
  outcome: "ok" | "fail" | "info";
  invokeNs: number;
  completeNs: number;
}

function completedWrites(index: HistoryIndex): Completed[] {
  // index.writes holds them in invoke order already (indexHistory walks the ops by time).
  return [...index.writes.values()].filter(
    (w): w is WriteRecord & Completed => w.outcome !== "pending" && w.completeNs !== null,
  );
}

/** The index with its client ops left out: the events below are looked up many times, writes never. */
function eventsOnly(index: HistoryIndex): HistoryIndex {
  return { ...index, ops: index.ops.filter((op) => typeof op.process !== "number") };
}

/** The workload's window: workload-start (or the first write) to workload-end or the last completion. */
function workloadWindow(index: HistoryIndex, writes: readonly Completed[]): [number, number] {
  const start = eventsOf(index, Events.workloadStart).at(0)?.time ?? writes[0]?.invokeNs ?? 0;
  const lastDone = writes.reduce((max, w) => Math.max(max, w.completeNs), -Infinity);
  const end = Math.max(
    eventsOf(index, Events.workloadEnd).at(-1)?.time ?? -Infinity,
    lastDone,
    writes.length === 0 ? index.endNs : -Infinity,
  );
  return [wholeMs(start), Math.max(wholeMs(start) + 1, wholeMs(end))];
}

export function throughputSeries(
  writes: readonly Completed[],
  fromMs: number,
  toMs: number,
): ThroughputSeries {
  const span = toMs - fromMs;
  const bucketMs = BUCKET_WIDTHS_MS.find((w) => span / w <= MAX_BUCKETS) ?? BUCKET_WIDTHS_MS.at(-1)!;
  const count = Math.max(1, Math.ceil(span / bucketMs));
  const series: ThroughputSeries = {
    bucketMs,
    fromMs,
    ok: new Array<number>(count).fill(0),
    fail: new Array<number>(count).fill(0),
    info: new Array<number>(count).fill(0),
  };
  for (const w of writes) {
    const i = Math.floor((w.completeNs / 1e6 - fromMs) / bucketMs);
    series[w.outcome][Math.min(count - 1, Math.max(0, i))]! += 1;
  }
  return series;
}

/** Every `every`-th write of each outcome (the first included), so each outcome keeps its share. */
export function latencySeries(writes: readonly Completed[], max = MAX_LATENCY_POINTS): LatencySeries {
  const every = Math.max(1, Math.ceil(writes.length / max));
  const points: Record<Completed["outcome"], LatencyPoint[]> = { ok: [], fail: [], info: [] };
  const seen = { ok: 0, fail: 0, info: 0 };
  for (const w of writes) {
    if (seen[w.outcome]++ % every !== 0) continue;
    points[w.outcome].push([wholeMs(w.invokeNs), hundredths((w.completeNs - w.invokeNs) / 1e6)]);
  }
  const kept = points.ok.length + points.fail.length + points.info.length;
  return { total: writes.length, kept, every, ...points };
}

/** Above this many points a standby's line is thinned (see thinLag). */
export const MAX_LAG_POINTS = 1000;

/**
 * Every run of consecutive samples cut into groups of `every`, each group kept as its point with the
 * most WAL behind (else the longest lag), so spikes survive; gaps ([t, null, null]) are always kept.
 */
export function thinLag(points: readonly LagPoint[], max = MAX_LAG_POINTS): LagPoint[] {
  if (points.length <= max) return [...points];
  const every = Math.ceil(points.length / max);
  const weight = (p: LagPoint): number => p[2] ?? p[1] ?? -Infinity;
  const kept: LagPoint[] = [];
  let group: LagPoint[] = [];
  const flush = (): void => {
    if (group.length > 0) kept.push(group.reduce((a, b) => (weight(b) > weight(a) ? b : a)));
    group = [];
  };
  for (const p of points) {
    if (p[1] === null && p[2] === null) {
      flush();
      kept.push(p);
      continue;
    }
    group.push(p);
    if (group.length === every) flush();
  }
  flush();
  return kept;
}

export function replicationLagSeries(index: HistoryIndex): ReplicationLagSeries {
  const samples = samplesOf(index);
  const byStandby = new Map<string, LagPoint[]>();
  for (const sample of samples) {
    const t = wholeMs(sample.ns);
    const listed = new Set<string>();
    for (const s of sample.standbys) {
      listed.add(s.name);
      const points = byStandby.get(s.name) ?? [];
      const lagMs = s.replayLagMs === null ? null : Math.round(s.replayLagMs * 10) / 10;
      points.push([t, lagMs, s.replayLagBytes]);
      byStandby.set(s.name, points);
    }
    // A standby no longer listed (its node down, or now the primary) breaks its line here.
    for (const [name, points] of byStandby) {
      const last = points.at(-1);
      if (!listed.has(name) && last !== undefined && (last[1] !== null || last[2] !== null))
        points.push([t, null, null]);
    }
  }
  return {
    sampleMs: samples.find((s) => s.sampleMs !== null)?.sampleMs ?? null,
    samples: samples.length,
    standbys: [...byStandby].map(([standby, points]) => ({ standby, points: thinLag(points) })),
  };
}

/** Each fault-start that took effect, to the start of its heal. */
export function faultSpans(index: HistoryIndex): FaultSpan[] {
  const starts = eventsOf(index, Events.faultStart);
  const heals = eventsOf(index, Events.faultHeal);
  const same = (invoke: Op) => (op: Op) =>
    op.process === invoke.process &&
    op.time >= invoke.time &&
    op.index !== invoke.index &&
    num(valueOf(op), "fault") === num(valueOf(invoke), "fault");
  return starts.flatMap((invoke): FaultSpan[] => {
    if (invoke.type !== "invoke") return [];
    if (starts.find((op) => op.type !== "invoke" && same(invoke)(op))?.type === "fail") return [];
    const v = valueOf(invoke);
    const faultNo = num(v, "fault") ?? -1;
    const heal = heals.find((op) => op.type === "invoke" && same(invoke)(op));
    return [
      {
        fault: faultNo,
        description: str(v, "description") ?? str(v, "type") ?? `fault ${faultNo}`,
        fromMs: nsToRoundedMs(invoke.time),
        toMs: heal === undefined ? null : nsToRoundedMs(heal.time),
      },
    ];
  });
}

const MARKER_ORDER: readonly SeriesMarker["kind"][] = [
  "fault",
  "detection",
  "writable",
  "dns",
  "first-client",
  "last-client",
];

/**
 * Fault, detection, writable, DNS switch (authoritative) and the first and last client recovered; and
 * every other controller decision (primary-down, writable) in the history.
 */
export function failoverMarkers(context: CheckContext, m: Measurements, faults: FaultSpan[]): SeriesMarker[] {
  const { failover } = context;
  const markers: SeriesMarker[] = [];
  const add = (kind: SeriesMarker["kind"], ns: number | null, label: string): void => {
    if (ns !== null) markers.push({ kind, tMs: nsToRoundedMs(ns), label });
  };
  const faultMs =
    failover.fault === null ? (faults[0]?.fromMs ?? null) : nsToRoundedMs(failover.fault.invokeNs);
  if (faultMs !== null) markers.push({ kind: "fault", tMs: faultMs, label: "fault" });
  add("detection", failover.primaryDownNs, "detected");
  const writable = failover.writableNs;
  add(
    "writable",
    writable,
    failover.promotedRegion === null ? "writable" : `writable (${failover.promotedRegion})`,
  );
  // Decisions that were not this fault's failover (a false positive before it, a second failover) are
  // real events too: marked under their region, so a chart never hides why writes failed.
  for (const op of eventsOf(context.index, Events.primaryDown))
    if (op.time !== failover.primaryDownNs)
      add("detection", op.time, `declared down (${str(valueOf(op), "region") ?? "?"})`);
  for (const op of eventsOf(context.index, Events.writable))
    if (op.time !== writable) add("writable", op.time, `writable (${str(valueOf(op), "region") ?? "?"})`);
  if (writable !== null && m.dnsSwitch.authoritativeMs !== null)
    markers.push({
      kind: "dns",
      tMs: roundMs(nsToRoundedMs(writable) + m.dnsSwitch.authoritativeMs),
      label: "DNS switched",
    });
  const rtos = m.rto.perClient.flatMap((c) => (c.rtoMs === null ? [] : [c.rtoMs]));
  if (failover.fault !== null && rtos.length > 0) {
    const faultAt = nsToRoundedMs(failover.fault.invokeNs);
    markers.push({
      kind: "first-client",
      tMs: roundMs(faultAt + Math.min(...rtos)),
      label: "first client back",
    });
    if (m.rto.clientsNotRecovered === 0)
      markers.push({
        kind: "last-client",
        tMs: roundMs(faultAt + Math.max(...rtos)),
        label: "last client back",
      });
  }
  return markers.sort((a, b) => a.tMs - b.tMs || MARKER_ORDER.indexOf(a.kind) - MARKER_ORDER.indexOf(b.kind));
}

export function buildSeries(context: CheckContext, m: Measurements): RunSeries {
  const writes = completedWrites(context.index);
  const events = eventsOnly(context.index);
  const [fromMs, toMs] = workloadWindow(events, writes);
  const faults = faultSpans(events);
  return {
    fromMs,
    toMs,
    throughput: throughputSeries(writes, fromMs, toMs),
    latency: latencySeries(writes),
    replicationLag: replicationLagSeries(events),
    faults,
    markers: failoverMarkers({ ...context, index: events }, m, faults),
  };
}

/** The series, or none and a note when computing them failed: charts never cost a run its summary. */
export function chartSeries(context: CheckContext, m: Measurements): { series?: RunSeries; notes: string[] } {
  try {
    return { series: buildSeries(context, m), notes: [] };
  } catch (err) {
    return { notes: [`the charts' series could not be computed: ${(err as Error).message}`] };
  }
}
