// What runs in a drill and how it is wired: for every region a database node, an app node and their
// proxies; for every ordered pair of regions a replication proxy (`${from}.replication.${to}`, from =
// the dialling standby, to = its upstream), so a standby re-pointed after a failover still streams
// through a proxy with the pair's latency. Every link is a proxy, so every fault is a proxy operation
// or a process signal.
import type { DnsEndpoint, DnsProvider } from "../dns/provider.ts";
import type { NetworkSpec } from "../drill/format/network.ts";
import type { DatabaseEngine, DatabaseNode } from "../engines/types.ts";
import type { OutageMode, TopologyLinkKind } from "../faults/vocabulary.ts";
import type { HookTopology } from "../hooks/environment.ts";
import type { ManagedProcess } from "../platform/processes.ts";
import type { ProxyControl } from "../toxiproxy/client.ts";

export interface LinkInfo {
  /** Proxy name, e.g. "us-east.client". */
  proxy: string;
  kind: TopologyLinkKind;
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
  /** The run's loopback block B (src/platform/address-block.ts): regions on 127.B.N.1; 0 when absent. */
  addressBlock?: number;
}

/** Links a fault or fence on a region affects: anything that starts or ends there. */
export function linksTouchingRegion(
  layout: TopologyLayout,
  region: string,
  kinds?: TopologyLinkKind[],
): LinkInfo[] {
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

export class TopologyStartError extends Error {
  override name = "TopologyStartError";
}

/**
 * What the runner, controller and nemesis need from a started topology, whatever platform runs it
 * (local processes: LocalTopology; containers: DockerTopology; both on TopologyBase).
 */
export interface RunningTopology extends AsyncDisposable {
  readonly layout: TopologyLayout;
  /** The drill's database engine (drill.database.engine): what reads and writes the nodes' data. */
  readonly engine: DatabaseEngine;
  readonly nodes: ReadonlyMap<string, DatabaseNode>;
  readonly proxies: ProxyControl;
  /** The drill's DNS provider: where the service record lives. */
  readonly dns: DnsProvider;
  /** Where each client site's DNS questions go (dns.resolver unbound); empty: to `dns.endpoint`. */
  readonly siteResolvers: ReadonlyMap<string, DnsEndpoint>;
  /** Where this run keeps its data and logs. */
  readonly workspaceDir: string;
  node(region: string): DatabaseNode;
  regionLayout(name: string): RegionLayout;
  /** What hook commands are told about this topology (their environment and working directory). */
  hookTopology(): HookTopology;
  /**
   * Each region's app process as it runs now (a restarted app replaces the first), for the runner's
   * watch of exits no fault explains (src/runner/infra-watch.ts). Empty where the apps are no
   * processes of ours: containers (docker) or the user's own (external).
   */
  appProcesses(): ReadonlyMap<string, ManagedProcess>;
  /**
   * What happens to a region's database and app in an outage of `mode` (see OutageMode; cutting the
   * proxies is the nemesis' part, not this). Returns the heal, which brings them back (restart after
   * kill/stop with crash recovery, thaw after pause, reconnect after network) and resolves once the
   * database accepts connections and the app answers again. `restoreLinks` brings back the links the
   * nemesis cut, for a heal that needs them (a failover manager's processes that cannot start while
   * cut off); the nemesis restores them after the heal in any case.
   */
  injectRegionOutage(
    region: string,
    mode: OutageMode,
    restoreLinks?: () => Promise<void>,
  ): Promise<() => Promise<void>>;
  /**
   * Point every other running standby at the new primary; returns the re-pointed names. `except`
   * names regions not to try (the failed primary: it is no standby, and asking a frozen or cut-off
   * server costs a connect timeout).
   */
  repointStandbys(newPrimary: string, except?: string[]): Promise<string[]>;
  dispose(): Promise<void>;
}
