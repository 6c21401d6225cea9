// The automatic failover controller: probes the primary region's client endpoint the way an external
// health checker (Route 53, a load balancer) would; after `failureThreshold` consecutive failures it
// declares the region down, fences it, promotes the standby, proves it writable with a canary commit
// and points DNS at it. Every step is an event in the history.
import http from "node:http";
import type { Drill } from "../drill/types.ts";
import { Events, Processes } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import type { RunningTopology } from "../topology/topology.ts";
import { linksTouchingRegion } from "../topology/topology.ts";
import { chooseCandidate } from "./candidate.ts";
import { pause, sleep } from "../util/abort.ts";
import { waitUntil } from "../util/wait.ts";

export interface ControllerOptions {
  drill: Drill;
  topology: RunningTopology;
  history: HistoryRecorder;
  /** How often to poll a promoted node until it leaves recovery. */
  promotionPollMs?: number;
  promotionTimeoutMs?: number;
  /** Fraction of the probe interval to wait before the first probe; random when omitted. */
  probePhase?: number;
}

export type ProbeResult = { healthy: true } | { healthy: false; error: string };

/**
 * One health probe of the app's health path: a fresh connection each time (no keep-alive), bounded by
 * `timeoutMs`; only 200 is healthy.
 */
export function probeHealth(
  host: string,
  port: number,
  timeoutMs: number,
  path = "/health",
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve({ healthy: true });
      else resolve({ healthy: false, error: `HTTP ${res.statusCode}` });
    });
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve({ healthy: false, error: err.code ?? err.message }),
    );
  });
}

export class FailoverController {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Region currently serving as primary. */
  primary: string;
  failedOver = false;

  constructor(private readonly o: ControllerOptions) {
    const primary = o.drill.regions.find((r) => r.role === "primary");
    if (primary === undefined) throw new Error("drill has no primary region");
    this.primary = primary.name;
  }

  start(): void {
    // external: something else (a real HA manager) fails over; the drill only injects and observes.
    if (this.o.drill.controller.mode === "external") return;
    this.loop = this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) {
        this.o.history.event(Processes.controller, Events.failoverFailed, { error: (err as Error).message });
      }
    });
  }

  async stop(): Promise<void> {
    this.abort.abort("controller stopped");
    await this.loop;
  }

  private async run(): Promise<void> {
    const { intervalMs, timeoutMs, failureThreshold } = this.o.drill.controller.healthCheck;
    const signal = this.abort.signal;
    let consecutive = 0;
    // A real health checker is not synchronised with the fault: start at a random phase so detection
    // samples the whole (threshold-1)..threshold interval range instead of one fixed point of it.
    const phaseMs = (this.o.probePhase ?? Math.random()) * intervalMs;
    let next = performance.now() + phaseMs;
    await pause(phaseMs, signal);
    while (!signal.aborted) {
      const region = this.o.topology.regionLayout(this.primary);
      const result = await probeHealth(
        region.address,
        this.o.topology.layout.servicePort,
        timeoutMs,
        this.o.drill.app.healthPath,
      );
      if (signal.aborted) return;
      if (result.healthy) {
        consecutive = 0;
      } else {
        consecutive++;
        this.o.history.event(Processes.controller, Events.probeFail, {
          region: this.primary,
          error: result.error,
          consecutive,
        });
        if (consecutive >= failureThreshold && !this.failedOver) {
          await this.failover(this.primary);
          consecutive = 0;
        }
      }
      // Fixed-rate probing: a slow probe doesn't shift the schedule.
      next += intervalMs;
      await pause(next - performance.now(), signal);
    }
  }

  private async failover(failed: string): Promise<void> {
    const { history, topology, drill } = this.o;
    const threshold = drill.controller.healthCheck.failureThreshold;
    history.event(Processes.controller, Events.primaryDown, {
      region: failed,
      consecutiveFailures: threshold,
    });
    this.failedOver = true;

    if (drill.controller.mode === "manual") {
      // The runbook starts once the on-call engineer is awake, logged in and has read the alert.
      history.event(Processes.controller, Events.page, {
        region: failed,
        onCallDelayMs: drill.controller.onCallDelayMs,
      });
      await sleep(drill.controller.onCallDelayMs, this.abort.signal);
    }

    // Fence first: whatever is left of the old primary must not take client writes.
    const fenced = linksTouchingRegion(topology.layout, failed, ["client", "app-db"]);
    await Promise.all(fenced.map((l) => topology.proxies.disable(l.proxy, "fence")));
    history.event(Processes.controller, Events.fence, {
      region: failed,
      proxies: fenced.map((l) => l.proxy),
    });

    // The standby holding the most WAL loses the fewest acknowledged writes.
    const standbys = [...topology.nodes.entries()]
      .filter(([name]) => name !== failed)
      .map(([name, node]) => ({ name, node }));
    const choice = await chooseCandidate(standbys, topology.engine);
    if (choice === undefined) {
      history.event(Processes.controller, Events.failoverFailed, {
        error: "no reachable standby to promote",
        candidates: standbys.map((s) => s.name),
      });
      // Try again after the next run of failed probes.
      this.failedOver = false;
      return;
    }
    const candidate = choice.region;
    const node = topology.node(candidate);
    history.event(Processes.controller, Events.promote, {
      region: candidate,
      receivedLsn: choice.receivedLsn,
      candidates: choice.candidates,
    });
    await node.promote();
    const pollMs = this.o.promotionPollMs ?? 10;
    await waitUntil(async () => (await node.role()) === "primary", {
      timeoutMs: this.o.promotionTimeoutMs ?? 30_000,
      intervalMs: pollMs,
      signal: this.abort.signal,
      retryErrors: false,
      describe: () => `${candidate} still in recovery after promotion`,
      error: (message) => new Error(message),
    });
    // Before the canary: under sync replication the promoted node still names the dead primary
    // among its synchronous standbys, and a commit would wait for it forever.
    const repointed = await topology.repointStandbys(candidate, [failed]);
    if (repointed.length > 0)
      history.event(Processes.controller, Events.repoint, { to: candidate, standbys: repointed });
    await topology.engine.canaryWrite(node, candidate);
    history.event(Processes.controller, Events.writable, { region: candidate, pollMs });
    this.primary = candidate;

    // client mode: clients find the new primary themselves; DNS keeps pointing where it pointed.
    if (drill.controller.mode === "client") return;
    const address = topology.regionLayout(candidate).address;
    topology.dns.setRecord(drill.dns.name, address, drill.dns.ttlMs);
    history.event(Processes.controller, Events.dnsUpdate, {
      name: drill.dns.name,
      address,
      region: candidate,
    });
  }
}
