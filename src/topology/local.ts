// Starts a drill's topology as local processes on loopback: one address per region, PostgreSQL
// primary + streaming standbys, one reference app per region, every link through a proxy, and the
// embedded DNS server. Everything started here is owned by the returned object and stopped by
// dispose(), also when start-up fails half way.
import type { Drill } from "../drill/types.ts";
import { DnsServer } from "../dns/server.ts";
import { findPostgresBinaries, type PostgresBinaries } from "../engines/postgres/binaries.ts";
import { createPostgresNodes, type PostgresNode } from "../engines/postgres/cluster.ts";
import { startReferenceApp } from "../platform/app.ts";
import { freePort, freePortOnAll, regionAddress } from "../platform/ports.ts";
import { ProcessSupervisor, type ManagedProcess } from "../platform/processes.ts";
import { Workspace } from "../platform/workspace.ts";
import { ProxyControl, startToxiproxy, type ProxyTarget } from "../toxiproxy/client.ts";
import {
  pairLatencyMs,
  region,
  replicationLink,
  replicationProxyName,
  type LinkInfo,
  type RegionLayout,
  type RunningTopology,
  type TopologyLayout,
} from "./topology.ts";

export class TopologyStartError extends Error {
  override name = "TopologyStartError";
}

export interface LocalTopologyOptions {
  keep?: boolean;
  toxiproxyUrl?: string;
  /** Progress lines for the console. */
  log?: (line: string) => void;
}

export class LocalTopology implements RunningTopology {
  readonly nodes = new Map<string, PostgresNode>();
  readonly apps = new Map<string, ManagedProcess>();
  layout!: TopologyLayout;
  binaries!: PostgresBinaries;
  proxies!: ProxyControl;
  dns!: DnsServer;
  private proxyTarget: ProxyTarget | undefined;
  private readonly supervisor = new ProcessSupervisor();
  private disposed = false;

  private constructor(
    readonly drill: Drill,
    readonly workspace: Workspace,
    private readonly options: LocalTopologyOptions,
  ) {}

  static async start(drill: Drill, options: LocalTopologyOptions = {}): Promise<LocalTopology> {
    const workspace = await Workspace.create(drill.name, { keep: options.keep ?? false });
    const topology = new LocalTopology(drill, workspace, options);
    try {
      await topology.bringUp();
      return topology;
    } catch (err) {
      await topology.dispose();
      if (err instanceof TopologyStartError) throw err;
      throw new TopologyStartError(`topology failed to start: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The proxy server's API (Toxiproxy's), e.g. to inspect toxics. */
  get proxyApiUrl(): string {
    if (this.proxyTarget === undefined) throw new Error("proxy server not started");
    return this.proxyTarget.url;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async bringUp(): Promise<void> {
    const { drill } = this;
    const [binaries, proxyTarget, dns] = await Promise.all([
      findPostgresBinaries(drill.database.binDir),
      startToxiproxy(this.options.toxiproxyUrl === undefined ? {} : { url: this.options.toxiproxyUrl }),
      DnsServer.start({ host: "127.0.0.1", port: 0 }),
    ]);
    this.binaries = binaries;
    this.proxyTarget = proxyTarget;
    this.dns = dns;
    this.proxies = new ProxyControl(proxyTarget.url);
    this.log(`postgres ${binaries.version} (${binaries.source}), proxy server ${proxyTarget.kind}`);

    this.layout = await this.allocateLayout();
    for (const link of this.layout.links) {
      await this.proxies.createProxy({
        name: link.proxy,
        listen: `${link.listen.host}:${link.listen.port}`,
        upstream: `${link.upstream.host}:${link.upstream.port}`,
      });
    }
    // Cross-region latency is part of the architecture under test, not a fault: it stays all drill,
    // on every replication link (also the ones only used after a re-point), in both directions.
    for (const link of this.layout.links.filter((l) => l.kind === "replication")) {
      const latencyMs = pairLatencyMs(drill.network, link.from, link.to);
      if (latencyMs <= 0) continue;
      for (const stream of ["upstream", "downstream"] as const) {
        await this.proxies.addLatency(link.proxy, {
          toxic: `inter-region-${stream}`,
          latencyMs,
          jitterMs: 0,
          stream,
        });
      }
    }

    const primary = this.layout.regions.find((r) => r.role === "primary");
    if (primary === undefined) throw new TopologyStartError("drill has no primary region");
    const standbys = this.layout.regions.filter((r) => r.role === "standby");
    const nodes = await createPostgresNodes({
      binaries,
      workspace: this.workspace,
      supervisor: this.supervisor,
      primary: { name: primary.name, host: primary.address, port: primary.dbPort },
      standbys: standbys.map((s) => {
        const link = replicationLink(this.layout, s.name, primary.name);
        return { name: s.name, host: s.address, port: s.dbPort, upstream: link.listen };
      }),
      settings: drill.database.settings,
      replication: {
        replication: drill.database.replication,
        synchronousCommit: drill.database.synchronousCommit,
        syncStandbys: drill.database.syncStandbys,
      },
    });
    for (const node of nodes) this.nodes.set(node.name, node);
    await Promise.all(nodes.map((n) => n.start()));
    const primaryNode = this.node(primary.name);

    await Promise.all([
      // Under sync replication the schema's commit waits for the standbys, so create it once they stream.
      primaryNode
        .waitForStandbyStreaming(
          standbys.map((s) => s.name),
          10_000,
        )
        .then(() => primaryNode.createSchema()),
      ...this.layout.regions.map((r) => this.startApp(r)),
    ]);
    dns.setRecord(drill.dns.name, primary.address, drill.dns.ttlMs);
  }

  private async allocateLayout(): Promise<TopologyLayout> {
    const regions: RegionLayout[] = [];
    for (const [i, spec] of this.drill.regions.entries()) {
      const address = regionAddress(i);
      regions.push({
        name: spec.name,
        role: spec.role,
        address,
        dbPort: await freePort(address),
        appPort: await freePort(address),
      });
    }
    const servicePort = await freePortOnAll(regions.map((r) => r.address));
    const links: LinkInfo[] = [];
    for (const r of regions) {
      links.push({
        proxy: `${r.name}.client`,
        kind: "client",
        from: "clients",
        to: r.name,
        listen: { host: r.address, port: servicePort },
        upstream: { host: r.address, port: r.appPort },
      });
      links.push({
        proxy: `${r.name}.app-db`,
        kind: "app-db",
        from: r.name,
        to: r.name,
        listen: { host: r.address, port: await freePort(r.address) },
        upstream: { host: r.address, port: r.dbPort },
      });
    }
    // Every region may stream from every other one after a failover (the old primary too, should it
    // rejoin as a standby), so each ordered pair has its proxy from the start. The standby dials out,
    // so the proxy listens on the standby's side.
    for (const from of regions) {
      for (const to of regions) {
        if (from === to) continue;
        links.push({
          proxy: replicationProxyName(from.name, to.name),
          kind: "replication",
          from: from.name,
          to: to.name,
          listen: { host: from.address, port: await freePort(from.address) },
          upstream: { host: to.address, port: to.dbPort },
        });
      }
    }
    return { regions, servicePort, links };
  }

  private appDbLink(region: string): LinkInfo {
    const link = this.layout.links.find((l) => l.kind === "app-db" && l.from === region);
    if (link === undefined) throw new Error(`no app-db link for ${region}`);
    return link;
  }

  get workspaceDir(): string {
    return this.workspace.dir;
  }

  node(region: string): PostgresNode {
    const node = this.nodes.get(region);
    if (node === undefined) throw new Error(`no database node in region ${region}`);
    return node;
  }

  regionLayout(name: string): RegionLayout {
    return region(this.layout, name);
  }

  async startApp(r: RegionLayout): Promise<void> {
    const db = this.appDbLink(r.name).listen;
    const app = await startReferenceApp({
      supervisor: this.supervisor,
      workspace: this.workspace,
      region: r.name,
      host: r.address,
      port: r.appPort,
      databaseUrl: `postgres://postgres@${db.host}:${db.port}/postgres`,
    });
    this.apps.set(r.name, app);
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
  async repointStandbys(newPrimary: string): Promise<string[]> {
    const primaryNode = this.node(newPrimary);
    const others = this.layout.regions.filter((r) => r.name !== newPrimary);
    const results = await Promise.all(
      others.map(async (r): Promise<string | undefined> => {
        const node = this.node(r.name);
        if (!node.running) return undefined;
        try {
          // A restarted old primary is not in recovery: re-attaching it needs pg_rewind, not this.
          if (!(await node.isInRecovery())) return undefined;
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

  /** A region's processes die (kill = power loss) or shut down (stop). */
  async stopRegionProcesses(region: string, mode: "kill" | "stop"): Promise<void> {
    const node = this.node(region);
    const app = this.apps.get(region);
    await Promise.all([
      mode === "kill" ? node.kill() : node.stop(),
      app === undefined ? undefined : mode === "kill" ? app.kill("SIGKILL") : app.stop(),
    ]);
  }

  /** The region comes back: its database restarts (crash recovery) and its app starts again. */
  async restartRegionProcesses(region: string): Promise<void> {
    const node = this.node(region);
    if (!node.running) await node.start();
    const app = this.apps.get(region);
    if (app === undefined || !app.running) await this.startApp(this.regionLayout(region));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    const attempt = async (what: () => Promise<unknown>): Promise<void> => {
      try {
        await what();
      } catch (err) {
        errors.push(err);
      }
    };
    await attempt(() => this.supervisor.stopAll(2000));
    if (this.proxies !== undefined) await attempt(() => this.proxies.deleteAll());
    if (this.proxyTarget !== undefined) await attempt(() => this.proxyTarget!.close());
    if (this.dns !== undefined) await attempt(() => this.dns.close());
    await attempt(() => this.workspace.remove());
    if (errors.length > 0)
      this.log(`teardown problems: ${errors.map((e) => (e as Error).message).join("; ")}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
