// The summary of one drill run: what the checkers measured, what the architecture predicted, how the
// objectives fared. Serialised as report.json; every renderer reads only this. Its own module, so
// the checkers that fill it and the objectives that judge it need not import each other.
import type { Drill, ObjectiveOperator } from "../drill/types.ts";
import type { MetricUnit } from "../objectives/metrics.ts";
import type { RunSeries } from "./series.ts";

export type DrillStatus = "pass" | "fail" | "inconclusive";

/** A duration between two history events; null with a reason when an event never happened. */
export interface DurationMeasurement {
  ms: number | null;
  uncertaintyMs: number;
  reason?: string;
  /**
   * What the figure rests on when it is not the controller's own events: "database-roles" = the
   * database monitor saw the candidate leave recovery (external mode, no canary); see `note`.
   */
  basis?: "controller" | "database-roles";
  /** How a measured value was obtained when that differs from the documented definition. */
  note?: string;
}

export interface DnsSwitchMeasurement {
  /** t_writable -> first authoritative answer with the new address. */
  authoritativeMs: number | null;
  /** t_writable -> first client to resolve the new address. */
  clientFirstMs: number | null;
  /** t_writable -> last client to resolve the new address; null when some client never did. */
  clientLastMs: number | null;
  clientsSwitched: number;
  clientsNotSwitched: number;
  /** A client only resolves when it sends a request, so its switch is known to one op interval. */
  uncertaintyMs: number;
  /** The DNS monitor's poll interval, when it recorded one. */
  authoritativeUncertaintyMs: number;
  /** t_fault -> last client on the new address: the measured counterpart of predicted.dnsFailoverMs. */
  faultToClientLastMs: number | null;
  newAddress: string | null;
  perClient: Array<{ client: number; switchMs: number | null }>;
  reason?: string;
}

export interface RtoMeasurement {
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  gapMaxMs: number | null;
  gapP50Ms: number | null;
  perClient: Array<{ client: number; rtoMs: number | null; gapMs: number | null }>;
  clientsRecovered: number;
  clientsNotRecovered: number;
  uncertaintyMs: number;
  /** Recovered clients' RTOs in equal buckets [fromMs, toMs), for the histogram. */
  histogram: Array<{ fromMs: number; toMs: number; clients: number }>;
  /**
   * What the drill's parameters predict for the clients it has: from the shortest detection plus the
   * measured promotion, to the longest detection plus promotion plus what each client's resolver can
   * hold an old answer for plus one write interval and one request timeout. null without a failover.
   */
  predictedRangeMs: [number, number] | null;
  /** The same per resolver x connection profile present. */
  byProfile: RtoProfile[];
  /** Clients outside their profile's predicted range (or never recovered), each with why; capped. */
  outside: Array<{
    client: number;
    rtoMs: number | null;
    resolver: string;
    connections: string;
    reason: string;
  }>;
  clientsOutside: number;
  reason?: string;
}

export interface RtoProfile {
  resolver: string;
  connections: string;
  clients: number;
  recovered: number;
  p50Ms: number | null;
  maxMs: number | null;
  predictedRangeMs: [number, number] | null;
}

/** Who the clients were: the seed that repeats the population, and how many had each profile. */
export interface PopulationSummary {
  /** null for histories recorded before populations existed. */
  seed: number | null;
  clients: number;
  resolver: Record<string, number>;
  connections: Record<string, number>;
}

export interface RpoMeasurement {
  ackedWrites: number;
  /** null = inconclusive (the surviving primary could not be read). */
  lostWrites: number | null;
  lostWindowMs: number | null;
  /** Counts below are null when the surviving primary could not be read. */
  unexpectedWrites: number | null;
  /** Writes whose outcome the client could not know (`info`, or never completed). */
  indeterminateWrites: number;
  recoveredWrites: number | null;
  /** `fail` writes present on the surviving primary: the outcome classification is wrong. */
  failedButPresent: number | null;
  /** Lost ids, ascending, at most MAX_LISTED_IDS; lostWrites is the total. */
  lostIds: number[];
  lostIdsTruncated: boolean;
  unexpectedIds: number[];
  failedButPresentIds: number[];
  survivingPrimary: string | null;
  /** The surviving primary's role as read at the end (it should be "primary"). */
  survivingPrimaryRole: "primary" | "standby" | "unknown" | null;
  /** Lost writes by the region that acknowledged them. */
  lostByRegion: Record<string, number>;
  /** Lost ids that another reachable node still holds (e.g. the old primary after restart). */
  divergedWrites: number;
  divergedIds: number[];
  divergedOn: Record<string, number>;
  reason?: string;
}

export interface SplitBrainMeasurement {
  detected: boolean;
  /** Writes acknowledged by a region after another region had become writable in its place. */
  writes: number;
  ids: number[];
  regions: string[];
  overlapFromMs: number | null;
  overlapToMs: number | null;
  overlapMs: number | null;
  /** Acknowledged writes whose response named no region: they cannot be judged. */
  unattributedWrites: number;
  /** Set only when the checker failed: nothing above was measured. */
  reason?: string;
}

export interface PhaseCounts {
  phase: "before-fault" | "during-fault" | "after-heal";
  fromMs: number;
  toMs: number;
  ok: number;
  fail: number;
  info: number;
  ackedPerSecond: number;
}

export interface ThroughputMeasurement {
  ackedPerSecond: number;
  /** The drill's workload.rate. */
  askedPerSecond: number;
  /** Writes invoked per second before the fault (the whole run without one): what the workload achieved. */
  achievedPerSecond: number;
  attempted: number;
  ok: number;
  fail: number;
  info: number;
  /** Invoked but never completed (counted as indeterminate). */
  pending: number;
  windowMs: number;
  phases: PhaseCounts[];
  /** The runner's own event-loop stalls of 100 ms or more (runner-stall events); absent when none. */
  runnerStalls?: { count: number; longestMs: number; totalMs: number };
  /** Set only when the checker failed: nothing above was measured. */
  reason?: string;
}

/** Acknowledged-write latency (completion - invoke of `ok` writes), nearest-rank percentiles. */
export interface LatencyStats {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface LatencyPhase extends LatencyStats {
  /**
   * before: workload start .. t_fault; during: t_fault .. first writable (or, without failover, the
   * fault's heal); after: from there to workload end; all: the whole run of a drill without faults.
   * A write belongs to the phase it was invoked in.
   */
  phase: "before" | "during" | "after" | "all";
  fromMs: number;
  toMs: number;
}

export interface WriteLatencyMeasurement {
  phases: LatencyPhase[];
  overall: LatencyStats;
  /** p50 of the first phase (before the fault, or all of a fault-free run): the steady-state cost. */
  beforeP50Ms: number | null;
  /** What ended the "during" phase; null without a fault. */
  duringEndsAt: "writable" | "heal" | "workload-end" | null;
  reason?: string;
}

/** Replication lag of one standby as its primary reported it over the drill. */
export interface StandbyLag {
  primary: string;
  standby: string;
  /** Samples that listed the standby (connected or not). */
  samples: number;
  /** Of those, samples in which it was streaming. */
  streamingSamples: number;
  /** Distinct sync_state values seen (async, sync, quorum, potential). */
  syncStates: string[];
  replayLagMsP50: number | null;
  replayLagMsMax: number | null;
  replayLagBytesP50: number | null;
  replayLagBytesMax: number | null;
}

/** How far the failover candidate was behind the primary in the last sample before t_fault. */
export interface WalAtFailover {
  standby: string;
  primary: string;
  /** true = the region that was promoted; false = no promotion, the closest standby. */
  promoted: boolean;
  /** pg_wal_lsn_diff(primary current LSN, standby replay LSN), or the flush distance without it. */
  lagBytes: number | null;
  basis: "replay" | "flush" | null;
  /** replay_lag as PostgreSQL reported it. */
  lagMs: number | null;
  /** The standby's replication state in that sample (streaming, catchup, disconnected, ...). */
  state: string;
  /** Age of the sample at t_fault: WAL written after it is not in lagBytes. */
  sampledMsBeforeFault: number;
}

export interface ReplicationMeasurement {
  samples: number;
  /** The database monitor's sample interval; null without samples. */
  sampleMs: number | null;
  perStandby: StandbyLag[];
  maxReplayLagMs: number | null;
  maxReplayLagBytes: number | null;
  atFailover: WalAtFailover | null;
  reason?: string;
}

/** Active-active (issue 14): what the conflict strategy did to the keyed writes. */
export interface ConflictsMeasurement {
  strategy: string;
  /** conflicts custom: the merge function. */
  merge: string | null;
  keyedWrites: number;
  acknowledged: number;
  indeterminate: number;
  /**
   * Acknowledged writes whose effect is not in the final state although no later write legitimately
   * overwrote them (registers by the strategy's rule; counters: missing increments); null when no
   * region could be read.
   */
  lostUpdates: number | null;
  /** Ids of the lost register writes (at most 1000). */
  lostUpdateIds: number[];
  /** Increments missing from a counter's total in the worst region (below the acknowledged sum). */
  lostIncrements: number | null;
  /** Acknowledged register writes LWW discarded although invoked after the write that beat them completed. */
  discardedDespiteRealTime: number;
  discardedIds: number[];
  /** Acknowledged register writes a later (stamp, region) legitimately overwrote. */
  overwritten: number;
  /** Registers whose final value is none the strategy allows, per region (at most 50). */
  wrongKeys: Array<{ region: string; key: string; found: string | number | null; allowed: string[] }>;
  /** Counters outside [acknowledged, acknowledged + indeterminate], per region (at most 50). */
  countersOutOfRange: Array<{ region: string; key: string; found: number; min: number; max: number }>;
  /** Acknowledged writes made without knowing of another region's earlier write to the key (history). */
  concurrentWrites: number;
  /** Conflicts the regions' apply triggers resolved, by what they kept (the database's own count). */
  resolvedByDatabase: Record<string, number>;
  /** PostgreSQL's own conflict counters (pg_stat_subscription_stats, 18+), summed over subscriptions. */
  databaseConflicts: Record<string, number>;
  /** Apply errors (a subscription stopped on an error or lost its connection), summed. */
  applyErrors: number;
  /** Keys differing between regions that should agree: the most in any sample, and at the end. */
  divergentKeysMax: number;
  divergentKeys: number | null;
  /** The most divergent keys in a sample before the first fault: replication lag of writes in flight. */
  steadyDivergentKeys: number;
  /** Last heal -> first sample back at the steady level (and none divergent at the end); null if not. */
  timeToConvergeMs: number | null;
  samples: number;
  reason?: string;
}

/** Data residency (issue 14): records kept within their jurisdiction, and what that cost. */
export interface ResidencyMeasurement {
  /** Rows found in a region outside their jurisdiction, most in any sample or the final read (must be 0). */
  outOfJurisdictionRows: number | null;
  /** Writes refused because no region of their record's jurisdiction took them. */
  refusedWrites: number;
  /** The manager's refusals to route a jurisdiction abroad. */
  refusals: Array<{ jurisdiction: string; atMs: number; reason: string }>;
  /**
   * Per jurisdiction refused by the manager: refusal -> its records' first acknowledged write after
   * it (null: none before the workload ended): the RTO the constraint cost.
   */
  unavailable: Array<{ jurisdiction: string; fromMs: number; toMs: number | null; ms: number | null }>;
  auditedCrossRegion: number;
  auditedRefused: number;
  reason?: string;
}

export interface Measurements {
  detection: DurationMeasurement;
  promotion: DurationMeasurement;
  dnsSwitch: DnsSwitchMeasurement;
  rto: RtoMeasurement;
  rpo: RpoMeasurement;
  splitBrain: SplitBrainMeasurement;
  throughput: ThroughputMeasurement;
  writeLatency: WriteLatencyMeasurement;
  replication: ReplicationMeasurement;
  /** Active-active drills only. */
  conflicts?: ConflictsMeasurement;
  /** Drills with data residency only. */
  residency?: ResidencyMeasurement;
}

export interface Predicted {
  /** health-check interval x failure threshold. */
  detectionMs: number;
  /** [(threshold - 1) x interval, threshold x interval + timeout], or the manager's own bounds. */
  detectionRangeMs: [number, number];
  /**
   * Fault -> a promoted standby takes writes, where the manager's parameters bound it (pg_auto_failover:
   * detection + its demote timeout); absent where promotion is measured, not predicted.
   */
  writableRangeMs?: [number, number];
  /** detection + TTL; excludes promotion, which the architecture cannot predict. */
  dnsFailoverMs: number;
  ttlMs: number;
  /** Time between two writes of one client: the resolution of client-observed figures. */
  clientOpIntervalMs: number;
  /** What a manager's prediction rests on, in words (Patroni: its timers and HAProxy's checks). */
  basis?: string;
  /** Fault -> every load balancer routes to the new primary (Patroni behind HAProxy). */
  routingRangeMs?: [number, number];
}

export interface TimelineEntry {
  tMs: number;
  event: string;
}

export interface NodeSummary {
  node: string;
  reachable: boolean;
  role: "primary" | "standby" | "unknown";
  count: number;
  walLsn?: string;
  /** WAL bytes this node is ahead (+) or behind (-) the surviving primary, when both are known. */
  walBytesFromSurvivor?: number;
  error?: string;
}

/** report.json's formatVersion: bump when a reader of the previous version would misread a report. */
export const REPORT_FORMAT_VERSION = 1;

export interface Summary {
  /** REPORT_FORMAT_VERSION of the failover-drill that wrote it; readers refuse a newer one. */
  formatVersion: number;
  drill: Drill;
  status: DrillStatus;
  startedAt: string;
  durationMs: number;
  measurements: Measurements;
  predicted: Predicted;
  population: PopulationSummary;
  objectives: ObjectiveResult[];
  timeline: TimelineEntry[];
  nodes: NodeSummary[];
  notes: string[];
  /** The charts' data (series.ts); absent from reports written before report.html had charts. */
  series?: RunSeries;
}

export interface ObjectiveResult {
  /** The metric name, e.g. "rpo.lostWrites". */
  name: string;
  operator: ObjectiveOperator;
  /** The limit as written in the drill, e.g. "< 20s". */
  limit: string;
  /** The limit in the metric's unit (ms, count, per-second, 0/1). */
  limitValue: number;
  unit: MetricUnit | null;
  measured: number | boolean | null;
  /** null = inconclusive. */
  met: boolean | null;
  reason?: string;
}
