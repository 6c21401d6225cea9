// Starts a drill's topology as containers (platform: docker): every region's database and app in
// its own container on a per-drill Docker network, one Toxiproxy container holding every link, and
// the embedded DNS server on the host. Clients stay on the host, as on the local platform: each
// region's client proxy is published on the region's own loopback address and the same service port,
// so DNS only has to change the address. Everything started here is owned by the returned object and
// removed by dispose(), also when start-up fails half way (and by an exit hook if the process exits
// first: see src/platform/docker.ts).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { activeActiveAppEnv, isActiveActive } from "../drill/active-active.ts";
import type { Drill, OutageMode } from "../drill/types.ts";
import type { ContainerDatabaseNode, ContainerNodesRequest } from "../engines/types.ts";
import type { DockerManagedDatabaseSetup } from "../managers/docker-database.ts";
import type { ManagedDatabase } from "../managers/local-database.ts";
import { managerKind } from "../managers/registry.ts";
import {
  appAlias,
  startAppContainers,
  type AppContainer,
  type DockerAppSpec,
} from "../platform/docker-app.ts";
import { containerOutage, type ContainerOutage } from "../platform/docker-faults.ts";
import {
  FIRST_PROXY_PORT,
  startToxiproxyContainer,
  TOXIPROXY_ALIAS,
  type ToxiproxyContainer,
} from "../platform/docker-proxy.ts";
import { ImageName } from "testcontainers";
import { DockerDrillNetwork } from "../platform/docker.ts";
import { acceptsConnections, httpAnswers } from "../platform/http-probe.ts";
import { freePortOnAll } from "../platform/ports.ts";
import type { ManagedProcess } from "../platform/processes.ts";
import { Workspace } from "../platform/workspace.ts";
import { waitUntil } from "../util/wait.ts";
import { databaseFor, TopologyBase, type TeardownStep, type TopologyOptions } from "./base.ts";
import type { LayoutPlacement } from "./layout.ts";
import { replicationLink, TopologyStartError } from "./topology.ts";

export type DockerTopologyOptions = TopologyOptions;

/** How long a healed region's app has to answer again (its container may be restarting). */
const APP_READY_TIMEOUT_MS = 60_000;
/**
 * Where the replication proxies to region i listen (on each dialling region's own network): one port
 * per upstream, below the other proxies' range.
 */
const FIRST_REPLICATION_PORT = 15_000;
/** Seconds docker waits after the stop signal before it SIGKILLs (as PostgreSQL's fast shutdown). */
const STOP_GRACE_S = 10;

export class DockerTopology extends TopologyBase<ContainerDatabaseNode> {
  readonly apps = new Map<string, AppContainer>();
  /** A failover manager's database (Patroni), when the manager runs it. */
  private managed: ManagedDatabase<ContainerDatabaseNode> | undefined;
  network: DockerDrillNetwork | undefined;
  toxiproxy: ToxiproxyContainer | undefined;
  /** Labels and names every container and the network of this run. */
  readonly drillId: string;

  private constructor(drill: Drill, workspace: Workspace, options: DockerTopologyOptions) {
    super(drill, workspace, options);
    this.drillId = `${drill.name.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 40)}-${randomBytes(3).toString("hex")}`;
  }

  static async start(drill: Drill, options: DockerTopologyOptions = {}): Promise<DockerTopology> {
    const workspace = await Workspace.create(drill.name, { keep: options.keep ?? false });
    return new DockerTopology(drill, workspace, options).startOrDispose("docker topology");
  }

  /** The Toxiproxy API as the host reaches it, e.g. to inspect toxics. */
  get proxyApiUrl(): string {
    if (this.toxiproxy === undefined) throw new Error("toxiproxy container not started");
    return this.toxiproxy.apiUrl;
  }

  /**
   * Regions get loopback addresses as on the local platform (client endpoints are published there).
   * The other links live inside the drill network: `listen` is where a container dials (the
   * Toxiproxy container's alias and the link's port there), `upstream` a container alias. The
   * host ports of databases and apps are known once the containers run (refreshPublishedPorts).
   */
  private readonly placement: LayoutPlacement = {
    regionPorts: () => Promise.resolve({ dbPort: 0, appPort: 0 }),
    // Published by docker on every region's own loopback address.
    servicePort: freePortOnAll,
    proxyListen: (_side, index) => Promise.resolve({ host: TOXIPROXY_ALIAS, port: FIRST_PROXY_PORT + index }),
    appAddress: (r) => ({ host: appAlias(r.name), port: this.drill.app.port }),
    databaseAddress: (r) => this.engine.containerAddress(r.name),
  };

  /** Port the link's proxy listens on inside the Toxiproxy container: one per link, in layout order. */
  private proxyPort(proxy: string): number {
    return FIRST_PROXY_PORT + this.layout.links.findIndex((l) => l.proxy === proxy);
  }

  protected async bringUp(): Promise<void> {
    const { drill } = this;
    if (spawnSync("docker", ["version"], { stdio: "ignore", timeout: 10_000 }).status !== 0) {
      throw new TopologyStartError(
        "platform docker needs a Docker engine, and `docker version` gets no answer from one " +
          "(start it, e.g. with scripts/start-dockerd.sh, or check DOCKER_HOST)",
      );
    }
    const manager = managerKind(drill.controller.manager);
    if (manager.dockerDatabase !== undefined) {
      await this.bringUpManaged(await manager.dockerDatabase(drill));
      return;
    }
    await this.startDns();
    await this.planLayout(this.placement);
    const { primary, standbys } = this.roles;

    let t0 = performance.now();
    const network = await DockerDrillNetwork.create(this.drillId);
    this.network = network;
    const image = drill.docker.postgresImage === undefined ? {} : { image: drill.docker.postgresImage };
    const nodes = isActiveActive(drill)
      ? await this.startActiveActiveContainers({
          network,
          regions: drill.regions.map((r) => r.name),
          ...image,
        })
      : await this.engine.startContainers(drill.database, {
          network,
          regions: [primary.name, ...standbys.map((s) => s.name)],
          ...image,
        });
    for (const node of nodes) this.nodes.set(node.name, node);
    const dbMs = performance.now() - t0;

    t0 = performance.now();
    const clientLinks = this.layout.links.filter((l) => l.kind === "client");
    this.toxiproxy = await startToxiproxyContainer(network, {
      ...(drill.docker.toxiproxyImage === undefined ? {} : { image: drill.docker.toxiproxyImage }),
      publish: clientLinks.map((l) => ({
        containerPort: this.proxyPort(l.proxy),
        hostIp: l.listen.host,
        hostPort: l.listen.port,
      })),
    });
    this.proxies = this.toxiproxy.control();
    await this.createLinkProxies((link) => `0.0.0.0:${this.proxyPort(link.proxy)}`);
    const proxyMs = performance.now() - t0;

    t0 = performance.now();
    if (isActiveActive(drill)) {
      await Promise.all(nodes.map((n) => this.engine.createSchema(n)));
      await this.setUpActiveActive();
    } else {
      // The standbys cloned the primary directly; from now on they stream through their replication
      // proxies, where inter-region latency and link faults apply.
      await Promise.all(
        standbys.map((s) =>
          this.node(s.name).setUpstream(replicationLink(this.layout, s.name, primary.name).listen),
        ),
      );
      await Promise.all(standbys.map((s) => this.waitStreamingThroughProxy(s.name)));
      const primaryNode = this.node(primary.name);
      await primaryNode.setSynchronousStandbys(standbys.map((s) => s.name));
      await this.engine.createSchema(primaryNode);
    }
    const replicationMs = performance.now() - t0;

    t0 = performance.now();
    const apps = await startAppContainers(network, {
      app: this.appSpec(),
      regions: this.layout.regions.map((r) => r.name),
      database: (name) => {
        const address = this.appDbLink(name).listen;
        return { ...address, url: this.engine.clientUrl(address) };
      },
    });
    for (const app of apps) this.apps.set(app.region, app);
    const appMs = performance.now() - t0;
    await this.refreshPublishedPorts();

    await this.pointDnsAtPrimary();
    this.log(
      `containers up: databases ${ms(dbMs)}, ${this.toxiproxy.image} ${ms(proxyMs)}, ` +
        `replication through proxies ${ms(replicationMs)}, apps ${ms(appMs)} (network ${network.networkName})`,
    );
  }

  /**
   * Active-active: one independent primary per region, with logical decoding (databaseFor); the
   * subscriptions come once the proxies are up (setUpActiveActive). Their peer is the base's
   * replication-link listen address, which on docker already is the subscriber container's view:
   * the Toxiproxy container's alias on the drill network and the link's port there.
   */
  private startActiveActiveContainers(request: ContainerNodesRequest): Promise<ContainerDatabaseNode[]> {
    const activeActive = this.engine.activeActive;
    if (activeActive?.startContainers === undefined)
      throw new TopologyStartError(
        `database engine ${this.engine.name} has no active-active topology on the docker platform`,
      );
    return activeActive.startContainers(databaseFor(this.drill), request);
  }

  /**
   * A manager's database (docker-database.ts): its containers, the replication proxies on each
   * region's own network, its links appended to the layout; the apps reach the primary where the
   * manager says.
   */
  private async bringUpManaged(setup: DockerManagedDatabaseSetup): Promise<void> {
    const { drill } = this;
    await this.startDns();
    const regionIndex = new Map(drill.regions.map((r, i) => [r.name, i]));
    await this.planLayout({
      ...this.placement,
      databaseAddress: (r) => setup.databaseAddress(r.name),
      replicationListen: (_from, to) =>
        Promise.resolve({
          host: setup.replicationHost(to.name),
          port: FIRST_REPLICATION_PORT + regionIndex.get(to.name)!,
        }),
    });
    const { primary, standbys } = this.roles;

    let t0 = performance.now();
    const network = await DockerDrillNetwork.create(this.drillId);
    this.network = network;
    if (!(await network.runtime.image.exists(ImageName.fromString(setup.image)))) {
      throw new TopologyStartError(
        `image ${setup.image} is not present; build it with IMAGES=stacks bash scripts/build-local-images.sh`,
      );
    }
    const regionNetworks = new Map<string, string>();
    for (const r of drill.regions)
      regionNetworks.set(r.name, await network.createExtraNetwork(`r${regionIndex.get(r.name)}`));
    const clientLinks = this.layout.links.filter((l) => l.kind === "client");
    this.toxiproxy = await startToxiproxyContainer(network, {
      ...(drill.docker.toxiproxyImage === undefined ? {} : { image: drill.docker.toxiproxyImage }),
      publish: clientLinks.map((l) => ({
        containerPort: this.proxyPort(l.proxy),
        hostIp: l.listen.host,
        hostPort: l.listen.port,
      })),
    });
    const proxyId = this.toxiproxy.container.getId();
    const regionProxyAddress = new Map<string, string>();
    for (const [region, name] of regionNetworks)
      regionProxyAddress.set(region, await network.connect(proxyId, name));
    let nextPort = FIRST_PROXY_PORT + this.layout.links.length;
    const managed = await setup.create({
      drill,
      workspace: this.workspace,
      network,
      regionNetworks,
      regionProxyAddress,
      layout: this.layout,
      proxyAddress: () => ({ host: TOXIPROXY_ALIAS, port: nextPort++ }),
      log: (line) => this.log(line),
    });
    this.managed = managed;
    this.layout.links.push(...managed.links);
    for (const r of this.layout.regions)
      this.appDbLink(r.name).upstream = managed.appDatabase(r.name).upstream;
    this.proxies = this.toxiproxy.control();
    // Client links listen where they are published; replication ones on the dialling region's network.
    await this.createLinkProxies((link) =>
      link.kind === "client"
        ? `0.0.0.0:${this.proxyPort(link.proxy)}`
        : link.kind === "replication"
          ? `${regionProxyAddress.get(link.from)}:${link.listen.port}`
          : `0.0.0.0:${link.listen.port}`,
    );
    for (const node of managed.nodes) this.nodes.set(node.name, node);
    await managed.start();
    const primaryNode = this.node(primary.name);
    await this.engine.waitForStandbysStreaming(
      primaryNode,
      standbys.map((s) => s.name),
      60_000,
    );
    await this.engine.createSchema(primaryNode);
    const dbMs = performance.now() - t0;

    t0 = performance.now();
    const apps = await startAppContainers(network, {
      app: this.appSpec(),
      regions: this.layout.regions.map((r) => r.name),
      database: (name) => ({ ...this.appDbLink(name).listen, url: managed.appDatabase(name).url }),
    });
    for (const app of apps) this.apps.set(app.region, app);
    await this.refreshPublishedPorts();
    await this.pointDnsAtPrimary();
    this.log(
      `containers up: ${setup.description} ${ms(dbMs)}, apps ${ms(performance.now() - t0)} ` +
        `(network ${network.networkName})`,
    );
  }

  private appSpec(): DockerAppSpec {
    const { app } = this.drill;
    return {
      ...(app.image === undefined ? {} : { image: app.image }),
      ...(app.command === undefined ? {} : { command: app.command }),
      port: app.port,
      healthPath: app.healthPath,
      writePath: app.writePath,
      env: { ...activeActiveAppEnv(this.drill), ...app.env },
    };
  }

  /** Until the standby streams from the Toxiproxy container, not from its upstream directly. */
  private async waitStreamingThroughProxy(standby: string, timeoutMs = 30_000): Promise<void> {
    try {
      await this.engine.waitUntilStreamingThrough(this.node(standby), this.toxiproxy!.alias, timeoutMs);
    } catch (err) {
      throw new TopologyStartError((err as Error).message, { cause: err });
    }
  }

  /** Docker publishes each database's port on the host's loopback. */
  protected override hostDatabaseHost(): string {
    return "127.0.0.1";
  }

  /** Re-reads the host ports docker published for each region's database and app (informational). */
  private async refreshPublishedPorts(): Promise<void> {
    for (const r of this.layout.regions) {
      r.dbPort = await this.node(r.name)
        .hostPort()
        .catch(() => 0);
      r.appPort = (await this.appHostPort(r.name)) ?? 0;
    }
  }

  private async appHostPort(regionName: string): Promise<number | undefined> {
    const app = this.apps.get(regionName);
    if (app === undefined || this.network === undefined) return undefined;
    const info = await this.network.dockerode.getContainer(app.id).inspect();
    const port = info.NetworkSettings.Ports[`${this.drill.app.port}/tcp`]?.[0]?.HostPort;
    return port === undefined ? undefined : Number(port);
  }

  /**
   * Until the region's app is back on its current published port: after a restart, until it answers
   * its health path (any status); after a thaw or reconnect, until it accepts a connection, because
   * its health check may hang on database connections that died while it was cut off.
   */
  private async waitForApp(regionName: string, restarted: boolean): Promise<void> {
    let last = "";
    await waitUntil(
      async () => {
        const port = await this.appHostPort(regionName).catch(() => undefined);
        last = port === undefined ? "no published port (has the app exited?)" : `port ${port}`;
        if (port === undefined) return false;
        return restarted
          ? httpAnswers(`http://127.0.0.1:${port}${this.drill.app.healthPath}`, 1000)
          : acceptsConnections("127.0.0.1", port, 1000);
      },
      {
        timeoutMs: APP_READY_TIMEOUT_MS,
        intervalMs: 100,
        describe: () =>
          `app of ${regionName} did not answer within ${APP_READY_TIMEOUT_MS} ms after the heal (${last})`,
        error: (message) => new Error(message),
      },
    );
  }

  /** The apps are containers, not processes of ours (their exits are not watched). */
  appProcesses(): ReadonlyMap<string, ManagedProcess> {
    return new Map();
  }

  /**
   * The region's database and app containers: kill = docker kill, stop = docker stop, pause =
   * docker pause (cgroup freezer), network = disconnected from the drill network. The database's
   * kill and stop go through its node, so the node knows it is down.
   */
  async injectRegionOutage(regionName: string, mode: OutageMode): Promise<() => Promise<void>> {
    const network = this.network!;
    const node = this.node(regionName);
    const app = this.apps.get(regionName);
    const appOutage = async (): Promise<ContainerOutage | undefined> =>
      app === undefined
        ? undefined
        : containerOutage(network, { id: app.id, aliases: [app.alias] }, mode, () =>
            this.waitForApp(regionName, mode === "kill" || mode === "stop"),
          );
    if (this.managed !== undefined) {
      // The manager's containers of the region first (the database side is the fault under test).
      const healDatabase = await this.managed.injectOutage(regionName, mode);
      const appDown = await appOutage();
      return async () => {
        await healDatabase();
        await appDown?.heal();
        await this.refreshPublishedPorts();
      };
    }
    if (mode === "kill" || mode === "stop") {
      const [, appDown] = await Promise.all([
        mode === "kill" ? node.kill() : node.stop(STOP_GRACE_S * 1000),
        appOutage(),
      ]);
      return async () => {
        await Promise.all([node.running ? undefined : node.start(), appDown?.heal()]);
        await this.refreshPublishedPorts();
      };
    }
    const [dbDown, appDown] = await Promise.all([
      containerOutage(network, { id: node.containerId, aliases: [node.alias] }, mode, () =>
        waitForDatabase(node),
      ),
      appOutage(),
    ]);
    return async () => {
      await Promise.all([dbDown.heal(), appDown?.heal()]);
      await this.refreshPublishedPorts();
    };
  }

  /** Writes every container's log into the workspace (kept runs only: it is what --keep is for). */
  private async saveContainerLogs(): Promise<void> {
    const containers: Array<{ name: string; id: string }> = [
      ...[...this.nodes.values()].map((n) => ({ name: n.alias, id: n.containerId })),
      ...[...this.apps.values()].map((a) => ({ name: a.alias, id: a.id })),
      ...(this.toxiproxy === undefined ? [] : [{ name: "toxiproxy", id: this.toxiproxy.container.getId() }]),
    ];
    for (const c of containers) {
      const logs = spawnSync("docker", ["logs", c.id], { encoding: "utf8", timeout: 10_000 });
      await writeFile(this.workspace.path(`${c.name}.log`), `${logs.stdout ?? ""}${logs.stderr ?? ""}`);
    }
  }

  protected teardownSteps(): TeardownStep[] {
    return [
      this.options.keep === true ? () => this.saveContainerLogs() : undefined,
      this.managed === undefined ? undefined : () => this.managed!.dispose(),
      // Thaws paused containers, removes every container (with its volumes) and the network.
      this.network === undefined ? undefined : () => this.network![Symbol.asyncDispose](),
    ];
  }
}

/** Until the server answers through its (possibly new) published port. */
async function waitForDatabase(node: ContainerDatabaseNode, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      await node.ping(1000);
      return true;
    },
    {
      timeoutMs,
      intervalMs: 100,
      describe: ({ error }) =>
        `${node.name} did not answer within ${timeoutMs} ms after the heal: ${(error as Error).message}`,
      error: (message, { error }) => new Error(message, { cause: error }),
    },
  );
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(1)} s`;
}
