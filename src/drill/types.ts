// The validated, normalised drill. The loader (src/drill/load.ts) turns a YAML file into this shape;
// everything downstream reads only this. All durations are milliseconds (suffix `Ms`).

export type RegionRole = "primary" | "standby";

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

export interface LatencyFault {
  type: "latency";
  atMs: number;
  durationMs?: number;
  latencyMs: number;
  jitterMs: number;
  target: LinkSelector;
}

export type Fault = RegionOutageFault | PartitionFault | LatencyFault;
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
    replication: "async";
    /** Directory holding initdb/pg_ctl/postgres; undefined = the embedded npm package. */
    binDir?: string;
    /** Extra postgresql.conf settings applied to every node. */
    settings: Record<string, string>;
  };
  network: {
    /** One-way latency added on each cross-region link (both directions). */
    interRegionLatencyMs: number;
  };
  controller: {
    mode: "automatic";
    healthCheck: { intervalMs: number; timeoutMs: number; failureThreshold: number };
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
  };
  faults: Fault[];
  recovery: { waitMs: number };
  objectives: Objective[];
}
