// What runs in a drill and how it is wired: for every region a database node, an app node and their
// proxies; for every ordered pair of regions a replication proxy (`${from}.replication.${to}`, from =
// the dialling standby, to = its upstream), so a standby re-pointed after a failover still streams
// through a proxy with the pair's latency. Every link is a proxy, so every fault is a proxy operation
// or a process signal.
import type { DnsServer } from "../dns/server.ts";
import type { NetworkSpec } from "../drill/format/network.ts";
import type { LinkKind, OutageMode } from "../faults/vocabulary.ts";
import type { DatabaseNode } from "../engines/postgres/node.ts";
import type { ProxyControl } from "../toxiproxy/client.ts";

export interface LinkInfo {
  /** Proxy name, e.g. "us-east.client". */
  proxy: string;
  kind: LinkKind;
  /** Region the traffic comes from ("clients" for client links). */
  from: string;
  /** Region the traffic goes to. */
  to: string;
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
}

export interface RegionLayout {
  name: string;
  /** Role at drill start. */
  role: "primary" | "standby";
  /** The region's own loopback address, e.g. 127.0.2.1. */
  address: string;
  dbPort: number;
  appPort: number;
}

export interface TopologyLayout {
  regions: RegionLayout[];
  /** Port of the client endpoint, identical in every region so DNS only has to change the address. */
  servicePort: number;
  links: LinkInfo[];
}

/** Links a fault or fence on a region affects: anything that starts or ends there. */
export function linksTouchingRegion(layout: TopologyLayout, region: string, kinds?: LinkKind[]): LinkInfo[] {
  return layout.links.filter(
    (l) => (l.from === region || l.to === region) && (kinds === undefined || kinds.includes(l.kind)),
  );
}

/** Links crossing between two regions (in either direction). */
export function linksBetween(layout: TopologyLayout, a: string, b: string): LinkInfo[] {
  return layout.links.filter((l) => (l.from === a && l.to === b) || (l.from === b && l.to === a));
}

/** Name of the proxy a standby `from` dials to stream from upstream `to`. */
export function replicationProxyName(from: string, to: string): string {
  return `${from}.replication.${to}`;
}

/** The replication link standby `from` streams through when its upstream is `to`. */
export function replicationLink(layout: TopologyLayout, from: string, to: string): LinkInfo {
  const link = layout.links.find((l) => l.kind === "replication" && l.from === from && l.to === to);
  if (link === undefined) throw new Error(`no replication link from ${from} to ${to}`);
  return link;
}

/** One-way latency between two regions: the `network.pairs` entry (either order), else the default. */
export function pairLatencyMs(network: NetworkSpec, a: string, b: string): number {
  const pair = network.pairs.find(
    (p) => (p.between[0] === a && p.between[1] === b) || (p.between[0] === b && p.between[1] === a),
  );
  return pair?.latencyMs ?? network.interRegionLatencyMs;
}

export function region(layout: TopologyLayout, name: string): RegionLayout {
  const found = layout.regions.find((r) => r.name === name);
  if (found === undefined) throw new Error(`unknown region ${name}`);
  return found;
}

/**
 * What the runner, controller and nemesis need from a started topology, whatever platform runs it
 * (local processes: LocalTopology; containers: DockerTopology).
 */
export class TopologyStartError extends Error {
  override name = "TopologyStartError";
}

export interface RunningTopology extends AsyncDisposable {
  readonly layout: TopologyLayout;
  readonly nodes: ReadonlyMap<string, DatabaseNode>;
  readonly proxies: ProxyControl;
  readonly dns: DnsServer;
  /** Where this run keeps its data and logs. */
  readonly workspaceDir: string;
  node(region: string): DatabaseNode;
  regionLayout(name: string): RegionLayout;
  /**
   * What happens to a region's database and app in an outage of `mode` (see OutageMode; cutting the
   * proxies is the nemesis' part, not this). Returns the heal, which brings them back (restart after
   * kill/stop with crash recovery, thaw after pause, reconnect after network) and resolves once the
   * database accepts connections and the app answers again.
   */
  injectRegionOutage(region: string, mode: OutageMode): Promise<() => Promise<void>>;
  /**
   * Point every other running standby at the new primary; returns the re-pointed names. `except`
   * names regions not to try (the failed primary: it is no standby, and asking a frozen or cut-off
   * server costs a connect timeout).
   */
  repointStandbys(newPrimary: string, except?: string[]): Promise<string[]>;
  dispose(): Promise<void>;
}

/**
 * Cross-region latency is part of the architecture under test, not a fault: it stays all drill, on
 * every replication link (also the ones only used after a re-point), in both directions.
 */
export async function addInterRegionLatency(
  proxies: ProxyControl,
  layout: TopologyLayout,
  network: NetworkSpec,
): Promise<void> {
  for (const link of layout.links.filter((l) => l.kind === "replication")) {
    const latencyMs = pairLatencyMs(network, link.from, link.to);
    if (latencyMs <= 0) continue;
    for (const stream of ["upstream", "downstream"] as const) {
      await proxies.addLatency(link.proxy, {
        toxic: `inter-region-${stream}`,
        latencyMs,
        jitterMs: 0,
        stream,
      });
    }
  }
}

/**
 * After `newPrimary` was promoted: every other running standby streams from it through its
 * `${standby}.replication.${newPrimary}` proxy (primary_conninfo applies on reload in PG 13+; the
 * timeline switch is followed because recovery_target_timeline defaults to 'latest'), and the new
 * primary's synchronous_standby_names names exactly those standbys. With none left it becomes ''
 * (commits stop waiting) rather than naming dead nodes, on which every write would hang forever;
 * HA managers such as Patroni make the same trade of durability for availability. Returns the
 * re-pointed standbys. A standby that cannot be reached is left out (and logged), not fatal: the
 * failover must go on.
 */
export async function repointStandbysAt(
  topology: Pick<RunningTopology, "layout" | "node">,
  newPrimary: string,
  except: string[],
  log: (line: string) => void,
): Promise<string[]> {
  const primaryNode = topology.node(newPrimary);
  const others = topology.layout.regions.filter((r) => r.name !== newPrimary && !except.includes(r.name));
  const results = await Promise.all(
    others.map(async (r): Promise<string | undefined> => {
      const node = topology.node(r.name);
      if (!node.running) return undefined;
      try {
        // A restarted old primary is not in recovery: re-attaching it needs pg_rewind, not this.
        if (!(await node.isInRecovery())) return undefined;
        await node.setUpstream(replicationLink(topology.layout, r.name, newPrimary).listen);
        return r.name;
      } catch (err) {
        log(`could not re-point ${r.name} at ${newPrimary}: ${(err as Error).message}`);
        return undefined;
      }
    }),
  );
  const repointed = results.filter((name): name is string => name !== undefined);
  await primaryNode.setSynchronousStandbys(repointed);
  return repointed;
}

/**
 * Runs a topology's bring-up; when it fails, disposes whatever was started before rethrowing as a
 * TopologyStartError (kept as is when it already is one), so a failed start leaves nothing running.
 */
export async function startOrDispose<T extends { dispose(): Promise<void> }>(
  topology: T,
  bringUp: () => Promise<void>,
  what: string,
): Promise<T> {
  try {
    await bringUp();
    return topology;
  } catch (err) {
    await topology.dispose();
    if (err instanceof TopologyStartError) throw err;
    throw new TopologyStartError(`${what} failed to start: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Runs every teardown step in order even when one fails (a failed step must not leave the later
 * ones' resources behind), and reports the failures in one line.
 */
export async function tearDown(
  steps: Array<(() => Promise<unknown>) | undefined>,
  log: (line: string) => void,
): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    if (step === undefined) continue;
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) log(`teardown problems: ${errors.map((e) => (e as Error).message).join("; ")}`);
}
