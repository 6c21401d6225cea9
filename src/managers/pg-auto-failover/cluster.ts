// A pg_auto_failover drill's database as the local topology runs it (ManagedDatabase): the monitor (on
// its own site or in a region) and a keeper per region with its PostgreSQL. Started in the order
// pg_auto_failover needs: the monitor, the drill's primary (registered first, on a data directory we
// initialise), then each standby, which clones the primary through its replication proxy; taken down
// per region as a region outage says (the monitor too, when it lives in that region).
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { OutageMode } from "../../drill/types.ts";
import type { PgAutoFailoverSpec } from "../../drill/format/pg-auto-failover.ts";
import { preparePristineDataDirs } from "../../engines/postgres/template.ts";
import { freePort, freePortOnAll } from "../../platform/ports.ts";
import { waitUntil } from "../../util/wait.ts";
import type { AppDatabase, ManagedDatabase, ManagedDatabaseRequest } from "../local-database.ts";
import { PgAutoFailoverMonitor } from "./monitor.ts";
import { PgAutoFailoverNode } from "./node.ts";
import { monitorSiteAddress, multiHostUrl, planPgAutoFailover, type PgAutoFailoverPlan } from "./plan.ts";
import { makeHome, type PgAutoctlPrograms } from "./pg-autoctl.ts";
import { replicationMapping, type ReplicationMapping } from "./settings.ts";
import { nodeStates, settled, standbyApplicationNames, type NodeState } from "./state.ts";

/** How long the formation may take to settle after the last node joined (sync: wait_primary -> primary). */
const SETTLE_TIMEOUT_MS = 60_000;

/** Whether `port` can be bound on `host` (nothing else listens there). */
function bindable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export class PgAutoFailoverCluster implements ManagedDatabase {
  readonly links;
  readonly nodes: PgAutoFailoverNode[];
  /** pgautofailover_standby_<node id> -> region, filled as nodes register. */
  private readonly standbyRegions = new Map<string, string>();

  private constructor(
    private readonly request: ManagedDatabaseRequest,
    readonly plan: PgAutoFailoverPlan,
    readonly monitor: PgAutoFailoverMonitor,
    private readonly replication: ReplicationMapping,
    build: (standbyRegions: ReadonlyMap<string, string>) => PgAutoFailoverNode[],
  ) {
    this.links = plan.links;
    this.nodes = build(this.standbyRegions);
  }

  static async create(
    request: ManagedDatabaseRequest,
    programs: PgAutoctlPrograms,
    spec: PgAutoFailoverSpec,
  ): Promise<PgAutoFailoverCluster> {
    const { drill, workspace, supervisor, layout } = request;
    const standbys = layout.regions.filter((r) => r.role === "standby").length;
    const replication = replicationMapping(drill.database, standbys);
    const plan = await planPgAutoFailover({ layout, monitor: spec.monitor, freePort, freePortOnAll });
    if (plan.monitor.region === undefined) {
      // The monitor's health checks dial each node's port on the monitor's own address.
      for (const n of plan.nodes) {
        if (!(await bindable(monitorSiteAddress(layout), n.port)))
          throw new Error(
            `port ${n.port} is taken on ${monitorSiteAddress(layout)}, the monitor's site; run again`,
          );
      }
    }
    const root = workspace.path("pgaf");
    await mkdir(root, { recursive: true, mode: 0o755 });
    // Short: a socket path must fit in 107 bytes. Every instance has a port of its own.
    const socketDir = path.join(root, "sock");
    await mkdir(socketDir, { mode: 0o755 });
    await workspace.chownForUnprivileged(socketDir);

    const monitorHome = await makeHome(workspace, root, "monitor");
    const monitor = new PgAutoFailoverMonitor({
      supervisor,
      programs,
      home: monitorHome,
      plan: plan.monitor,
      spec,
      socketDir,
    });
    const homes = new Map<string, Awaited<ReturnType<typeof makeHome>>>();
    for (const n of plan.nodes) homes.set(n.region, await makeHome(workspace, root, n.region));
    const primary = drill.regions.find((r) => r.role === "primary")!.name;
    // The monitor and the primary start from an initialised data directory; standbys are clones.
    await preparePristineDataDirs({
      binaries: { binDir: programs.binDir, version: programs.version, source: "system" },
      workspace,
      targets: [monitorHome.pgdata, homes.get(primary)!.pgdata],
    });
    const settings = {
      replication: drill.database.replication,
      synchronousCommit: drill.database.synchronousCommit,
      syncStandbys: drill.database.syncStandbys,
    };
    return new PgAutoFailoverCluster(request, plan, monitor, replication, (standbyRegions) =>
      plan.nodes.map(
        (n) =>
          new PgAutoFailoverNode({
            plan: n,
            replication: settings,
            supervisor,
            programs,
            home: homes.get(n.region)!,
            socketDir,
            monitorUri: plan.monitor.uri,
            monitor: { host: plan.monitor.address, port: plan.monitor.port },
            standbyRegions,
          }),
      ),
    );
  }

  private node(region: string): PgAutoFailoverNode {
    const node = this.nodes.find((n) => n.name === region);
    if (node === undefined) throw new Error(`no pg_auto_failover node in region ${region}`);
    return node;
  }

  appDatabase(region: string): AppDatabase {
    const node = this.node(region);
    const hosts = this.plan.appHosts.get(region);
    if (hosts === undefined) throw new Error(`no app hosts for ${region}`);
    return { upstream: { host: node.host, port: node.port }, url: multiHostUrl(hosts) };
  }

  async start(): Promise<void> {
    const { drill, log } = this.request;
    await this.monitor.create();
    await this.monitor.service.start();
    log(`pg_auto_failover: monitor up on ${this.plan.monitor.address}:${this.plan.monitor.port}`);
    const primaryName = drill.regions.find((r) => r.role === "primary")!.name;
    const primary = this.node(primaryName);
    await primary.configurePrimary(drill.database);
    await primary.create({ replicationQuorum: this.replication.replicationQuorum });
    await primary.start();
    await this.waitUntilSettled(1);
    // One at a time: each clone registers, copies the primary and catches up.
    for (const standby of this.nodes.filter((n) => n !== primary)) {
      await standby.create({ replicationQuorum: this.replication.replicationQuorum });
      await standby.start();
    }
    await this.refreshStandbyRegions();
    if (this.replication.numberSyncStandbys !== undefined) {
      await this.monitor.query("SELECT pgautofailover.set_formation_number_sync_standbys('default', $1)", [
        this.replication.numberSyncStandbys,
      ]);
    }
    await this.waitUntilSettled(this.nodes.length);
    log(`pg_auto_failover: ${primaryName} is primary, ${this.nodes.length - 1} standby(s) secondary`);
  }

  private async refreshStandbyRegions(): Promise<void> {
    const states = await nodeStates(this.monitor);
    for (const [name, region] of standbyApplicationNames(states)) this.standbyRegions.set(name, region);
  }

  /**
   * Until `count` nodes have registered and each has reached the state the monitor assigned it: one
   * primary (under sync, in state primary: its standbys count for commits), the others secondary.
   */
  private async waitUntilSettled(count: number): Promise<void> {
    let last: NodeState[] = [];
    const sync = this.replication.replicationQuorum && count > 1;
    await waitUntil(
      async () => {
        last = await nodeStates(this.monitor);
        return settled(last, count, sync);
      },
      {
        timeoutMs: SETTLE_TIMEOUT_MS,
        intervalMs: 200,
        describe: () =>
          `pg_auto_failover to settle (${last.map((s) => `${s.name} ${s.reported}/${s.goal}`).join(", ")})`,
      },
    );
  }

  async injectOutage(
    region: string,
    mode: OutageMode,
    restoreLinks?: () => Promise<void>,
  ): Promise<() => Promise<void>> {
    const node = this.node(region);
    const monitor = this.plan.monitor.region === region ? this.monitor.service : undefined;
    switch (mode) {
      case "kill":
        await Promise.all([node.kill(), monitor?.kill()]);
        break;
      case "stop":
        await Promise.all([node.stop(), monitor?.stop()]);
        break;
      case "pause":
        await node.pause();
        await monitor?.pause();
        break;
      case "network":
        break; // the nemesis cuts every link of the region; the processes live on, isolated
    }
    let healed: Promise<void> | undefined;
    return () => (healed ??= this.heal(region, restoreLinks));
  }

  /**
   * The monitor first (a keeper that cannot reach it at start exits), then the node. A keeper that
   * starts again needs its network: it asks the monitor what to be and may rewind from the new
   * primary, so the region's links come back first, as when a region's machines boot.
   */
  private async heal(region: string, restoreLinks?: () => Promise<void>): Promise<void> {
    const node = this.node(region);
    const monitor = this.plan.monitor.region === region ? this.monitor.service : undefined;
    if ((!node.running || (monitor !== undefined && !monitor.running)) && restoreLinks !== undefined)
      await restoreLinks();
    await monitor?.heal();
    if (node.paused) await node.resume();
    if (!node.running) await node.start();
  }

  async dispose(): Promise<void> {
    // The drill is over: no graceful hand-over, nothing to wait for.
    await Promise.allSettled([...this.nodes.map((n) => n.kill()), this.monitor.service.kill()]);
  }
}
