// The validated, normalised drill. The loader (src/drill/load.ts) turns a YAML file into this shape;
// everything downstream reads only this. All durations are milliseconds (suffix `Ms`).

export type RegionRole = "primary" | "standby";
export type ReplicationMode = "async" | "sync" | "semi-sync";
export type ControllerMode = "dns" | "client" | "manual" | "external";

export interface RegionSpec {
  name: string;
  role: RegionRole;
}

/** The kinds of network link every drill topology has; each link is one proxy. */
export type LinkKind = "client" | "app-db" | "replication";
export const LINK_KINDS: readonly LinkKind[] = ["client", "app-db", "replication"];

/** Which links a fault applies to. Omitted fields match everything. */
export interface LinkSelector {
  /** Links that start or end in this region. */
  region?: string;
  /** Link kinds; all kinds when omitted. */
  links?: LinkKind[];
}

export interface RegionOutageFault {
  type: "region-outage";
  atMs: number;
  /** How long the outage lasts; undefined = until the workload ends (healed before the final read). */
  durationMs?: number;
  region: string;
  /** kill = SIGKILL the region's processes (power loss); stop = fast shutdown (SIGINT to postgres). */
  mode: "kill" | "stop";
}

export interface PartitionFault {
  type: "partition";
  atMs: number;
  durationMs?: number;
  /** Cut every link between these two regions (e.g. replication). */
  between: [string, string];
}

/**
 * Which way the toxic acts on a link. upstream = from the connecting side to the listening side
 * (client -> app, app -> db, standby -> primary); downstream = the replies (db -> app, primary's WAL
 * stream -> standby); both = each direction gets its own toxic.
 */
export type LinkDirection = "upstream" | "downstream" | "both";

export interface LatencyFault {
  type: "latency";
  atMs: number;
  durationMs?: number;
  /** One way, added in each selected direction. */
  latencyMs: number;
  jitterMs: number;
  target: LinkSelector;
  /** Default both. */
  direction: LinkDirection;
  /** Probability (0..1) per connection and direction; default 1. */
  toxicity: number;
}

/** Drill names of the other Toxiproxy toxics (Toxiproxy's own type names in parentheses). */
export type LinkToxicType =
  | "bandwidth" // (bandwidth) attributes.rate: KB/s
  | "blackhole" // (timeout) attributes.timeout: ms after which the connection closes; 0 = never
  | "reset-peer" // (reset_peer) attributes.timeout: ms before the RST
  | "slow-close" // (slow_close) attributes.delay: ms
  | "limit-data" // (limit_data) attributes.bytes: bytes per connection and direction
  | "slicer"; // (slicer) attributes.average_size, size_variation: bytes; delay: microseconds

export interface LinkToxicFault {
  type: LinkToxicType;
  atMs: number;
  durationMs?: number;
  target: LinkSelector;
  direction: LinkDirection;
  toxicity: number;
  /** Toxiproxy's attribute names and units for the toxic (see LinkToxicType). */
  attributes: Record<string, number>;
}

export type Fault = RegionOutageFault | PartitionFault | LatencyFault | LinkToxicFault;
export type FaultType = Fault["type"];

export type ObjectiveOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface Objective {
  /** Metric name as written in the drill, e.g. "rpo.lostWrites" (see src/objectives/metrics.ts). */
  metric: string;
  operator: ObjectiveOperator;
  /** Limit in the metric's unit: milliseconds for durations, a count, writes/s, or 0/1 for booleans. */
  limit: number;
  /** The limit as written, e.g. "< 20s", for reports. */
  source: string;
}

export interface Drill {
  name: string;
  description: string;
  platform: "local";
  regions: RegionSpec[];
  database: {
    engine: "postgres";
    /**
     * async: commit locally, stream to standbys. sync: each commit waits for the first
     * `syncStandbys` standbys (FIRST n). semi-sync: each commit waits for any `syncStandbys`
     * standbys in other regions (ANY k quorum).
     */
    replication: ReplicationMode;
    /** synchronous_commit for sync / semi-sync; ignored for async. Default "on". */
    synchronousCommit: "remote_write" | "on" | "remote_apply";
    /** n of FIRST n (sync) or k of ANY k (semi-sync); default 1. */
    syncStandbys: number;
    /** Directory holding initdb/pg_ctl/postgres; undefined = the embedded npm package. */
    binDir?: string;
    /** Extra postgresql.conf settings applied to every node. */
    settings: Record<string, string>;
  };
  network: {
    /** One-way latency added on each cross-region link (both directions). */
    interRegionLatencyMs: number;
    /** Per region pair one-way latency overriding interRegionLatencyMs, e.g. a far-away region. */
    pairs: Array<{ between: [string, string]; latencyMs: number }>;
  };
  controller: {
    /**
     * dns: detect, fence, promote, switch DNS (the drill file also accepts "automatic" for this).
     * client: detect, fence, promote; no DNS switch: clients hold every regional endpoint and move
     * on errors. manual: like dns, but promotion waits `onCallDelayMs` after detection (paging a
     * human). external: inject and observe only; something else promotes.
     */
    mode: ControllerMode;
    healthCheck: { intervalMs: number; timeoutMs: number; failureThreshold: number };
    /** manual mode: time from detection to the on-call engineer starting the runbook. */
    onCallDelayMs: number;
  };
  dns: {
    name: string;
    /** Whole seconds, as DNS carries them; kept in ms for uniformity. */
    ttlMs: number;
  };
  workload: {
    clients: number;
    /** Target writes per second over all clients together. */
    ratePerSecond: number;
    durationMs: number;
    /** Per-request timeout; a request that times out after being sent is recorded as `info`. */
    requestTimeoutMs: number;
    /**
     * Attempts per write (same id, idempotent) before the op is given up; 1 = no retry. In client
     * failover mode every failed attempt moves the client to the next regional endpoint.
     */
    retry: { attempts: number; backoffMs: number };
  };
  faults: Fault[];
  recovery: { waitMs: number };
  objectives: Objective[];
}
