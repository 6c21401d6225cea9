// Starts a drill's topology as local processes on loopback: one address per region, the database
// engine's primary + streaming standbys, one app per region (the reference app or the drill's own), every link
// through a proxy, and the embedded DNS server. Everything started here is owned by the returned object and stopped by
// dispose(), also when start-up fails half way.
import type { Drill, OutageMode } from "../drill/types.ts";
import { DnsServer } from "../dns/server.ts";
import { engineFor } from "../engines/registry.ts";
import type { DatabaseEngine, ProcessDatabaseNode } from "../engines/types.ts";
import { setTimeout as delay } from "node:timers/promises";
import { startRegionApp } from "../platform/app.ts";
import { httpAnswers } from "../platform/http-probe.ts";
import { freePort, freePortOnAll, regionAddress } from "../platform/ports.ts";
import { ProcessSupervisor, type ManagedProcess } from "../platform/processes.ts";
import { Workspace } from "../platform/workspace.ts";
import { ProxyControl, startToxiproxy, type ProxyTarget } from "../toxiproxy/client.ts";
import {
  addInterRegionLatency,
  region,
  repointStandbysAt,
  startOrDispose,
  tearDown,
  replicationLink,
  replicationProxyName,
  type LinkInfo,
  type RegionLayout,
  type RunningTopology,
  type TopologyLayout,
  TopologyStartError,
} from "./topology.ts";

export class RegionHealError extends Error {
  override name = "RegionHealError";
}

/** How long a healed region's database and app may take to answer again (crash recovery, app start). */
const HEAL_TIMEOUT_MS = 30_000;

export interface LocalTopologyOptions {
  keep?: boolean;
  toxiproxyUrl?: string;
  /** Progress lines for the console. */
  log?: (line: string) => void;
}

export class LocalTopology implements RunningTopology {
  readonly nodes = new Map<string, ProcessDatabaseNode>();
  readonly apps = new Map<string, ManagedProcess>();
  readonly engine: DatabaseEngine;
  layout!: TopologyLayout;
  proxies!: ProxyControl;
  dns!: DnsServer;
  private proxyTarget: ProxyTarget | undefined;
  private readonly supervisor = new ProcessSupervisor();
  private disposed = false;

  private constructor(
    readonly drill: Drill,
    readonly workspace: Workspace,
    private readonly options: LocalTopologyOptions,
  ) {
    this.engine = engineFor(drill.database.engine);
  }

  static async start(drill: Drill, options: LocalTopologyOptions = {}): Promise<LocalTopology> {
    const workspace = await Workspace.create(drill.name, { keep: options.keep ?? false });
    const topology = new LocalTopology(drill, workspace, options);
    return startOrDispose(topology, () => topology.bringUp(), "topology");
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
    const [database, proxyTarget, dns] = await Promise.all([
      this.engine.prepareLocal(drill.database),
      startToxiproxy(this.options.toxiproxyUrl === undefined ? {} : { url: this.options.toxiproxyUrl }),
      DnsServer.start({ host: "127.0.0.1", port: 0 }),
    ]);
    this.proxyTarget = proxyTarget;
    this.dns = dns;
    this.proxies = new ProxyControl(proxyTarget.url);
    this.log(`${database.description}, proxy server ${proxyTarget.kind}`);

    this.layout = await this.allocateLayout();
    for (const link of this.layout.links) {
      await this.proxies.createProxy({
        name: link.proxy,
        listen: `${link.listen.host}:${link.listen.port}`,
        upstream: `${link.upstream.host}:${link.upstream.port}`,
      });
    }
    await addInterRegionLatency(this.proxies, this.layout, drill.network);

    const primary = this.layout.regions.find((r) => r.role === "primary");
    if (primary === undefined) throw new TopologyStartError("drill has no primary region");
    const standbys = this.layout.regions.filter((r) => r.role === "standby");
    const nodes = await database.createNodes({
      workspace: this.workspace,
      supervisor: this.supervisor,
      primary: { name: primary.name, host: primary.address, port: primary.dbPort },
      standbys: standbys.map((s) => {
        const link = replicationLink(this.layout, s.name, primary.name);
        return { name: s.name, host: s.address, port: s.dbPort, upstream: link.listen };
      }),
    });
    for (const node of nodes) this.nodes.set(node.name, node);
    await Promise.all(nodes.map((n) => n.start()));
    const primaryNode = this.node(primary.name);

    await Promise.all([
      // Under sync replication the schema's commit waits for the standbys, so create it once they stream.
      this.engine
        .waitForStandbysStreaming(
          primaryNode,
          standbys.map((s) => s.name),
          10_000,
        )
        .then(() => this.engine.createSchema(primaryNode)),
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

  node(region: string): ProcessDatabaseNode {
    const node = this.nodes.get(region);
    if (node === undefined) throw new Error(`no database node in region ${region}`);
    return node;
  }

  regionLayout(name: string): RegionLayout {
    return region(this.layout, name);
  }

  /** The region's app on its address and app port, reaching its database through the app-db proxy. */
  private async startApp(r: RegionLayout): Promise<void> {
    const database = this.appDbLink(r.name).listen;
    const app = await startRegionApp({
      supervisor: this.supervisor,
      workspace: this.workspace,
      region: r.name,
      host: r.address,
      port: r.appPort,
      database: { ...database, url: this.engine.clientUrl(database) },
      app: this.drill.app,
    });
    this.apps.set(r.name, app);
  }

  async repointStandbys(newPrimary: string, except: string[] = []): Promise<string[]> {
    return repointStandbysAt(this, newPrimary, except, (line) => this.log(line));
  }

  /**
   * kill: SIGKILL the region's database and app trees (power loss). stop: fast shutdown of both.
   * pause: SIGSTOP the database (postmaster, backends, walsender/walreceiver) and then the app; both
   * keep their sockets and answer nothing. network: nothing happens to the processes (the nemesis
   * cuts the links), so the old primary lives on, isolated. The heal undoes whichever it was and
   * resolves once the database accepts connections and the app answers its health path.
   */
  async injectRegionOutage(region: string, mode: OutageMode): Promise<() => Promise<void>> {
    switch (mode) {
      case "kill":
      case "stop":
        await this.stopRegionProcesses(region, mode);
        break;
      case "pause":
        await this.pauseRegionProcesses(region);
        break;
      case "network":
        break;
    }
    let healed: Promise<void> | undefined;
    return () => (healed ??= this.healRegion(region));
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

  /** The database freezes first (the fault under test), then its app; a half-done freeze is undone. */
  private async pauseRegionProcesses(region: string): Promise<void> {
    const node = this.node(region);
    const app = this.apps.get(region);
    await node.pause();
    try {
      if (app?.running) await app.pause();
    } catch (err) {
      app?.resume();
      await node.resume();
      throw err;
    }
  }

  /**
   * The region comes back from any outage: thawed in the reverse order of the freeze, restarted if
   * it was down (crash recovery for the database), and answering again before this resolves.
   */
  private async healRegion(region: string): Promise<void> {
    const node = this.node(region);
    const app = this.apps.get(region);
    if (app?.paused) app.resume();
    if (node.paused) await node.resume();
    if (!node.running) await node.start();
    if (app === undefined || !app.running) await this.startApp(this.regionLayout(region));
    await this.waitUntilRegionAnswers(region);
  }

  /** Until the database accepts a query and the app answers its health path with any status. */
  private async waitUntilRegionAnswers(region: string): Promise<void> {
    const node = this.node(region);
    const { address, appPort } = this.regionLayout(region);
    const healthUrl = `http://${address}:${appPort}${this.drill.app.healthPath}`;
    const deadline = performance.now() + HEAL_TIMEOUT_MS;
    let database = false;
    let app = false;
    for (;;) {
      database ||= await node.ping(1000).then(
        () => true,
        () => false,
      );
      app ||= await httpAnswers(healthUrl, 1000);
      if (database && app) return;
      if (performance.now() > deadline) {
        const silent = [database ? [] : ["database"], app ? [] : [`app (${healthUrl})`]].flat();
        throw new RegionHealError(
          `${region}: ${silent.join(" and ")} not answering ${HEAL_TIMEOUT_MS / 1000} s into the heal`,
        );
      }
      await delay(50);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await tearDown(
      [
        () => this.supervisor.stopAll(2000),
        this.proxies === undefined ? undefined : () => this.proxies.deleteAll(),
        this.proxyTarget === undefined ? undefined : () => this.proxyTarget!.close(),
        this.dns === undefined ? undefined : () => this.dns.close(),
        () => this.workspace.remove(),
      ],
      (line) => this.log(line),
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose();
  }
}
