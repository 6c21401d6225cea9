// Samples every running database node directly (not through the drill's proxies), so the checkers can
// see replication lag over the drill, the WAL distance at the moment of the fault, and role changes no
// controller reported (external mode: a real HA manager promotes, the drill only observes).
import type { DatabaseEngine, DatabaseNode } from "../engines/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import {
  Events,
  Processes,
  type ObservedRole,
  type ReplicationSampleValue,
  type RoleChangeValue,
  type SampledNode,
  type SampledStandby,
} from "../history/types.ts";
import { pause } from "../util/abort.ts";
import { type FairTimeout, fairTimeout } from "../util/fair-timeout.ts";

/** What the monitor needs of the engine: one sample per node, and distances between positions. */
export type MonitoringEngine = Pick<DatabaseEngine, "sampleReplication" | "positions">;

export interface DatabaseMonitorOptions {
  engine: MonitoringEngine;
  nodes: Iterable<DatabaseNode>;
  history: HistoryRecorder;
  /** Interval between samples: the uncertainty of an observed role change. Default 200 ms. */
  sampleMs?: number;
  /** A node that does not answer within this is recorded as unreachable for the sample. Default 300 ms. */
  queryTimeoutMs?: number;
}

export const DEFAULT_SAMPLE_MS = 200;
const DEFAULT_QUERY_TIMEOUT_MS = 300;

interface NodeSample {
  node: SampledNode;
  /** The standbys as the node sees them (primary only). */
  rows: SampledStandby[];
}

export class DatabaseMonitor implements AsyncDisposable {
  readonly sampleMs: number;
  private readonly queryTimeoutMs: number;
  private readonly engine: MonitoringEngine;
  private readonly nodes: DatabaseNode[];
  private readonly history: HistoryRecorder;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Last role each node answered with; unreachable samples leave it as it was. */
  private readonly roles = new Map<string, ObservedRole>();
  /** Sample number at which a node was seen going from standby to primary. */
  private readonly promotedAt = new Map<string, number>();
  /** Queries still running past their deadline; one per node at most, awaited by stop(). */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private samples = 0;

  constructor(o: DatabaseMonitorOptions) {
    this.engine = o.engine;
    this.nodes = [...o.nodes];
    this.history = o.history;
    this.sampleMs = o.sampleMs ?? DEFAULT_SAMPLE_MS;
    this.queryTimeoutMs = o.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  }

  /** Number of replication-sample events recorded so far. */
  get sampleCount(): number {
    return this.samples;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async run(): Promise<void> {
    // Fixed rate: the sample's own duration does not stretch the interval.
    let next = performance.now();
    while (!this.abort.signal.aborted) {
      try {
        await this.sampleOnce();
      } catch {
        // Never let one bad sample end the monitoring; the next one will tell.
      }
      next += this.sampleMs;
      const now = performance.now();
      if (next < now) next = now;
      await pause(next - now, this.abort.signal);
    }
  }

  /** Queries every node once and appends the role changes, then the sample. */
  async sampleOnce(): Promise<void> {
    const results = await Promise.all(this.nodes.map((n) => this.sampleNode(n)));
    const sampleNo = this.samples + 1;
    for (const { node } of results) {
      if (node.role === null) continue;
      const last = this.roles.get(node.region) ?? null;
      if (last === node.role) continue;
      this.roles.set(node.region, node.role);
      if (last === "standby" && node.role === "primary") this.promotedAt.set(node.region, sampleNo);
      const change: RoleChangeValue = {
        region: node.region,
        from: last,
        to: node.role,
        sampleMs: this.sampleMs,
      };
      this.history.event(Processes.dbMonitor, Events.roleChange, change);
    }
    this.history.event(Processes.dbMonitor, Events.replicationSample, this.compose(results));
    this.samples = sampleNo;
  }

  private compose(results: NodeSample[]): ReplicationSampleValue {
    const primaries = results
      .map((r, order) => ({ ...r, order }))
      .filter((r) => r.node.role === "primary")
      // The newest promotion is the primary that matters; a restarted old primary is the stale one.
      .sort(
        (a, b) =>
          (this.promotedAt.get(b.node.region) ?? 0) - (this.promotedAt.get(a.node.region) ?? 0) ||
          b.rows.length - a.rows.length ||
          a.order - b.order,
      );
    const primary = primaries[0];
    const value: ReplicationSampleValue = {
      primary: primary?.node.region ?? null,
      standbys: [],
      nodes: results.map((r) => r.node),
      sampleMs: this.sampleMs,
    };
    if (primaries.length > 1) value.primaries = primaries.map((p) => p.node.region);
    if (primary === undefined) return value;
    const listed = new Set(primary.rows.map((s) => s.name));
    const primaryPosition = primary.node.lsn;
    const behind = (lsn: string | undefined): number | null => {
      if (lsn === undefined || primaryPosition === undefined) return null;
      return this.engine.positions.diff(primaryPosition, lsn) ?? null;
    };
    // A standby cut off from the primary has no row; its own positions still say how far behind it is.
    const disconnected = results
      .filter((r) => r.node.role === "standby" && !listed.has(r.node.region))
      .map(({ node }): SampledStandby => ({
        name: node.region,
        state: "disconnected",
        syncState: null,
        writeLagMs: null,
        flushLagMs: null,
        replayLagMs: null,
        sentLagBytes: null,
        flushLagBytes: behind(node.receiveLsn),
        replayLagBytes: behind(node.lsn),
      }));
    value.standbys = [...primary.rows, ...disconnected];
    return value;
  }

  private async sampleNode(node: DatabaseNode): Promise<NodeSample> {
    const down = (error: string): NodeSample => ({
      node: { region: node.name, role: null, error },
      rows: [],
    });
    if (!node.running) return down("not running");
    if (this.inFlight.has(node.name)) return down("previous sample query still running");
    const query = this.engine.sampleReplication(node, this.queryTimeoutMs);
    const tracked = query.catch(() => {}).finally(() => this.inFlight.delete(node.name));
    this.inFlight.set(node.name, tracked);
    let timer: FairTimeout | undefined;
    const deadline = new Promise<"timeout">((resolve) => {
      timer = fairTimeout(() => resolve("timeout"), this.queryTimeoutMs);
    });
    try {
      const sample = await Promise.race([query, deadline]);
      if (sample === "timeout") return down(`no answer within ${this.queryTimeoutMs} ms`);
      const sampled: SampledNode = { region: node.name, role: sample.role };
      if (sample.position !== undefined) sampled.lsn = sample.position;
      if (sample.receivedPosition !== undefined) sampled.receiveLsn = sample.receivedPosition;
      return { node: sampled, rows: sample.standbys };
    } catch (err) {
      return down((err as Error).message);
    } finally {
      timer?.clear();
    }
  }
}
