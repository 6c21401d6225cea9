// Starts a drill's topology as local processes on loopback: one address per region, the database
// engine's primary + streaming standbys, one app per region (the reference app or the drill's own),
// every link through a proxy, and the embedded DNS server. Everything started here is owned by the
// returned object and stopped by dispose(), also when start-up fails half way. A failover manager
// that runs the database itself (ManagerKind.localDatabase: Patroni, pg_auto_failover) creates the
// nodes instead of the engine and says where each region's app finds the primary.
import { activeActiveAppEnv, isActiveActive } from "../drill/active-active.ts";
import type { Drill, OutageMode } from "../drill/types.ts";
import type { LocalDatabaseSetup, ProcessDatabaseNode } from "../engines/types.ts";
import type { ManagedDatabase, ManagedDatabaseSetup, ReplicationPorts } from "../managers/local-database.ts";
import { managerKind } from "../managers/registry.ts";
import { startRegionApp } from "../platform/app.ts";
import { httpAnswers } from "../platform/http-probe.ts";
import { freePort, freePortOnAll, regionAddress } from "../platform/ports.ts";
import { ProcessSupervisor, type ManagedProcess } from "../platform/processes.ts";
import { Workspace } from "../platform/workspace.ts";
import { ProxyControl, startToxiproxy, type ProxyTarget } from "../toxiproxy/client.ts";
import { waitUntil } from "../util/wait.ts";
import { databaseFor, TopologyBase, type TeardownStep, type TopologyOptions } from "./base.ts";
import type { LayoutPlacement } from "./layout.ts";
import { replicationLink, type RegionLayout } from "./topology.ts";

export class RegionHealError extends Error {
  override name = "RegionHealError";
}

/** How long a healed region's database and app may take to answer again (crash recovery, app start). */
const HEAL_TIMEOUT_MS = 30_000;

export interface LocalTopologyOptions extends TopologyOptions {
  toxiproxyUrl?: string;
}

/** Every region on its own loopback address; ports are free ones there, proxies listen beside them. */
const LOCAL_PLACEMENT: LayoutPlacement = {
  regionPorts: async (address) => ({ dbPort: await freePort(address), appPort: await freePort(address) }),
  servicePort: freePortOnAll,
  proxyListen: async (side) => ({ host: side.address, port: await freePort(side.address) }),
  appAddress: (r) => ({ host: r.address, port: r.appPort }),
  databaseAddress: (r) => ({ host: r.address, port: r.dbPort }),
};

/**
 * LOCAL_PLACEMENT with one port per upstream for the replication proxies: every standby dials
 * upstream X on X's port, on the standby's own region address (ReplicationPorts per-upstream-port).
 */
function perUpstreamPortPlacement(drill: Drill, block: number): LayoutPlacement {
  const addresses = drill.regions.map((_, i) => regionAddress(i, block));
  const ports = new Map<string, Promise<number>>();
  return {
    ...LOCAL_PLACEMENT,
    async replicationListen(from, to) {
      let port = ports.get(to.name);
      if (port === undefined) {
        port = freePortOnAll(addresses);
        ports.set(to.name, port);
      }
      return { host: from.address, port: await port };
    },
  };
}

/**
 * LOCAL_PLACEMENT where every database port is free on every region address, and every standby dials
 * upstream X on X's own database port, on the standby's own address (ReplicationPorts database-port).
 */
function databasePortPlacement(drill: Drill, block: number): LayoutPlacement {
  const addresses = drill.regions.map((_, i) => regionAddress(i, block));
  return {
    ...LOCAL_PLACEMENT,
    regionPorts: async (address) => ({
      dbPort: await freePortOnAll(addresses),
      appPort: await freePort(address),
    }),
    replicationListen: (from, to) => Promise.resolve({ host: from.address, port: to.dbPort }),
  };
}

const PLACEMENTS: Record<ReplicationPorts, (drill: Drill, block: number) => LayoutPlacement> = {
  "per-pair": () => LOCAL_PLACEMENT,
  "per-upstream-port": perUpstreamPortPlacement,
  "database-port": databasePortPlacement,
};

export class LocalTopology extends TopologyBase<ProcessDatabaseNode> {
  readonly apps = new Map<string, ManagedProcess>();
  /** The database as the failover manager runs it, when the manager runs it (else the engine's nodes). */
  private managed: ManagedDatabase | undefined;
  private proxyTarget: ProxyTarget | undefined;
  private readonly supervisor = new ProcessSupervisor();
  private readonly toxiproxyUrl: string | undefined;

  private constructor(drill: Drill, workspace: Workspace, options: LocalTopologyOptions) {
    super(drill, workspace, options);
    this.toxiproxyUrl = options.toxiproxyUrl;
  }

  static async start(drill: Drill, options: LocalTopologyOptions = {}): Promise<LocalTopology> {
    const workspace = await Workspace.create(drill.name, { keep: options.keep ?? false });
    return new LocalTopology(drill, workspace, options).startOrDispose("topology");
  }

  /** The proxy server's API (Toxiproxy's), e.g. to inspect toxics. */
  get proxyApiUrl(): string {
    if (this.proxyTarget === undefined) throw new Error("proxy server not started");
    return this.proxyTarget.url;
  }

  protected async bringUp(): Promise<void> {
    const manager = managerKind(this.drill.controller.manager);
    if (manager.localDatabase !== undefined)
      return this.bringUpManaged(await manager.localDatabase(this.drill));
    // All settled before going on: when one fails, dispose() must see (and stop) what the others started.
    const [prepared, proxyStarted, dnsStarted] = await Promise.allSettled([
      this.engine.prepareLocal(databaseFor(this.drill)),
      startToxiproxy(this.toxiproxyUrl === undefined ? {} : { url: this.toxiproxyUrl }),
      this.startDns(),
    ]);
    if (proxyStarted.status === "fulfilled") this.proxyTarget = proxyStarted.value;
    if (prepared.status === "rejected") throw prepared.reason;
    if (proxyStarted.status === "rejected") throw proxyStarted.reason;
    if (dnsStarted.status === "rejected") throw dnsStarted.reason;
    const database = prepared.value;
    const proxyTarget = proxyStarted.value;
    this.proxies = new ProxyControl(proxyTarget.url);
    this.log(`${database.description}, proxy server ${proxyTarget.kind}`);

    await this.planLayout(LOCAL_PLACEMENT);
    await this.createLinkProxies((link) => `${link.listen.host}:${link.listen.port}`);

    if (isActiveActive(this.drill)) return this.bringUpActiveActive(database);
    const { primary, standbys } = this.roles;
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
    await this.pointDnsAtPrimary();
  }

  /**
   * Active-active: every region's node a primary of its own, joined by logical replication through
   * the replication proxies (activeActiveSpec), then every region's app.
   */
  private async bringUpActiveActive(database: LocalDatabaseSetup): Promise<void> {
    for (const r of this.layout.regions) {
      const [node] = await database.createNodes({
        workspace: this.workspace,
        supervisor: this.supervisor,
        primary: { name: r.name, host: r.address, port: r.dbPort },
        standbys: [],
      });
      this.nodes.set(r.name, node!);
    }
    await Promise.all([...this.nodes.values()].map((n) => n.start()));
    await Promise.all([...this.nodes.values()].map((n) => this.engine.createSchema(n)));
    await this.setUpActiveActive();
    await Promise.all(this.layout.regions.map((r) => this.startApp(r)));
    await this.pointDnsAtPrimary();
  }

  /**
   * The manager's database: its links join the layout before the proxies are created, each app-db
   * proxy forwards where the manager says (e.g. the region's load balancer), and the manager starts
   * its processes once the proxies are up.
   */
  private async bringUpManaged(setup: ManagedDatabaseSetup): Promise<void> {
    // All settled before going on: when one fails, dispose() must see (and stop) what the other started.
    const [proxyStarted, dnsStarted] = await Promise.allSettled([
      startToxiproxy(this.toxiproxyUrl === undefined ? {} : { url: this.toxiproxyUrl }),
      this.startDns(),
    ]);
    if (proxyStarted.status === "fulfilled") this.proxyTarget = proxyStarted.value;
    if (proxyStarted.status === "rejected") throw proxyStarted.reason;
    if (dnsStarted.status === "rejected") throw dnsStarted.reason;
    const proxyTarget = proxyStarted.value;
    this.proxies = new ProxyControl(proxyTarget.url);
    this.log(`${setup.description}, proxy server ${proxyTarget.kind}`);

    await this.planLayout(PLACEMENTS[setup.replicationPorts](this.drill, await this.addressBlock()));
    const managed = await setup.create({
      drill: this.drill,
      workspace: this.workspace,
      supervisor: this.supervisor,
      layout: this.layout,
      dns: this.dns,
      log: (line) => this.log(line),
    });
    this.managed = managed;
    this.layout.links.push(...managed.links);
    for (const r of this.layout.regions)
      this.appDbLink(r.name).upstream = managed.appDatabase(r.name).upstream;
    await this.createLinkProxies((link) => `${link.listen.host}:${link.listen.port}`);

    for (const node of managed.nodes) this.nodes.set(node.name, node);
    await managed.start();
    const { primary, standbys } = this.roles;
    const primaryNode = this.node(primary.name);
    await Promise.all([
      this.engine
        .waitForStandbysStreaming(
          primaryNode,
          standbys.map((s) => s.name),
          30_000,
        )
        .then(() => this.engine.createSchema(primaryNode)),
      ...this.layout.regions.map((r) => this.startApp(r)),
    ]);
    await this.pointDnsAtPrimary();
  }

  /** The region's app on its address and app port, reaching its database through the app-db proxy. */
  private async startApp(r: RegionLayout): Promise<void> {
    const database = this.appDbLink(r.name).listen;
    const url = this.managed?.appDatabase(r.name).url ?? this.engine.clientUrl(database);
    const app = await startRegionApp({
      supervisor: this.supervisor,
      workspace: this.workspace,
      region: r.name,
      host: r.address,
      port: r.appPort,
      database: { ...database, url },
      app: { ...this.drill.app, env: { ...activeActiveAppEnv(this.drill), ...this.drill.app.env } },
    });
    this.apps.set(r.name, app);
  }

  appProcesses(): ReadonlyMap<string, ManagedProcess> {
    return this.apps;
  }

  /**
   * kill: SIGKILL the region's database and app trees (power loss). stop: fast shutdown of both.
   * pause: SIGSTOP the database (postmaster, backends, walsender/walreceiver) and then the app; both
   * keep their sockets and answer nothing. network: nothing happens to the processes (the nemesis
   * cuts the links), so the old primary lives on, isolated. The heal undoes whichever it was and
   * resolves once the database accepts connections and the app answers its health path.
   */
  async injectRegionOutage(
    region: string,
    mode: OutageMode,
    restoreLinks?: () => Promise<void>,
  ): Promise<() => Promise<void>> {
    if (this.managed !== undefined) return this.injectManagedOutage(this.managed, region, mode, restoreLinks);
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

  /**
   * The manager's processes of the region go first (the database side is the fault under test), then
   * the app as on the engine's path; the heal brings the database side back before the app.
   */
  private async injectManagedOutage(
    managed: ManagedDatabase,
    region: string,
    mode: OutageMode,
    restoreLinks?: () => Promise<void>,
  ): Promise<() => Promise<void>> {
    const healDatabase = await managed.injectOutage(region, mode, restoreLinks);
    const app = this.apps.get(region);
    try {
      if (mode === "kill") await app?.kill("SIGKILL");
      else if (mode === "stop") await app?.stop();
      else if (mode === "pause" && app?.running) await app.pause();
    } catch (err) {
      app?.resume();
      await healDatabase();
      throw err;
    }
    let healed: Promise<void> | undefined;
    return () =>
      (healed ??= (async () => {
        if (app?.paused) app.resume();
        await healDatabase();
        if (app === undefined || !app.running) await this.startApp(this.regionLayout(region));
        await this.waitUntilRegionAnswers(region);
      })());
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
    let database = false;
    let app = false;
    await waitUntil(
      async () => {
        database ||= await node.ping(1000).then(
          () => true,
          () => false,
        );
        app ||= await httpAnswers(healthUrl, 1000);
        return database && app;
      },
      {
        timeoutMs: HEAL_TIMEOUT_MS,
        intervalMs: 50,
        retryErrors: false,
        describe: () => {
          const silent = [database ? [] : ["database"], app ? [] : [`app (${healthUrl})`]].flat();
          return `${region}: ${silent.join(" and ")} not answering ${HEAL_TIMEOUT_MS / 1000} s into the heal`;
        },
        error: (message) => new RegionHealError(message),
      },
    );
  }

  protected teardownSteps(): TeardownStep[] {
    return [
      this.managed === undefined ? undefined : () => this.managed!.dispose(),
      () => this.supervisor.stopAll(2000),
      this.proxies === undefined ? undefined : () => this.proxies.deleteAll(),
      this.proxyTarget === undefined ? undefined : () => this.proxyTarget!.close(),
    ];
  }
}
