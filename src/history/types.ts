// One history per drill: an append-only list of operations and events on one monotonic clock,
// in Jepsen's op shape. Written to history.jsonl one object per line.

/** invoke = started; ok = definitely happened; fail = definitely did not happen; info = unknown or an event. */
export type OpType = "invoke" | "ok" | "fail" | "info";

export interface Op {
  /** Position in the history, 0-based, strictly increasing. */
  index: number;
  /** Nanoseconds since drill start on the runner's monotonic clock. */
  time: number;
  /** Client number (0-based) for workload ops; a role name for everything else (see Processes). */
  process: number | string;
  type: OpType;
  /** What happened, see Events. */
  f: string;
  value?: unknown;
  /** Why an op failed or is indeterminate. */
  error?: string;
}

/** Non-client processes that append to the history. */
export const Processes = {
  runner: "runner",
  nemesis: "nemesis",
  controller: "controller",
  dnsMonitor: "dns-monitor",
  dbMonitor: "db-monitor",
} as const;

/**
 * The `f` values the runner writes and the checkers read. Value shapes are documented beside each.
 * Client ops (process = client number):
 *   write   invoke {id}; ok {id, region}; fail|info {id} + error
 *   resolve info {name, address, ttlMs} — each real DNS lookup a client makes (cache miss or expiry)
 *   endpoint info {region, address} — client-side failover: the client moves to this endpoint
 *   (write ok/fail/info values carry `attempts` when the drill retries writes)
 * Nemesis (process "nemesis"), each an invoke then ok (or fail) pair:
 *   fault-start {fault: number (index in drill.faults), type, region?, between?, description}
 *   fault-heal  {fault, type, description}
 * Controller (process "controller"), type info:
 *   probe-fail   {region, error, consecutive}
 *   primary-down {region, consecutiveFailures}        (t_decision); a manager that watches rather
 *                 than probes (Patroni) writes {region, by, how, pollMs} instead of consecutiveFailures
 *   page         {region, onCallDelayMs}             manual mode: on-call paged, promotion waits
 *   fence        {region}
 *   promote      {region, receivedLsn, candidates}  (pg_promote issued on the most advanced standby);
 *                 or {region, by, how, pollMs} when the manager's own decision was observed
 *   repoint      {to, standbys}                     remaining standbys now stream from the new primary
 *   writable     {region}                            (t_writable: not in recovery + canary committed)
 *   dns-update   {name, address, region}
 *   route-switch {router, region, othersUp, pollMs} a load balancer (e.g. a region's HAProxy) has
 *                 the promoted region's member up (othersUp: servers it still has up beside it)
 *   dcs-leader   {member, pollMs}                   the DCS member that leads (etcd), when it changes
 *   failover-failed {error}
 *   manager-event {manager, atMs, what, pollMs, ...}  a step in the manager's own record (a row of
 *                 pg_auto_failover's event table), atMs = its own timestamp on the drill's clock
 *   hook {hook, command, ok, exitCode, signal, timedOut, aborted?, durationMs, timeoutMs, failedRegion?,
 *        candidate?, stdout, stderr, truncated?, error?}   a manager hook ran (status, fence, promote);
 *        recorded when it ended. The nemesis records its fault hooks (inject, heal) the same way, with
 *        {fault, faultRegion?}.
 * DNS monitor (process "dns-monitor"), type info:
 *   authoritative-answer {address, ttlMs}           first answer and every change of address
 * Runner (process "runner"), type info:
 *   history-format {formatVersion} — always the first op (index 0) of a run's history (format.ts)
 *   population {seed, sharedResolvers: {site, cacheAgeMs}[], columns, clients: row[]}   at workload
 *     start: each virtual client's site, resolver and connection profile and starting ages
 *   topology-up {regions: {name, address, role}[]}, steady-state {ok: boolean, detail},
 *   workload-start {}, workload-end {}, heal-all {}, final-read {node, reachable, role, count, walLsn?}
 *   runner-stall {ms} — the runner's own event loop did not run for ms (recorded when it ends, >= 100 ms)
 *   (the ids themselves are in final-state.json beside the history: src/history/final-state.ts)
 *   timeout {limitMs, phase, reason}, infra-failure {component, what, detail, firstFailureNs,
 *   duringWorkload}: the guardrails' events (GuardEvents in src/runner/infra-events.ts)
 * Database monitor (process "db-monitor"), type info; it queries every running node directly:
 *   replication-sample ReplicationSampleValue        every sampleMs
 *   role-change        RoleChangeValue               a node's observed role differs from the last one
 */
export const Events = {
  write: "write",
  resolve: "resolve",
  endpoint: "endpoint",
  page: "page",
  repoint: "repoint",
  faultStart: "fault-start",
  faultHeal: "fault-heal",
  probeFail: "probe-fail",
  primaryDown: "primary-down",
  fence: "fence",
  promote: "promote",
  writable: "writable",
  dnsUpdate: "dns-update",
  routeSwitch: "route-switch",
  dcsLeader: "dcs-leader",
  failoverFailed: "failover-failed",
  managerEvent: "manager-event",
  hook: "hook",
  authoritativeAnswer: "authoritative-answer",
  historyFormat: "history-format",
  topologyUp: "topology-up",
  steadyState: "steady-state",
  workloadStart: "workload-start",
  workloadEnd: "workload-end",
  healAll: "heal-all",
  population: "population",
  finalRead: "final-read",
  replicationSample: "replication-sample",
  roleChange: "role-change",
  runnerStall: "runner-stall",
  residencyRefused: "residency-refused",
  divergenceSample: "divergence-sample",
  clockSkew: "clock-skew",
} as const;

export interface WriteInvokeValue {
  id: number;
}
export interface WriteOkValue {
  id: number;
  region: string;
}
export interface ResolveValue {
  name: string;
  address: string;
  ttlMs: number;
}

/** One subscription as its subscriber sees it. */
export interface SubscriptionState {
  publisher: string;
  /** An apply worker runs and has received something from the publisher. */
  streaming: boolean;
  /** Errors the apply worker stopped on (e.g. a duplicate key), and conflicts by kind (PostgreSQL 18). */
  applyErrors: number;
  conflicts: Record<string, number>;
}

/** One region's keyed data: what the active-active checkers compare. */
export interface KeyedState {
  /** key -> register value (custom union: the tags joined by ","). */
  registers: Record<string, string>;
  /** key -> counter total (a PN-counter's components summed). */
  counters: Record<string, number>;
  /** Rows whose jurisdiction is not the region's own (data residency; must be 0). */
  outOfJurisdiction: number;
  /** Conflicts the region's apply trigger resolved, by what it kept (local, remote, merged). */
  resolved: Record<string, number>;
  subscriptions: SubscriptionState[];
  /** Audit rows by op and outcome ("write cross-region": 12). */
  audit: Record<string, number>;
}

/** What the runner read from one database node after heal + recovery wait. */
export interface FinalRead {
  /** Region name of the node. */
  node: string;
  reachable: boolean;
  /** Role at read time. */
  role: "primary" | "standby" | "unknown";
  /** Every write id present in the node's writes table (ascending). */
  ids: number[];
  /** Current WAL position (pg_current_wal_lsn or pg_last_wal_replay_lsn), when known. */
  walLsn?: string;
  /** Active-active: the node's registers, counters, residency and conflict figures. */
  keyed?: KeyedState;
  error?: string;
}

/** A node's role as the database reports it: pg_is_in_recovery() false = primary. */
export type ObservedRole = "primary" | "standby";

/** One node in a replication sample; role null = not running, unreachable or too slow to answer. */
export interface SampledNode {
  region: string;
  role: ObservedRole | null;
  /** pg_current_wal_lsn() on a primary; pg_last_wal_replay_lsn() on a standby. */
  lsn?: string;
  /** Standby: pg_last_wal_receive_lsn() (received and flushed by the WAL receiver). */
  receiveLsn?: string;
  error?: string;
}

/**
 * One standby as the sampled primary sees it. From its pg_stat_replication row when it is connected
 * (lags as ms, byte distances via pg_wal_lsn_diff from the primary's current LSN); a reachable standby
 * with no row is listed with state "disconnected" and byte distances from its own receive/replay LSN.
 */
export interface SampledStandby {
  name: string;
  /** pg_stat_replication.state (streaming, catchup, ...) or "disconnected". */
  state: string;
  /** async, sync, quorum, potential; null when disconnected. */
  syncState: string | null;
  /** write_lag / flush_lag / replay_lag in ms; null when PostgreSQL has no recent figure. */
  writeLagMs: number | null;
  flushLagMs: number | null;
  replayLagMs: number | null;
  /** Bytes of WAL the primary has written beyond what the standby has been sent / flushed / replayed. */
  sentLagBytes: number | null;
  flushLagBytes: number | null;
  replayLagBytes: number | null;
}

export interface ReplicationSampleValue {
  /** The region observed as primary (the most recently promoted when several are); null = none. */
  primary: string | null;
  /** Every region answering as primary when there is more than one. */
  primaries?: string[];
  standbys: SampledStandby[];
  nodes: SampledNode[];
  /** The monitor's interval: how stale a sample can be. */
  sampleMs: number;
}

export interface RoleChangeValue {
  region: string;
  /** null = the node's first observation. */
  from: ObservedRole | null;
  to: ObservedRole;
  sampleMs: number;
}
