// Literal histories for checker tests and golden fixtures: ops written at explicit millisecond times,
// in the exact shapes the runner records (see src/history/types.ts).
import { msToNs } from "../clock.ts";
import { REFERENCE_APP_ENDPOINTS, type Drill } from "../drill/types.ts";
import { Events, Processes, type Op, type OpType } from "../history/types.ts";
import { NO_RESOLVER } from "../dns/site-resolvers.ts";

export class HistoryBuilder {
  private readonly pending: Array<Omit<Op, "index">> = [];

  op(ms: number, process: number | string, type: OpType, f: string, value?: unknown, error?: string): this {
    const op: Omit<Op, "index"> = { time: msToNs(ms), process, type, f };
    if (value !== undefined) op.value = value;
    if (error !== undefined) op.error = error;
    this.pending.push(op);
    return this;
  }

  event(ms: number, process: string, f: string, value: unknown = {}): this {
    return this.op(ms, process, "info", f, value);
  }

  runner(ms: number, f: string, value: unknown = {}): this {
    return this.event(ms, Processes.runner, f, value);
  }

  controller(ms: number, f: string, value: unknown): this {
    return this.event(ms, Processes.controller, f, value);
  }

  /** A client write: invoke at invokeMs, then its completion (none for "pending"). */
  write(
    client: number,
    id: number,
    invokeMs: number,
    outcome: "ok" | "fail" | "info" | "pending",
    completeMs?: number,
    regionOrError?: string,
  ): this {
    this.op(invokeMs, client, "invoke", Events.write, { id });
    if (outcome === "pending") return this;
    const at = completeMs ?? invokeMs;
    if (outcome === "ok")
      return this.op(at, client, "ok", Events.write, { id, region: regionOrError ?? "unknown" });
    return this.op(at, client, outcome, Events.write, { id }, regionOrError ?? "timeout");
  }

  resolve(client: number, ms: number, address: string, name = "db.drill.test", ttlMs = 2000): this {
    return this.op(ms, client, "info", Events.resolve, { name, address, ttlMs });
  }

  /** fault-start invoke at invokeMs and ok (or fail) at doneMs. */
  faultStart(
    fault: number,
    invokeMs: number,
    doneMs: number,
    value: Record<string, unknown>,
    failed?: string,
  ): this {
    const v = { fault, ...value };
    this.op(invokeMs, Processes.nemesis, "invoke", Events.faultStart, v);
    return failed === undefined
      ? this.op(doneMs, Processes.nemesis, "ok", Events.faultStart, v)
      : this.op(doneMs, Processes.nemesis, "fail", Events.faultStart, v, failed);
  }

  faultHeal(fault: number, invokeMs: number, doneMs: number, value: Record<string, unknown>): this {
    const v = { fault, ...value };
    this.op(invokeMs, Processes.nemesis, "invoke", Events.faultHeal, v);
    return this.op(doneMs, Processes.nemesis, "ok", Events.faultHeal, v);
  }

  /** Ops in time order (insertion order for ties), indexed as the recorder would. */
  build(): Op[] {
    return this.pending
      .map((op, order) => ({ op, order }))
      .sort((a, b) => a.op.time - b.op.time || a.order - b.order)
      .map(({ op }, index) => ({ index, ...op }));
  }
}

/** A small two-region drill: 1 s probes x 3, 2 s TTL, 2 clients at 10 writes/s (one write per 200 ms each). */
export function sampleDrill(overrides: Partial<Drill> = {}): Drill {
  return {
    name: "sample-outage",
    description: "Kill the primary region and fail over to the standby.",
    platform: "local",
    docker: {},
    // The reference app, as the loader fills it in for a drill without an app section.
    app: { workingDir: "/drills", ...REFERENCE_APP_ENDPOINTS, env: {} },
    regions: [
      { name: "east", role: "primary" },
      { name: "west", role: "standby" },
    ],
    database: {
      engine: "postgres",
      topology: "primary-standby",
      replication: "async",
      synchronousCommit: "on",
      syncStandbys: 1,
      settings: {},
    },
    network: { interRegionLatencyMs: 10, pairs: [] },
    controller: {
      mode: "dns",
      manager: "builtin",
      healthCheck: { intervalMs: 1000, timeoutMs: 500, failureThreshold: 3 },
      onCallDelayMs: 0,
    },
    dns: { name: "db.drill.test", ttlMs: 2000, server: "embedded", ...NO_RESOLVER },
    workload: {
      keys: 16,
      clients: 2,
      ratePerSecond: 10,
      durationMs: 12_000,
      requestTimeoutMs: 1000,
      retry: { attempts: 1, backoffMs: 0 },
      resolver: { ttl: 1 },
      fixedCacheMs: 30_000,
      connections: { "keep-alive": 1 },
      maxConnectionAgeMs: 30_000,
    },
    faults: [{ type: "region-outage", atMs: 5000, durationMs: 6000, region: "east", mode: "kill" }],
    recovery: { waitMs: 1000 },
    objectives: [],
    ...overrides,
  };
}
