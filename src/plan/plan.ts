// `failover-drill plan`: the drill as it would run, resolved from the file alone: the timeline, the
// topology, every link's proxy and what will be done to it, the predictions the report will compare
// against, the objectives and the timeout. Pure: starts nothing, reads no clock. Rendered by text.ts.
import { conflictStrategy, hasResidency, isActiveActive } from "../drill/active-active.ts";
import { predict } from "../checkers/predicted.ts";
import type { Drill, Fault } from "../drill/types.ts";
import { describeLinks, linkTargets, type LinkFields } from "../faults/link.ts";
import { describeFault } from "../nemesis/nemesis.ts";
import { regionAddress } from "../platform/ports.ts";
import { defaultTimeoutMs, TIMEOUT_FORMULA, timeoutBreakdown } from "../drill/timeout.ts";
import type { Predicted } from "../summary/types.ts";
import { planLayout } from "../topology/layout.ts";
import { linksBetween, linksTouchingRegion, pairLatencyMs, type LinkInfo } from "../topology/topology.ts";

/** Times are milliseconds from the workload's start (where a fault's `at` counts from). */
export interface PlannedFault {
  index: number;
  type: string;
  description: string;
  startMs: number;
  /** When it is healed: after its duration, or by the heal-all at the workload's end. */
  endMs: number;
  endsBy: "duration" | "heal-all";
  /** What it does, in words (processes, links, toxics). */
  effect: string;
  /** The proxies it acts on. */
  proxies: string[];
}

export interface PlannedToxic {
  what: string;
  /** "all drill" or "12s-22s (fault 0)". */
  when: string;
}

export interface PlannedLink {
  proxy: string;
  kind: string;
  from: string;
  to: string;
  toxics: PlannedToxic[];
}

export interface DrillPlan {
  drill: string;
  description?: string;
  platform: Drill["platform"];
  timeline: {
    setup: string;
    workload: { startMs: 0; endMs: number; clients: number; ratePerSecond: number };
    faults: PlannedFault[];
    healAllMs: number;
    recovery: { fromMs: number; untilMs: number };
  };
  topology: {
    regions: Array<{ name: string; role: string; address: string | null; jurisdiction?: string }>;
    /** replication: "async", or "active-active (lww)" with every region writing. */
    database: { engine: string; replication: string };
    app: string;
    dns: { name: string; ttlMs: number; server: string; resolver: string };
    manager: { name: string; mode: string; healthCheck?: Drill["controller"]["healthCheck"] };
    /** Extra links a manager that runs the database itself adds at start (not planned here). */
    managerLinks?: string;
  };
  links: PlannedLink[];
  predicted: Predicted;
  /** What the RTO prediction needs beside these: the promotion, measured during the run. */
  rtoPrediction: string;
  objectives: Array<{ metric: string; limit: string }>;
  timeout: { ms: number; breakdown: string; formula: string };
}

const ms = (n: number): string => `${Number((n / 1000).toFixed(3))}s`;

export async function planDrill(drill: Drill): Promise<DrillPlan> {
  const addresses = drill.platform === "local";
  // Ports are free ones found at start: the plan names links, not ports.
  const layout = await planLayout(drill.regions, {
    regionPorts: () => Promise.resolve({ dbPort: 0, appPort: 0 }),
    servicePort: () => Promise.resolve(0),
    proxyListen: (side) => Promise.resolve({ host: side.address, port: 0 }),
    appAddress: (r) => ({ host: r.address, port: 0 }),
    databaseAddress: (r) => ({ host: r.address, port: 0 }),
  });
  const endMs = drill.workload.durationMs;
  const faults = drill.faults.map((f, index) => planFault(f, index, layout.links, endMs));
  const links: PlannedLink[] = layout.links.map((l) => ({
    proxy: l.proxy,
    kind: l.kind,
    from: l.from,
    to: l.to,
    toxics: [
      ...interRegionLatency(drill, l),
      ...faults
        .filter((f) => f.proxies.includes(l.proxy))
        .map((f) => ({
          what:
            f.type === "region-outage" || f.type === "partition" ? `cut (${f.description})` : f.description,
          when: `${ms(f.startMs)}-${ms(f.endMs)} (fault ${f.index})`,
        })),
    ],
  }));
  const manager = drill.controller.manager;
  return {
    drill: drill.name,
    ...(drill.description === undefined ? {} : { description: drill.description }),
    platform: drill.platform,
    timeline: {
      setup: "the topology starts and the steady-state gate passes before the workload (untimed)",
      workload: {
        startMs: 0,
        endMs,
        clients: drill.workload.clients,
        ratePerSecond: drill.workload.ratePerSecond,
      },
      faults,
      healAllMs: endMs,
      recovery: { fromMs: endMs, untilMs: endMs + drill.recovery.waitMs },
    },
    topology: {
      regions: drill.regions.map((r, i) => ({
        name: r.name,
        role: r.role,
        address: addresses ? regionAddress(i) : null,
        ...(r.jurisdiction === undefined ? {} : { jurisdiction: r.jurisdiction }),
      })),
      database: {
        engine: drill.database.engine,
        replication: isActiveActive(drill)
          ? `active-active (conflicts ${conflictStrategy(drill)}${hasResidency(drill) ? ", data residency" : ""}) logical`
          : drill.database.replication,
      },
      app:
        drill.app.command === undefined
          ? "the reference app in every region"
          : `${drill.app.command.join(" ")} in every region`,
      dns: {
        name: drill.dns.name,
        ttlMs: drill.dns.ttlMs,
        server: drill.dns.server,
        resolver: drill.dns.resolver,
      },
      manager: {
        name: manager,
        mode: drill.controller.mode,
        ...(manager === "builtin" ? { healthCheck: drill.controller.healthCheck } : {}),
      },
      ...(manager === "patroni" || manager === "pg_auto_failover"
        ? { managerLinks: `${manager} adds its own links (its processes' traffic) at start` }
        : {}),
    },
    links,
    predicted: predict(drill),
    rtoPrediction:
      "each client's predicted RTO range adds the measured promotion to detection and its resolver's " +
      "hold, so it is computed in the report",
    objectives: drill.objectives.map((o) => ({ metric: o.metric, limit: o.source })),
    timeout: { ms: defaultTimeoutMs(drill), breakdown: timeoutBreakdown(drill), formula: TIMEOUT_FORMULA },
  };
}

function interRegionLatency(drill: Drill, l: LinkInfo): PlannedToxic[] {
  if (l.kind === "client" || l.from === l.to) return [];
  const latencyMs = pairLatencyMs(drill.network, l.from, l.to);
  return latencyMs > 0 ? [{ what: `latency ${latencyMs}ms each way (inter-region)`, when: "all drill" }] : [];
}

function planFault(f: Fault, index: number, links: LinkInfo[], workloadEndMs: number): PlannedFault {
  const startMs = f.atMs;
  const byDuration = f.durationMs !== undefined && f.atMs + f.durationMs < workloadEndMs;
  const { effect, proxies } = faultEffect(f, links);
  return {
    index,
    type: f.type,
    description: describeFault(f),
    startMs,
    endMs: byDuration ? startMs + (f.durationMs as number) : Math.max(startMs, workloadEndMs),
    endsBy: byDuration ? "duration" : "heal-all",
    effect,
    proxies: proxies.map((l) => l.proxy),
  };
}

/** What a fault does and to which links, from its kind's fields (the nemesis does the same at run time). */
function faultEffect(f: Fault, links: LinkInfo[]): { effect: string; proxies: LinkInfo[] } {
  const layout = { regions: [], servicePort: 0, links };
  switch (f.type) {
    case "region-outage":
      return {
        effect:
          f.mode === "pause"
            ? `${f.region}'s database and app frozen (SIGSTOP); links left open`
            : `every link of ${f.region} cut; its database and app ${OUTAGE_EFFECT[f.mode]}`,
        proxies: f.mode === "pause" ? [] : linksTouchingRegion(layout, f.region),
      };
    case "partition":
      return { effect: `cut (partition)`, proxies: linksBetween(layout, f.between[0], f.between[1]) };
    case "hook":
      return { effect: "the drill's own commands (inject, then heal)", proxies: [] };
    default: {
      const link = f as Fault & LinkFields;
      return {
        effect: `a ${f.type} toxic (${describeLinks(link)})`,
        proxies: linkTargets(links, link.target),
      };
    }
  }
}

const OUTAGE_EFFECT: Record<string, string> = {
  kill: "killed (SIGKILL)",
  stop: "shut down",
  network: "left running, isolated",
};
