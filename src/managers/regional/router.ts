// The regional manager's loop (index.ts says what it is for). Pure decisions in route(), tested on
// literal region states; the loop probes, records and sets DNS.
import { jurisdictions } from "../../drill/active-active.ts";
import { probeHealth } from "../../platform/http-probe.ts";
import { pause } from "../../util/abort.ts";
import { ManagerEvents } from "../events.ts";
import type { FailoverManager, ManagerContext } from "../types.ts";

/** Where a jurisdiction's records go: its first healthy region, or a refusal naming why. */
export type Route =
  | { jurisdiction: string; region: string }
  | { jurisdiction: string; region: null; down: string[]; ineligible: string[]; reason: string };

/** The route of every jurisdiction, regions in drill order. */
export function route(regions: ReadonlyMap<string, string>, healthy: ReadonlySet<string>): Route[] {
  const byJurisdiction = new Map<string, string[]>();
  for (const [region, j] of regions) byJurisdiction.set(j, [...(byJurisdiction.get(j) ?? []), region]);
  const routes: Route[] = [];
  for (const [jurisdiction, members] of byJurisdiction) {
    const up = members.find((m) => healthy.has(m));
    if (up !== undefined) {
      routes.push({ jurisdiction, region: up });
      continue;
    }
    const ineligible = [...regions.keys()].filter((r) => healthy.has(r) && regions.get(r) !== jurisdiction);
    const reason =
      `no region of ${jurisdiction === "" ? "the service" : `jurisdiction ${jurisdiction}`} is up ` +
      `(${members.join(", ")} down)` +
      (ineligible.length > 0 ? `; ${ineligible.join(", ")} up but outside it: records stay unavailable` : "");
    routes.push({ jurisdiction, region: null, down: members, ineligible, reason });
  }
  return routes;
}

export class RegionalRouter implements FailoverManager {
  private readonly events: ManagerEvents;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly c: ManagerContext) {
    this.events = new ManagerEvents(c.history);
  }

  start(): void {
    this.loop ??= this.run().catch((err: unknown) => this.events.failed({ error: (err as Error).message }));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { drill, topology } = this.c;
    const { intervalMs, timeoutMs, failureThreshold } = drill.controller.healthCheck;
    const regions = jurisdictions(drill);
    const failures = new Map<string, number>();
    const healthy = new Set(regions.keys());
    const current = new Map<string, string | null>();
    for (const r of route(regions, healthy)) current.set(r.jurisdiction, r.region);
    while (!this.abort.signal.aborted) {
      await Promise.all(
        topology.layout.regions.map(async (r) => {
          const probe = await probeHealth(
            r.address,
            topology.layout.servicePort,
            timeoutMs,
            drill.app.healthPath,
          );
          if (probe.healthy) {
            failures.set(r.name, 0);
            healthy.add(r.name);
            return;
          }
          const n = (failures.get(r.name) ?? 0) + 1;
          failures.set(r.name, n);
          this.events.probeFailed({ region: r.name, error: probe.error, consecutive: n });
          if (n === failureThreshold) {
            healthy.delete(r.name);
            this.events.detected({ region: r.name, consecutiveFailures: n });
          }
        }),
      );
      for (const r of route(regions, healthy)) {
        if (current.get(r.jurisdiction) === r.region) continue;
        current.set(r.jurisdiction, r.region);
        if (r.region === null) {
          this.c.log(`regional: ${r.reason}`);
          this.events.residencyRefused({
            jurisdiction: r.jurisdiction,
            down: r.down,
            ineligible: r.ineligible,
            reason: r.reason,
          });
          continue;
        }
        const address = topology.layout.regions.find((x) => x.name === r.region)!.address;
        const name = r.jurisdiction === "" ? drill.dns.name : `${r.jurisdiction}.${drill.dns.name}`;
        await topology.dns.setRecord(name, address, drill.dns.ttlMs).catch(() => {});
        this.events.routingChanged({ name, address, region: r.region });
        this.c.log(`regional: ${name} -> ${r.region}`);
      }
      await pause(intervalMs, this.abort.signal).catch(() => {});
    }
  }
}
