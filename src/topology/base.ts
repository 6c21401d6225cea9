// What every platform's topology does the same way: the layout, a proxy per link with the
// architecture's inter-region latency, the database engine, node and region lookup, re-pointing the
// standbys after a failover, DNS at the primary, and disposal that runs every step. A platform
// (LocalTopology, DockerTopology) says only how its addresses are placed, how its processes or
// containers start, what a region outage does to them, and what its teardown stops.
import { drillSecrets } from "../drill/redact.ts";
import { zoneOf, type DnsEndpoint, type DnsProvider } from "../dns/provider.ts";
import { startDnsProvider } from "../dns/providers.ts";
import { NO_SITE_RESOLVERS, startSiteResolvers, type SiteResolvers } from "../dns/site-resolvers.ts";
import type { NetworkSpec } from "../drill/format/network.ts";
import type { Drill, OutageMode } from "../drill/types.ts";
import {
  conflictStrategy,
  hasResidency,
  isActiveActive,
  jurisdictions,
  mergeFunction,
} from "../drill/active-active.ts";
import { engineFor } from "../engines/registry.ts";
import type { DatabaseEngine, DatabaseNode } from "../engines/types.ts";
import { AddressBlock } from "../platform/address-block.ts";
import type { ManagedProcess } from "../platform/processes.ts";
import type { Workspace } from "../platform/workspace.ts";
import type { HookTopology } from "../hooks/environment.ts";
import type { ProxyControl } from "../toxiproxy/client.ts";
import { planLayout, type LayoutPlacement } from "./layout.ts";
import {
  pairLatencyMs,
  region,
  replicationLink,
  TopologyStartError,
  type LinkInfo,
  type RegionLayout,
  type RunningTopology,
  type TopologyLayout,
} from "./topology.ts";

export interface TopologyOptions {
  /** Keep the workspace after dispose (on docker with every container's log written into it). */
  keep?: boolean;
  /** Progress lines for the console. */
  log?: (line: string) => void;
}

/** One step of a teardown; undefined for what was never started. */
export type TeardownStep = (() => Promise<unknown>) | undefined;

export abstract class TopologyBase<N extends DatabaseNode> implements RunningTopology {
  readonly nodes = new Map<string, N>();
  readonly engine: DatabaseEngine;
  layout!: TopologyLayout;
  proxies!: ProxyControl;
  dns!: DnsProvider;
  private resolvers: SiteResolvers = NO_SITE_RESOLVERS;
  private disposed = false;
  private addresses: AddressBlock | undefined;

  protected constructor(
    readonly drill: Drill,
    readonly workspace: Workspace,
    protected readonly options: TopologyOptions,
  ) {
    this.engine = engineFor(drill.database.engine);
  }

  /** Starts the processes or containers, the proxies and DNS; dispose() undoes what got started. */
  protected abstract bringUp(): Promise<void>;
  /** The platform's own teardown, in order; the DNS server and the workspace go last, after these. */
  protected abstract teardownSteps(): TeardownStep[];
  abstract injectRegionOutage(region: string, mode: OutageMode): Promise<() => Promise<void>>;
  abstract appProcesses(): ReadonlyMap<string, ManagedProcess>;

  /**
   * Runs bringUp; when it fails, disposes whatever was started before rethrowing as a
   * TopologyStartError (kept as is when it already is one), so a failed start leaves nothing running.
   */
  protected async startOrDispose(what: string): Promise<this> {
    try {
      await this.bringUp();
      return this;
    } catch (err) {
      await this.dispose();
      if (err instanceof TopologyStartError) throw err;
      throw new TopologyStartError(`${what} failed to start: ${(err as Error).message}`, { cause: err });
    }
  }

  protected log(line: string): void {
    this.options.log?.(line);
  }

  get workspaceDir(): string {
    return this.workspace.dir;
  }

  node(name: string): N {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`no database node in region ${name}`);
    return node;
  }

  regionLayout(name: string): RegionLayout {
    return region(this.layout, name);
  }

  /**
   * Hooks run from the drill file's directory (where app.workingDir points too) and reach each region's
   * database directly, where the host can (a port published on docker is known only once running).
   */
  hookTopology(): HookTopology {
    return {
      drill: this.drill.name,
      cwd: this.drill.app.workingDir,
      workspace: this.workspace.dir,
      secrets: drillSecrets(this.drill),
      ...(this.proxies === undefined ? {} : { toxiproxyUrl: this.proxies.url }),
      regions: this.layout.regions.map((r) => ({
        name: r.name,
        role: r.role,
        ...(r.dbPort > 0
          ? { databaseUrl: this.engine.clientUrl({ host: this.hostDatabaseHost(r), port: r.dbPort }) }
          : {}),
        endpoint: `${r.address}:${this.layout.servicePort}`,
      })),
    };
  }

  /** Where the host reaches a region's database on its dbPort. */
  protected hostDatabaseHost(region: RegionLayout): string {
    return region.address;
  }

  /** The run's own loopback address block, leased on first use and released by dispose(). */
  protected async addressBlock(): Promise<number> {
    this.addresses ??= await AddressBlock.lease();
    return this.addresses.block;
  }

  /**
   * Active-active: keyed tables, apply triggers, publications and subscriptions on every node, each
   * subscription through the replication proxy from the subscriber's region to the publisher's.
   */
  protected async setUpActiveActive(): Promise<void> {
    const activeActive = this.engine.activeActive;
    if (activeActive === undefined)
      throw new TopologyStartError(`database engine ${this.engine.name} has no active-active topology`);
    const regions = [...jurisdictions(this.drill)].map(([name, jurisdiction]) => ({ name, jurisdiction }));
    await activeActive.setUp(this.nodes, {
      conflicts: conflictStrategy(this.drill),
      merge: mergeFunction(this.drill),
      regions,
      residency: hasResidency(this.drill),
      keys: this.drill.workload.keys,
      peer: (subscriber, publisher) => this.subscriptionPeer(subscriber, publisher),
    });
  }

  /** Where a subscriber's node dials its publisher: the replication proxy's listen address. */
  protected subscriptionPeer(subscriber: string, publisher: string): { host: string; port: number } {
    return replicationLink(this.layout, subscriber, publisher).listen;
  }

  protected async planLayout(placement: LayoutPlacement): Promise<TopologyLayout> {
    this.layout = await planLayout(this.drill.regions, placement, await this.addressBlock());
    return this.layout;
  }

  /** The region that starts as primary, and the standbys, in drill order. */
  protected get roles(): { primary: RegionLayout; standbys: RegionLayout[] } {
    const primary = this.layout.regions.find((r) => r.role === "primary");
    if (primary === undefined) throw new TopologyStartError("drill has no primary region");
    return { primary, standbys: this.layout.regions.filter((r) => r.role === "standby") };
  }

  /** The link through which a region's app reaches its database (in its own region). */
  protected appDbLink(regionName: string): LinkInfo {
    const link = this.layout.links.find(
      (l) => l.kind === "app-db" && l.from === regionName && l.to === regionName,
    );
    if (link === undefined) throw new Error(`no app-db link for ${regionName}`);
    return link;
  }

  /**
   * A proxy for every link of the layout, listening where `listen` says (the proxy server's own
   * view), and the inter-region latency on every replication link.
   */
  protected async createLinkProxies(listen: (link: LinkInfo) => string): Promise<void> {
    for (const link of this.layout.links) {
      await this.proxies.createProxy({
        name: link.proxy,
        listen: listen(link),
        upstream: `${link.upstream.host}:${link.upstream.port}`,
      });
    }
    await addInterRegionLatency(this.proxies, this.layout, this.drill.network);
  }

  /**
   * The drill's DNS provider (`dns.server`) for the zone of its name, then its resolvers
   * (`dns.resolver`), all on the host's loopback for the clients; programs keep their files in the
   * workspace's dns/ directory.
   */
  protected async startDns(): Promise<DnsProvider> {
    const { dns } = this.drill;
    const zone = zoneOf(dns.name);
    this.dns = await startDnsProvider(dns.server, {
      host: "127.0.0.1",
      zone,
      dir: this.workspace.path("dns", dns.server),
    });
    this.resolvers = await startSiteResolvers({
      resolver: dns.resolver,
      placement: dns.resolverPlacement,
      sites: this.drill.regions.map((r) => r.name),
      host: "127.0.0.1",
      dir: this.workspace.path("dns"),
      zone,
      authority: this.dns.endpoint,
      settings: dns.unbound,
    });
    return this.dns;
  }

  /** Where each client site's DNS questions go (`dns.resolver`); empty: to the provider itself. */
  get siteResolvers(): ReadonlyMap<string, DnsEndpoint> {
    return this.resolvers.bySite;
  }

  /** Clients find the drill's service at the region that starts as primary. */
  protected async pointDnsAtPrimary(): Promise<void> {
    await this.dns.setRecord(this.drill.dns.name, this.roles.primary.address, this.drill.dns.ttlMs);
  }

  /**
   * After `newPrimary` was promoted: every other running standby streams from it through its
   * `${standby}.replication.${newPrimary}` proxy, and the new primary's synchronous standbys are
   * exactly those standbys (for PostgreSQL: primary_conninfo on reload, the timeline switch followed,
   * synchronous_standby_names). With none left, commits stop waiting rather than wait for dead nodes,
   * on which every write would hang forever; HA managers such as Patroni make the same trade of
   * durability for availability. Returns the re-pointed standbys. `except` names regions not to try
   * (the failed primary: it is no standby, and asking a frozen or cut-off server costs a connect
   * timeout). A standby that cannot be reached is left out (and logged), not fatal: the failover
   * must go on.
   */
  async repointStandbys(newPrimary: string, except: string[] = []): Promise<string[]> {
    const primaryNode = this.node(newPrimary);
    const others = this.layout.regions.filter((r) => r.name !== newPrimary && !except.includes(r.name));
    const results = await Promise.all(
      others.map(async (r): Promise<string | undefined> => {
        const node = this.node(r.name);
        if (!node.running) return undefined;
        try {
          // A restarted old primary is no standby: re-attaching it needs a rewind, not this.
          if ((await node.role()) !== "standby") return undefined;
          await node.setUpstream(replicationLink(this.layout, r.name, newPrimary).listen);
          return r.name;
        } catch (err) {
          this.log(`could not re-point ${r.name} at ${newPrimary}: ${(err as Error).message}`);
          return undefined;
        }
      }),
    );
    const repointed = results.filter((name): name is string => name !== undefined);
    await primaryNode.setSynchronousStandbys(repointed);
    return repointed;
  }

  /**
   * Runs every teardown step in order even when one fails (a failed step must not leave the later
   * ones' resources behind), and reports the failures in one line.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const steps: TeardownStep[] = [
      ...this.teardownSteps(),
      () => this.resolvers.close(),
      this.dns === undefined ? undefined : () => this.dns.close(),
      () => this.workspace.remove(),
      this.addresses === undefined ? undefined : () => this.addresses!.release(),
    ];
    const errors: unknown[] = [];
    for (const step of steps) {
      if (step === undefined) continue;
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0)
      this.log(`teardown problems: ${errors.map((e) => (e as Error).message).join("; ")}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}

/**
 * Cross-region latency is part of the architecture under test, not a fault: it stays all drill, on
 * every link between two different sites (every replication link, also the ones only used after a
 * re-point; a failover manager's links across regions), in both directions.
 */
export async function addInterRegionLatency(
  proxies: ProxyControl,
  layout: TopologyLayout,
  network: NetworkSpec,
): Promise<void> {
  for (const link of layout.links.filter((l) => l.kind !== "client" && l.from !== l.to)) {
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
 * The drill's database section as the engine starts it: active-active nodes need logical decoding,
 * and commit timestamps so PostgreSQL can tell (and, from 18, count) conflicts by origin.
 */
export function databaseFor(drill: Drill): Drill["database"] {
  if (!isActiveActive(drill)) return drill.database;
  return {
    ...drill.database,
    settings: { wal_level: "logical", track_commit_timestamp: "on", ...drill.database.settings },
  };
}
