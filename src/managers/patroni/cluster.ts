// A Patroni drill's database as the local topology runs it (ManagedDatabase): per region a Patroni
// member with its PostgreSQL, the region's DCS member and, with routing haproxy, its HAProxy; plus the
// DCS witness outside the regions. Started in the order Patroni needs (DCS, the drill's primary, which
// bootstraps the cluster, then the standbys, which clone it through their replication proxies, then the
// load balancers) and taken down per region as a region outage says.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type { OutageMode } from "../../drill/types.ts";
import type { HaproxySpec, PatroniSpec, Routing } from "../../drill/format/patroni.ts";
import { postgresUrl } from "../../engines/postgres/url.ts";
import type { Address } from "../../engines/types.ts";
import { sleep } from "../../util/abort.ts";
import { waitUntil } from "../../util/wait.ts";
import type { AppDatabase, ManagedDatabase, ManagedDatabaseRequest } from "../local-database.ts";
import { etcdArgs, haproxyConfig, patroniConfig, raftWitnessConfig } from "./config.ts";
import { upServers } from "./haproxy-state.ts";
import { PatroniNode } from "./node.ts";
import { planPatroni, type PatroniPlan } from "./plan.ts";
import { Service } from "../../platform/service.ts";
import { freePort } from "../../platform/ports.ts";

export interface PatroniPrograms {
  patroni: string;
  unshare: string;
  setpriv: string;
  /** dcs etcd */
  etcd?: string;
  /** dcs raft */
  raftController?: string;
  /** routing haproxy */
  haproxy?: string;
  /** PostgreSQL's server binaries (postgres, pg_basebackup, pg_rewind, pg_controldata). */
  binDir: string;
}

export interface PatroniSettings {
  patroni: PatroniSpec;
  haproxy: HaproxySpec | undefined;
  routing: Routing;
}

/** Running clusters by workspace directory, so the observer finds the one its topology runs. */
const running = new Map<string, PatroniCluster>();

/** How long every HAProxy may take to route to the bootstrapped primary only (checks every inter). */
const HAPROXY_SETTLE_MS = 30_000;

async function httpOk(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

async function etcdHealthy(address: string, port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${address}:${port}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { health?: string };
    return body.health === "true";
  } catch {
    return false;
  }
}

function listening(address: Address): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address.port, address.host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export class PatroniCluster implements ManagedDatabase {
  readonly nodes: PatroniNode[];
  readonly links;
  /** The DCS member of each region (etcd), or none (Raft: Patroni is the member). */
  private readonly dcsOfRegion = new Map<string, Service>();
  private readonly witness: Service | undefined;
  private readonly haproxies = new Map<string, Service>();
  /** Each region's HAProxy stats socket. */
  readonly statsSockets = new Map<string, string>();

  private constructor(
    private readonly request: ManagedDatabaseRequest,
    readonly plan: PatroniPlan,
    private readonly settings: PatroniSettings,
    nodes: PatroniNode[],
    services: { dcs: Map<string, Service>; witness: Service | undefined; haproxies: Map<string, Service> },
  ) {
    this.links = plan.links;
    this.nodes = nodes;
    this.dcsOfRegion = services.dcs;
    this.witness = services.witness;
    this.haproxies = services.haproxies;
    for (const [region, service] of services.haproxies) this.statsSockets.set(region, socketOf(service));
  }

  static async create(
    request: ManagedDatabaseRequest,
    programs: PatroniPrograms,
    settings: PatroniSettings,
  ): Promise<PatroniCluster> {
    const { drill, workspace, supervisor, layout } = request;
    const plan = await planPatroni({
      layout,
      patroni: settings.patroni,
      routing: settings.routing,
      freePort,
    });
    const root = workspace.path("patroni");
    await mkdir(root, { recursive: true, mode: 0o755 });
    const dirOf = async (name: string): Promise<string> => {
      const dir = path.join(root, name);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await workspace.chownForUnprivileged(dir);
      return dir;
    };

    const dcs = new Map<string, Service>();
    let witness: Service | undefined;
    const token = `failover-drill-${randomUUID()}`;
    for (const member of plan.dcs) {
      const dir = await dirOf(`dcs-${member.name}`);
      let service: Service;
      if (settings.patroni.dcs === "etcd") {
        service = new Service(supervisor, {
          name: `etcd:${member.name}`,
          command: programs.etcd!,
          args: etcdArgs(member, plan.dcs, path.join(dir, "data"), token),
          cwd: dir,
          env: serviceEnv(dir),
          logFile: path.join(dir, "etcd.log"),
          ready: () => etcdHealthy(member.address, member.clientPort),
          readyTimeoutMs: 30_000,
        });
      } else {
        const config = path.join(dir, "raft-controller.yml");
        await writeFile(config, raftWitnessConfig(member, plan.members, path.join(dir, "raft")));
        service = new Service(supervisor, {
          name: `raft-controller:${member.name}`,
          command: programs.raftController!,
          args: [config],
          cwd: dir,
          env: serviceEnv(dir),
          logFile: path.join(dir, "raft-controller.log"),
          ready: () => listening({ host: member.address, port: member.clientPort }),
          readyTimeoutMs: 30_000,
        });
      }
      if (member.region === undefined) witness = service;
      else dcs.set(member.region, service);
    }

    const raftWitness = plan.dcs.find((d) => d.region === undefined);
    const replication = {
      replication: drill.database.replication,
      synchronousCommit: drill.database.synchronousCommit,
      syncStandbys: drill.database.syncStandbys,
    };
    const nodes: PatroniNode[] = [];
    for (const member of plan.members) {
      const dir = await dirOf(member.region);
      const configFile = path.join(dir, "patroni.yml");
      await writeFile(
        configFile,
        patroniConfig({
          member,
          members: plan.members,
          ...(settings.patroni.dcs === "raft" && raftWitness !== undefined ? { raftWitness } : {}),
          patroni: settings.patroni,
          database: drill.database,
          dir,
          binDir: programs.binDir,
        }),
      );
      nodes.push(
        new PatroniNode({
          region: member.region,
          host: member.address,
          port: member.pgPort,
          restUrl: `http://${member.address}:${member.restPort}`,
          replication,
          supervisor,
          programs: { patroni: programs.patroni, unshare: programs.unshare, setpriv: programs.setpriv },
          configFile,
          dir,
          logFile: path.join(dir, "patroni.log"),
        }),
      );
    }

    const haproxies = new Map<string, Service>();
    if (settings.routing === "haproxy") {
      for (const member of plan.members) {
        const dir = await dirOf(`haproxy-${member.region}`);
        const statsSocket = path.join(dir, "stats.sock");
        const config = path.join(dir, "haproxy.cfg");
        await writeFile(
          config,
          haproxyConfig({
            listen: member.haproxy!,
            servers: plan.haproxyServers.get(member.region) ?? [],
            checks: settings.haproxy!,
            statsSocket,
          }),
        );
        haproxies.set(
          member.region,
          new Service(supervisor, {
            name: `haproxy:${member.region}`,
            command: programs.haproxy!,
            args: ["-db", "-f", config],
            cwd: dir,
            env: serviceEnv(dir),
            logFile: path.join(dir, "haproxy.log"),
            ready: () =>
              upServers(statsSocket).then(
                () => true,
                () => false,
              ),
            readyTimeoutMs: 10_000,
          }),
        );
      }
    }
    const cluster = new PatroniCluster(request, plan, settings, nodes, { dcs, witness, haproxies });
    running.set(workspace.dir, cluster);
    return cluster;
  }

  /** The cluster the topology with this workspace runs. */
  static of(workspaceDir: string): PatroniCluster | undefined {
    return running.get(workspaceDir);
  }

  /** etcd only: every member's name and client URL, for the observer's view of the DCS leader. */
  get etcdMembers(): Array<{ name: string; url: string }> {
    if (this.settings.patroni.dcs !== "etcd") return [];
    return this.plan.dcs.map((d) => ({ name: d.name, url: `http://${d.address}:${d.clientPort}` }));
  }

  private node(region: string): PatroniNode {
    const node = this.nodes.find((n) => n.name === region);
    if (node === undefined) throw new Error(`no Patroni member in region ${region}`);
    return node;
  }

  appDatabase(region: string): AppDatabase {
    const member = this.plan.members.find((m) => m.region === region);
    if (member === undefined) throw new Error(`no Patroni member in region ${region}`);
    const appDb = this.request.layout.links.find(
      (l) => l.kind === "app-db" && l.from === region && l.to === region,
    );
    if (appDb === undefined) throw new Error(`no app-db link for ${region}`);
    if (this.settings.routing === "haproxy")
      return { upstream: member.haproxy!, url: postgresUrl(appDb.listen) };
    const hosts = [appDb.listen, ...(this.plan.clientHosts.get(region) ?? [])];
    return {
      upstream: { host: member.address, port: member.pgPort },
      url:
        `postgres://postgres@${hosts.map((h) => `${h.host}:${h.port}`).join(",")}/postgres` +
        "?target_session_attrs=read-write",
    };
  }

  async start(): Promise<void> {
    const { drill, log } = this.request;
    const primary = drill.regions.find((r) => r.role === "primary")!.name;
    await Promise.all([this.witness, ...this.dcsOfRegion.values()].map((s) => s?.start(false)));
    await Promise.all([this.witness, ...this.dcsOfRegion.values()].map((s) => s?.waitReady()));
    log(`patroni: DCS up (${this.settings.patroni.dcs}${this.witness === undefined ? "" : " + witness"})`);
    // The drill's primary bootstraps the cluster alone, so it is the one that takes the initialize key.
    const leader = this.node(primary);
    await leader.start();
    await waitUntil(() => httpOk(`${leader.restUrl}/primary`), {
      timeoutMs: 60_000,
      intervalMs: 100,
      retryErrors: false,
      describe: `${primary} to lead the Patroni cluster`,
    });
    await Promise.all(this.nodes.filter((n) => n !== leader).map((n) => n.start()));
    log(`patroni: ${primary} leads, ${this.nodes.length - 1} replica(s) running`);
    await Promise.all([...this.haproxies.values()].map((h) => h.start()));
    await this.waitUntilRoutedTo(primary);
    // Start-up takes about as long every run, so a fault at a fixed time would always hit the
    // leader's HA loop at the same phase and sample one point of the ttl - loop_wait .. ttl range.
    // A random wait of up to one loop desynchronises them, as the built-in controller's random probe
    // phase does.
    const phaseMs = Math.random() * this.settings.patroni.loopWaitMs;
    log(`patroni: waiting ${Math.round(phaseMs)} ms (a random phase of the HA loop)`);
    await sleep(phaseMs);
  }

  /** Until every HAProxy routes to `region`'s member only (a new HAProxy starts with every server up). */
  private async waitUntilRoutedTo(region: string): Promise<void> {
    for (const [where, socket] of this.statsSockets) {
      let up: string[] = [];
      await waitUntil(
        async () => {
          up = await upServers(socket);
          return up.length === 1 && up[0] === region;
        },
        {
          timeoutMs: HAPROXY_SETTLE_MS,
          intervalMs: 100,
          describe: () => `HAProxy in ${where} to route to ${region} only (up: ${up.join(", ") || "none"})`,
        },
      );
    }
  }

  async injectOutage(region: string, mode: OutageMode): Promise<() => Promise<void>> {
    const node = this.node(region);
    const dcs = this.dcsOfRegion.get(region);
    const haproxy = this.haproxies.get(region);
    switch (mode) {
      case "kill":
        await Promise.all([node.kill(), dcs?.kill(), haproxy?.kill()]);
        break;
      case "stop":
        await Promise.all([
          node.stop(),
          dcs?.stop(SERVICE_STOP_GRACE_MS),
          haproxy?.stop(SERVICE_STOP_GRACE_MS),
        ]);
        break;
      case "pause":
        await node.pause();
        await Promise.all([dcs?.pause(), haproxy?.pause()]);
        break;
      case "network":
        // The links are cut by the nemesis; the DCS peer mesh is not proxied (every peer dials one
        // advertised address), so the region's DCS member is frozen: to its peers that is what an
        // isolated member looks like. Under Raft the member lives inside Patroni.
        if (dcs !== undefined) await dcs.pause();
        else node.freezeManager();
        break;
    }
    let healed: Promise<void> | undefined;
    return () => (healed ??= this.heal(region));
  }

  private async heal(region: string): Promise<void> {
    const node = this.node(region);
    await this.dcsOfRegion.get(region)?.heal();
    if (node.paused) await node.resume();
    if (!node.running) await node.start();
    await this.haproxies.get(region)?.heal();
  }

  async dispose(): Promise<void> {
    running.delete(this.request.workspace.dir);
    // The drill is over: no graceful hand-over, nothing to wait for.
    await Promise.allSettled(this.nodes.map((n) => n.kill()));
  }
}

/** etcd, HAProxy and the Raft witness get a plain environment, their home in their own directory. */
function serviceEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", LC_ALL: "C.UTF-8", HOME: dir };
}

/** How long a stopped etcd or HAProxy gets before SIGKILL. */
const SERVICE_STOP_GRACE_MS = 5000;

function socketOf(service: Service): string {
  return path.join(service.o.cwd, "stats.sock");
}
