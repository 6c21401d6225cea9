// The run's evidence as compact time series, for report.html's charts: bucketed throughput, sampled
// write latencies, replication lag per standby, the faults' windows and the failover's milestones.
// Computed from the history by src/checkers/series.ts, so `failover-drill check` redraws the same
// charts; stored in report.json as `series` (absent from reports written before the charts).
// Times are on the drill clock (ms since the run started), as in the timeline.

export interface RunSeries {
  /** The charts' shared x range: the workload's window (start .. end or last completion). */
  fromMs: number;
  toMs: number;
  throughput: ThroughputSeries;
  latency: LatencySeries;
  replicationLag: ReplicationLagSeries;
  /** Every fault that took effect: its start .. the start of its heal (null = never healed). */
  faults: FaultSpan[];
  /** The failover's milestones, in time order. */
  markers: SeriesMarker[];
}

export interface ThroughputSeries {
  /** Bucket i covers [fromMs + i x bucketMs, fromMs + (i + 1) x bucketMs). */
  bucketMs: number;
  fromMs: number;
  /** Writes completed in each bucket, by outcome (same length). */
  ok: number[];
  fail: number[];
  info: number[];
}

/** A point: [invoke time (ms), completion - invoke (ms)]. */
export type LatencyPoint = [number, number];

export interface LatencySeries {
  /** Completed writes in the run. */
  total: number;
  /** Listed points: every `every`-th write of each outcome in invoke order (1 = all of them). */
  kept: number;
  every: number;
  ok: LatencyPoint[];
  fail: LatencyPoint[];
  info: LatencyPoint[];
}

/** [sample time (ms), replay lag (ms), replay lag (bytes)]; nulls where PostgreSQL had no figure. */
export type LagPoint = [number, number | null, number | null];

export interface StandbyLagSeries {
  standby: string;
  /**
   * One point per sample that listed it; a [t, null, null] point where it stopped being listed. Above
   * 1000 points, each group of n consecutive samples is kept as its most-behind one.
   */
  points: LagPoint[];
}

export interface ReplicationLagSeries {
  /** The database monitor's interval; null without samples. */
  sampleMs: number | null;
  /** Samples the monitor took (0 = no database monitor, e.g. no engine to ask). */
  samples: number;
  standbys: StandbyLagSeries[];
}

export interface FaultSpan {
  /** Index in drill.faults. */
  fault: number;
  description: string;
  fromMs: number;
  toMs: number | null;
}

export type MarkerKind = "fault" | "detection" | "writable" | "dns" | "first-client" | "last-client";

export interface SeriesMarker {
  kind: MarkerKind;
  tMs: number;
  /** A short label for the chart, e.g. "writable (eu-west)". */
  label: string;
}
