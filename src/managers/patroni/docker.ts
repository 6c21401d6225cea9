// A Patroni drill on the docker platform: the same processes as on the local platform (local.ts), each
// in its own container from the stacks image (Debian's patroni, etcd-server, haproxy, postgresql-15,
// built by scripts/build-local-images.sh): etcd-<site>, pg-<region> (Patroni and its PostgreSQL),
// haproxy-<region>, raft-witness. A region outage acts on the region's containers; a network outage
// takes them off the drill's networks. Configuration files are written to the workspace and mounted
// at /drill; data stays in each container, so it survives a kill and a restart.
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { ReplicationSettings } from "../../engines/postgres/config.ts";
import { PostgresSqlNode } from "../../engines/postgres/operations.ts";
import type { Address, ContainerDatabaseNode } from "../../engines/types.ts";
import { StackContainer, type StackContainerSpec } from "../../platform/docker-stack.ts";
import { freePort } from "../../platform/ports.ts";
import type { DockerManagedDatabaseRequest } from "../docker-database.ts";
import { PatroniCluster, type PatroniMemberNode, type PatroniSettings } from "./cluster.ts";
import { etcdArgs, haproxyConfig, patroniConfig, raftWitnessConfig } from "./config.ts";
import { upServers } from "./haproxy-state.ts";
import { etcdHealthy, listening } from "./local.ts";
import { planPatroni, WITNESS, type PatroniPlacement, type PatroniService } from "./plan.ts";

/** Debian's Patroni, etcd, HAProxy and PostgreSQL 15 (scripts/build-local-images.sh, IMAGES=stacks). */
export const STACKS_IMAGE = "failover-drill/stacks:bookworm";

/** Fixed ports inside the containers, each container having its own address. */
const PORTS: Record<PatroniService, number> = {
  postgres: 5432,
  rest: 8008,
  raft: 2222,
  "etcd-client": 2379,
  "etcd-peer": 2380,
  haproxy: 5000,
};
const CONTAINER_OF: Record<PatroniService, string> = {
  postgres: "pg",
  rest: "pg",
  raft: "pg",
  "etcd-client": "etcd",
  "etcd-peer": "etcd",
  haproxy: "haproxy",
};
/** Where the postgres user of the image keeps Patroni's data, socket, pgpass and Raft journal. */
const MEMBER_DIR = "/var/lib/postgresql";
const BIN_DIR = "/usr/lib/postgresql/15/bin";
const START_TIMEOUT_MS = 90_000;
const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** The alias of a region's Patroni container (its PostgreSQL and REST API). */
export const memberAlias = (region: string): string => `pg-${region}`;
/** The name a region's member is advertised under for replication: resolved per dialler. */
export const replicationAlias = (region: string): string => `db-${region}`;

/** Each process in its own container, at a fixed port under its alias; each proxy on the Toxiproxy container. */
export function dockerPlacement(proxyAddress: () => Address): PatroniPlacement {
  return {
    service: (site, service) =>
      Promise.resolve({
        // The Raft witness is a container of its own.
        host:
          site.name === WITNESS && service === "raft"
            ? "raft-witness"
            : `${CONTAINER_OF[service]}-${site.name}`,
        port: PORTS[service],
      }),
    proxy: () => Promise.resolve(proxyAddress()),
    replicationHost: (site) => replicationAlias(site.name),
    witness: { name: WITNESS, address: WITNESS },
  };
}

/** A Patroni member's container as the drill's database node of its region. */
export class DockerPatroniNode extends PostgresSqlNode implements ContainerDatabaseNode, PatroniMemberNode {
  readonly restUrl: string;

  constructor(
    readonly name: string,
    private readonly container: StackContainer,
    private readonly pgHostPort: number,
    restHostPort: number,
    readonly replication: ReplicationSettings,
  ) {
    super();
    this.restUrl = `http://127.0.0.1:${restHostPort}`;
  }

  get containerId(): string {
    return this.container.containerId;
  }

  get alias(): string {
    return this.container.spec.alias;
  }

  hostPort(): Promise<number> {
    return Promise.resolve(this.pgHostPort);
  }

  get running(): boolean {
    return this.container.running;
  }

  get paused(): boolean {
    return this.container.paused;
  }

  /** Starts the container; resolves once PostgreSQL accepts connections (bootstrapped or a replica). */
  start(): Promise<void> {
    return this.container.start();
  }

  /** SIGKILL to Patroni and PostgreSQL: power loss. */
  kill(): Promise<void> {
    return this.container.kill();
  }

  /** Patroni's own shutdown (SIGTERM, passed on by the container's init): it stops PostgreSQL. */
  stop(graceMs = 10_000): Promise<void> {
    return this.container.stop(graceMs);
  }

  pause(): Promise<void> {
    return this.container.pause();
  }

  /** Off every network (no peer, no published port); returns the reconnect. */
  isolate(): Promise<() => Promise<void>> {
    return this.container.isolate();
  }

  async resume(): Promise<void> {
    await this.container.resume();
    await this.container.waitReady();
  }

  /** Whether PostgreSQL accepts a connection through the published port. */
  async accepting(): Promise<boolean> {
    return this.query("SELECT 1", [], { timeoutMs: 1000 }).then(
      () => true,
      () => false,
    );
  }

  override async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    opts: { timeoutMs?: number } = {},
  ): Promise<T[]> {
    const client = new pg.Client({
      host: "127.0.0.1",
      port: this.pgHostPort,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      application_name: "failover-drill",
    });
    client.on("error", () => {});
    try {
      await client.connect();
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  override promote(): Promise<void> {
    return Promise.reject(new Error(`${this.name}: Patroni decides promotions, not the drill`));
  }

  override setUpstream(): Promise<void> {
    return Promise.reject(new Error(`${this.name}: Patroni points its standbys, not the drill`));
  }

  override setSynchronousStandbys(): Promise<string> {
    return Promise.reject(new Error(`${this.name}: Patroni sets synchronous_standby_names`));
  }

  protected override failure(message: string): Error {
    return new Error(message);
  }
}

export async function createDockerPatroni(
  request: DockerManagedDatabaseRequest,
  settings: PatroniSettings,
  image = STACKS_IMAGE,
): Promise<PatroniCluster<DockerPatroniNode>> {
  const { drill, workspace, network, layout } = request;
  const plan = await planPatroni({
    layout,
    patroni: settings.patroni,
    routing: settings.routing,
    placement: dockerPlacement(() => request.proxyAddress()),
  });
  const root = workspace.path("patroni");
  const dirOf = async (name: string): Promise<string> => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    return dir;
  };
  const hostPort = (): Promise<number> => freePort("127.0.0.1");
  const container = (spec: Omit<StackContainerSpec, "image">): StackContainer =>
    new StackContainer(network, { ...spec, image });

  const dcs = new Map<string, StackContainer>();
  let witness: StackContainer | undefined;
  const etcdUrls = new Map<string, string>();
  const token = `failover-drill-${randomUUID()}`;
  for (const member of plan.dcs) {
    const published = await hostPort();
    let service: StackContainer;
    if (settings.patroni.dcs === "etcd") {
      const url = `http://127.0.0.1:${published}`;
      etcdUrls.set(member.name, url);
      service = container({
        alias: member.address,
        cmd: [
          "etcd",
          ...etcdArgs(member, plan.dcs, "/var/lib/etcd-drill", token, true, settings.patroni.etcdPreVote),
        ],
        publish: [{ containerPort: member.clientPort, hostPort: published }],
        ready: () => etcdHealthy(url),
        readyTimeoutMs: 30_000,
      });
    } else {
      const dir = await dirOf(`dcs-${member.name}`);
      await writeFile(
        path.join(dir, "raft-controller.yml"),
        raftWitnessConfig(member, plan.members, `${MEMBER_DIR}/raft`, true),
      );
      service = container({
        alias: member.address,
        user: "postgres",
        cmd: ["patroni_raft_controller", "/drill/raft-controller.yml"],
        binds: [`${dir}:/drill:ro`],
        publish: [{ containerPort: member.clientPort, hostPort: published }],
        ready: () => listening({ host: "127.0.0.1", port: published }),
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
  const nodes: DockerPatroniNode[] = [];
  for (const member of plan.members) {
    const dir = await dirOf(member.region);
    await writeFile(
      path.join(dir, "patroni.yml"),
      patroniConfig({
        member,
        members: plan.members,
        ...(settings.patroni.dcs === "raft" && raftWitness !== undefined ? { raftWitness } : {}),
        patroni: settings.patroni,
        database: drill.database,
        dir: MEMBER_DIR,
        binDir: BIN_DIR,
        bindAll: true,
      }),
    );
    const ownProxy = request.regionProxyAddress.get(member.region);
    const ownNetwork = request.regionNetworks.get(member.region);
    if (ownProxy === undefined || ownNetwork === undefined)
      throw new Error(`no network of its own for region ${member.region}`);
    const [pgHostPort, restHostPort] = [await hostPort(), await hostPort()];
    // eslint-disable-next-line prefer-const -- its readiness check needs the node made from it
    let node: DockerPatroniNode | undefined;
    const memberContainer = container({
      alias: member.address,
      user: "postgres",
      cmd: ["patroni", "/drill/patroni.yml"],
      env: { LC_ALL: "C.UTF-8", HOME: MEMBER_DIR },
      binds: [`${dir}:/drill:ro`],
      // Every other member's advertised name is this region's own replication proxy to it.
      extraHosts: plan.members.filter((m) => m !== member).map((m) => `${m.replicationHost}:${ownProxy}`),
      networks: [ownNetwork],
      publish: [
        { containerPort: member.pgPort, hostPort: pgHostPort },
        { containerPort: member.restPort, hostPort: restHostPort },
      ],
      ready: () => node!.accepting(),
      readyTimeoutMs: START_TIMEOUT_MS,
    });
    node = new DockerPatroniNode(member.region, memberContainer, pgHostPort, restHostPort, replication);
    nodes.push(node);
  }

  const haproxies = new Map<string, StackContainer>();
  const statsSockets = new Map<string, string>();
  if (settings.routing === "haproxy") {
    for (const member of plan.members) {
      const dir = await dirOf(`haproxy-${member.region}`);
      await writeFile(
        path.join(dir, "haproxy.cfg"),
        haproxyConfig({
          listen: member.haproxy!,
          servers: plan.haproxyServers.get(member.region) ?? [],
          checks: settings.haproxy!,
          statsSocket: "/drill/stats.sock",
          bindAll: true,
        }),
      );
      const statsSocket = path.join(dir, "stats.sock");
      statsSockets.set(member.region, statsSocket);
      haproxies.set(
        member.region,
        container({
          alias: member.haproxy!.host,
          cmd: ["haproxy", "-db", "-f", "/drill/haproxy.cfg"],
          binds: [`${dir}:/drill`],
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

  const containersOf = (region: string): StackContainer[] =>
    [dcs.get(region), haproxies.get(region)].filter((c): c is StackContainer => c !== undefined);
  const nodeOf = new Map(nodes.map((n) => [n.name, n]));
  return new PatroniCluster(
    { drill, layout, log: request.log, workspaceDir: workspace.dir },
    plan,
    settings,
    {
      nodes,
      dcs,
      witness,
      haproxies,
      statsSockets,
      etcdUrls,
      async isolate(region) {
        const node = nodeOf.get(region)!;
        const reconnects = await Promise.all([
          node.isolate(),
          ...containersOf(region).map((c) => c.isolate()),
        ]);
        return async () => {
          await Promise.all(reconnects.map((reconnect) => reconnect()));
        };
      },
    },
  );
}

/** Where the other containers reach a region's PostgreSQL. */
export function dockerDatabaseAddress(region: string): Address {
  return { host: memberAlias(region), port: PORTS.postgres };
}
