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

/**
 * How a region fails. kill: its database and app die (SIGKILL / docker kill: power loss). stop: they
 * shut down (SIGINT fast shutdown / docker stop). pause: they freeze (SIGSTOP / docker pause, the
 * cgroup freezer): connections stall, nothing is closed. network: the region drops off the network
 * (every link touching it is cut; on docker its containers are also disconnected from the drill
 * network) while its processes keep running, so the old primary lives on, isolated.
 * kill, stop and network also cut every link touching the region; pause does not (a frozen region
 * does not close its connections).
 */
export type OutageMode = "kill" | "stop" | "pause" | "network";
export const OUTAGE_MODES: readonly OutageMode[] = ["kill", "stop", "pause", "network"];

export interface RegionOutageFault {
  type: "region-outage";
  atMs: number;
  /** How long the outage lasts; undefined = until the workload ends (healed before the final read). */
  durationMs?: number;
  region: string;
  mode: OutageMode;
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

/** Where the drill's databases, apps and proxies run. */
export type Platform = "local" | "docker";
export const PLATFORMS: readonly Platform[] = ["local", "docker"];

/** Where the reference app (fixtures/app/server.ts) listens and answers: the `app` defaults. */
export const REFERENCE_APP_ENDPOINTS = {
  port: 8080,
  healthPath: "/health",
  writePath: "/writes/{{id}}",
} as const;

/**
 * The app under test in every region ("bring your own app"). Omitted fields are the reference app's
 * (fixtures/app/server.ts). Text in `command`, `env` values may use {{REGION}}, {{HOST}}, {{PORT}},
 * {{DATABASE_URL}}, {{DATABASE_HOST}}, {{DATABASE_PORT}}; `writePath` must use {{id}}.
 */
export interface AppSpec {
  /** docker: the app's image; undefined = the reference app's image (failover-drill/app:bookworm). */
  image?: string;
  /**
   * local: the app's argv, run from `workingDir` (undefined = the reference app). docker: overrides
   * the image's CMD (undefined = the image's own).
   */
  command?: string[];
  /** local: directory `command` runs in; the loader sets the drill file's directory. */
  workingDir: string;
  /** docker: the port the app listens on inside its container (default 8080). local: the app is told {{PORT}}. */
  port: number;
  /** 200 = healthy and able to take writes; any other answer or none = unhealthy. Default /health. */
  healthPath: string;
  /** Where a client POSTs write {{id}}; a 2xx answer acknowledges it. Default /writes/{{id}}. */
  writePath: string;
  /** Extra environment, templated per region. */
  env: Record<string, string>;
}

export interface Drill {
  name: string;
  description: string;
  platform: Platform;
  /** Used when platform is docker. */
  docker: {
    /**
     * Database image; undefined = the official postgres:17 if present, else
     * failover-drill/postgres:15-bookworm if present (scripts/build-local-images.sh), else postgres:17 (pulled).
     */
    postgresImage?: string;
    /**
     * Toxiproxy image; undefined = the official ghcr.io/shopify/toxiproxy:2.12.0 if present, else
     * failover-drill/toxiproxy:embedded (our embedded server) if present, else the official (pulled).
     */
    toxiproxyImage?: string;
  };
  app: AppSpec;
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
