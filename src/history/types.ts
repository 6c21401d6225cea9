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
} as const;

/**
 * The `f` values the runner writes and the checkers read. Value shapes are documented beside each.
 * Client ops (process = client number):
 *   write   invoke {id}; ok {id, region}; fail|info {id} + error
 *   resolve info {name, address, ttlMs} — each real DNS lookup a client makes (cache miss or expiry)
 * Nemesis (process "nemesis"), each an invoke then ok (or fail) pair:
 *   fault-start {fault: number (index in drill.faults), type, region?, between?, description}
 *   fault-heal  {fault, type, description}
 * Controller (process "controller"), type info:
 *   probe-fail   {region, error, consecutive}
 *   primary-down {region, consecutiveFailures}        (t_decision)
 *   fence        {region}
 *   promote      {region}                            (pg_promote issued)
 *   writable     {region}                            (t_writable: not in recovery + canary committed)
 *   dns-update   {name, address, region}
 *   failover-failed {error}
 * DNS monitor (process "dns-monitor"), type info:
 *   authoritative-answer {address, ttlMs}           first answer and every change of address
 * Runner (process "runner"), type info:
 *   topology-up {regions: {name, address, role}[]}, steady-state {ok: boolean, detail},
 *   workload-start {}, workload-end {}, heal-all {}, final-read {node, reachable, count}
 */
export const Events = {
  write: "write",
  resolve: "resolve",
  faultStart: "fault-start",
  faultHeal: "fault-heal",
  probeFail: "probe-fail",
  primaryDown: "primary-down",
  fence: "fence",
  promote: "promote",
  writable: "writable",
  dnsUpdate: "dns-update",
  failoverFailed: "failover-failed",
  authoritativeAnswer: "authoritative-answer",
  topologyUp: "topology-up",
  steadyState: "steady-state",
  workloadStart: "workload-start",
  workloadEnd: "workload-end",
  healAll: "heal-all",
  finalRead: "final-read",
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
  error?: string;
}
