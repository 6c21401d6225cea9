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
import type { LinkInfo, RegionLayout, TopologyLayout } from "./topology.ts";

export class TopologyStartError extends Error {
  override name = "TopologyStartError";
}

export interface LocalTopologyOptions {
  keep?: boolean;
  toxiproxyUrl?: string;
  /** Progress lines for the console. */
  log?: (line: string) => void;
}

export class LocalTopology implements AsyncDisposable {
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

    const primary = this.layout.regions.find((r) => r.role === "primary");
    if (primary === undefined) throw new TopologyStartError("drill has no primary region");
    const standbys = this.layout.regions.filter((r) => r.role === "standby");
    const nodes = await createPostgresNodes({
      binaries,
      workspace: this.workspace,
      supervisor: this.supervisor,
      primary: { name: primary.name, host: primary.address, port: primary.dbPort },
      standbys: standbys.map((s) => {
        const link = this.replicationLink(s.name);
        return { name: s.name, host: s.address, port: s.dbPort, upstream: link.listen };
      }),
      settings: drill.database.settings,
    });
    for (const node of nodes) this.nodes.set(node.name, node);
    await Promise.all(nodes.map((n) => n.start()));
    const primaryNode = this.node(primary.name);
    await primaryNode.createSchema();

    // Cross-region latency is part of the architecture under test, not a fault: it stays all drill.
    if (drill.network.interRegionLatencyMs > 0) {
      for (const link of this.layout.links.filter((l) => l.kind === "replication")) {
        for (const stream of ["upstream", "downstream"] as const) {
          await this.proxies.addLatency(link.proxy, {
            toxic: `inter-region-${stream}`,
            latencyMs: drill.network.interRegionLatencyMs,
            jitterMs: 0,
            stream,
          });
        }
      }
    }

    await Promise.all([
      primaryNode.waitForStandbyStreaming(
        standbys.map((s) => s.name),
        10_000,
      ),
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
    const primary = regions.find((r) => r.role === "primary");
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
      if (r.role === "standby" && primary !== undefined) {
        // The standby dials out to the primary, so the proxy sits on the standby's side.
        links.push({
          proxy: `${r.name}.replication`,
          kind: "replication",
          from: r.name,
          to: primary.name,
          listen: { host: r.address, port: await freePort(r.address) },
          upstream: { host: primary.address, port: primary.dbPort },
        });
      }
    }
    return { regions, servicePort, links };
  }

  private replicationLink(standby: string): LinkInfo {
    const link = this.layout.links.find((l) => l.kind === "replication" && l.from === standby);
    if (link === undefined) throw new Error(`no replication link for ${standby}`);
    return link;
  }

  private appDbLink(region: string): LinkInfo {
    const link = this.layout.links.find((l) => l.kind === "app-db" && l.from === region);
    if (link === undefined) throw new Error(`no app-db link for ${region}`);
    return link;
  }

  node(region: string): PostgresNode {
    const node = this.nodes.get(region);
    if (node === undefined) throw new Error(`no database node in region ${region}`);
    return node;
  }

  regionLayout(name: string): RegionLayout {
    const r = this.layout.regions.find((x) => x.name === name);
    if (r === undefined) throw new Error(`unknown region ${name}`);
    return r;
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
