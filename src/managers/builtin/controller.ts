// The built-in failover manager: probes the primary region's client endpoint the way an external
// health checker (Route 53, a load balancer) would; after `failureThreshold` consecutive failures it
// declares the region down, fences it, promotes the most advanced standby, proves it writable with a
// canary commit and points DNS at it (mode dns / manual) or leaves routing to the clients (mode
// client). Every step is a ManagerEvents event in the history.
import { probeHealth } from "../../platform/http-probe.ts";
import { linksTouchingRegion } from "../../topology/topology.ts";
import { pause, sleep } from "../../util/abort.ts";
import { waitUntil } from "../../util/wait.ts";
import { ManagerEvents } from "../events.ts";
import type { FailoverManager, ManagerContext } from "../types.ts";
import { chooseCandidate } from "./candidate.ts";

export interface ControllerOptions extends Pick<ManagerContext, "drill" | "topology" | "history"> {
  /** How often to poll a promoted node until it leaves recovery. */
  promotionPollMs?: number;
  promotionTimeoutMs?: number;
  /** Fraction of the probe interval to wait before the first probe; random when omitted. */
  probePhase?: number;
}

export class FailoverController implements FailoverManager {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Region currently serving as primary. */
  primary: string;
  failedOver = false;
  private readonly events: ManagerEvents;

  constructor(private readonly o: ControllerOptions) {
    this.events = new ManagerEvents(o.history);
    const primary = o.drill.regions.find((r) => r.role === "primary");
    if (primary === undefined) throw new Error("drill has no primary region");
    this.primary = primary.name;
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) this.events.failed({ error: (err as Error).message });
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
        this.events.probeFailed({ region: this.primary, error: result.error, consecutive });
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
    const { topology, drill } = this.o;
    const events = this.events;
    const threshold = drill.controller.healthCheck.failureThreshold;
    events.detected({ region: failed, consecutiveFailures: threshold });
    this.failedOver = true;

    if (drill.controller.mode === "manual") {
      // The runbook starts once the on-call engineer is awake, logged in and has read the alert.
      events.paged({ region: failed, onCallDelayMs: drill.controller.onCallDelayMs });
      await sleep(drill.controller.onCallDelayMs, this.abort.signal);
    }

    // Fence first: whatever is left of the old primary must not take client writes.
    const fenced = linksTouchingRegion(topology.layout, failed, ["client", "app-db"]);
    await Promise.all(fenced.map((l) => topology.proxies.disable(l.proxy, "fence")));
    events.fenced({ region: failed, proxies: fenced.map((l) => l.proxy) });

    // The standby holding the most WAL loses the fewest acknowledged writes.
    const standbys = [...topology.nodes.entries()]
      .filter(([name]) => name !== failed)
      .map(([name, node]) => ({ name, node }));
    const choice = await chooseCandidate(standbys, topology.engine);
    if (choice === undefined) {
      events.failed({ error: "no reachable standby to promote", candidates: standbys.map((s) => s.name) });
      // Try again after the next run of failed probes.
      this.failedOver = false;
      return;
    }
    const candidate = choice.region;
    const node = topology.node(candidate);
    events.promoting({ region: candidate, receivedLsn: choice.receivedLsn, candidates: choice.candidates });
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
    if (repointed.length > 0) events.repointed({ to: candidate, standbys: repointed });
    await topology.engine.canaryWrite(node, candidate);
    events.writable({ region: candidate, pollMs });
    this.primary = candidate;

    // client mode: clients find the new primary themselves; DNS keeps pointing where it pointed.
    if (drill.controller.mode === "client") return;
    const address = topology.regionLayout(candidate).address;
    await topology.dns.setRecord(drill.dns.name, address, drill.dns.ttlMs);
    events.routingChanged({ name: drill.dns.name, address, region: candidate });
  }
}
