// PostgreSQL on the docker platform: each region's server in its own container on the drill network,
// found by alias (db-<region>). The image is plain Debian with postgresql-15
// (scripts/build-local-images.sh) or the official one, so we drive initdb / pg_basebackup / pg_ctl
// ourselves instead of relying on an image's entrypoint.
import {
  ImageName,
  PullPolicy,
  Wait,
  type ContainerRuntimeClient,
  type StartedTestContainer,
} from "testcontainers";
import type { DatabaseEndpoint } from "../../platform/app-env.ts";
import {
  containerOutage,
  type ContainerOutage,
  type ContainerOutageMode,
} from "../../platform/docker-faults.ts";
import { FIRST_PROXY_PORT, type ToxiproxyContainer } from "../../platform/docker-proxy.ts";
import {
  DockerDrillNetwork,
  DockerPlatformError,
  withImageHint,
  type DrillContainer,
  type DrillNetwork,
} from "../../platform/docker.ts";
import type { ProxyControl } from "../../toxiproxy/client.ts";
import { waitUntil } from "../../util/wait.ts";
import type { Address } from "../types.ts";
import { postgresUrl } from "./url.ts";

/** The official image, used where it is present (or can be pulled). */
export const OFFICIAL_POSTGRES_IMAGE = "postgres:17";
/** Plain Debian + postgresql-15, built here by scripts/build-local-images.sh (no registry needed). */
export const LOCAL_POSTGRES_IMAGE = "failover-drill/postgres:15-bookworm";
export const POSTGRES_PORT = 5432;
const PGDATA = "/var/lib/postgresql/data";
const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;

export type PostgresRole = "primary" | "standby";

export interface DockerPostgresOptions {
  /** Region names; the first is the primary, the rest stream from it. */
  regions: string[];
  /** The drill network to join; without one a network is created and the cluster owns it. */
  network?: DrillNetwork;
  /** Names the created network and containers and labels them; random when omitted. */
  drillId?: string;
  image?: string;
  /** Extra `-c name=value` settings for every server. */
  settings?: Record<string, string>;
  startupTimeoutMs?: number;
}

export function drillAlias(region: string): string {
  return `db-${region}`;
}

/** One PostgreSQL server in a container. */
export class PostgresContainer {
  constructor(
    readonly region: string,
    public role: PostgresRole,
    /** Name other containers on the drill network use. */
    readonly alias: string,
    readonly container: StartedTestContainer,
    private readonly client: ContainerRuntimeClient,
  ) {}

  get id(): string {
    return this.container.getId();
  }

  /** Where the host reaches the server (re-read: docker picks a new port when a container restarts). */
  async hostPort(): Promise<number> {
    const info = await this.client.container.inspect(this.client.container.getById(this.id));
    const port = info.NetworkSettings.Ports[`${POSTGRES_PORT}/tcp`]?.[0]?.HostPort;
    if (port === undefined) throw new DockerPlatformError(`${this.alias} publishes no port (is it running?)`);
    return Number(port);
  }

  /** A connection string for the host. */
  async hostUrl(database = "postgres"): Promise<string> {
    return postgresUrl({ host: "127.0.0.1", port: await this.hostPort() }, database);
  }

  /** A connection string for containers on the drill network (apps, proxies). */
  networkUrl(database = "postgres"): string {
    return postgresUrl({ host: this.alias, port: POSTGRES_PORT }, database);
  }

  /** Runs a command in the container as user postgres; throws with its output if it fails. */
  async exec(command: string[]): Promise<string> {
    const result = await this.container.exec(command, { user: "postgres" });
    if (result.exitCode !== 0) {
      throw new DockerPlatformError(
        `${command.join(" ")} in ${this.alias} exited ${result.exitCode}: ${result.output.trim()}`,
      );
    }
    return result.output;
  }

  /** Promotes a standby with pg_ctl and waits until it accepts writes. */
  async promote(): Promise<void> {
    await this.exec(["pg_ctl", "promote", "-w", "-t", "60", "-D", PGDATA]);
    this.role = "primary";
  }
}

/**
 * The database containers of one drill on its network. It is a DrillNetwork itself, so apps and
 * proxies join through it; disposing it removes the network and everything on it when the cluster
 * created the network (otherwise the network's owner does).
 */
export class DockerPostgresCluster implements DrillNetwork, AsyncDisposable {
  constructor(
    private readonly network: DrillNetwork & Partial<AsyncDisposable>,
    readonly nodes: PostgresContainer[],
    private readonly ownsNetwork: boolean,
  ) {}

  get drillId(): string {
    return this.network.drillId;
  }

  get networkName(): string {
    return this.network.networkName;
  }

  get runtime(): ContainerRuntimeClient {
    return this.network.runtime;
  }

  get dockerode(): ContainerRuntimeClient["container"]["dockerode"] {
    return this.network.dockerode;
  }

  container(image: string, alias: string, stopSignal?: NodeJS.Signals): DrillContainer {
    return this.network.container(image, alias, stopSignal);
  }

  node(region: string): PostgresContainer {
    const node = this.nodes.find((n) => n.region === region);
    if (node === undefined) throw new DockerPlatformError(`no database container for region ${region}`);
    return node;
  }

  get primary(): PostgresContainer {
    return this.nodes[0]!;
  }

  /** The regions with a database, the primary first: where apps start by default. */
  get databaseRegions(): string[] {
    return this.nodes.map((n) => n.region);
  }

  /** Where apps on the drill network reach a region's database directly. */
  databaseEndpoint(region: string): DatabaseEndpoint {
    const address = { host: drillAlias(region), port: POSTGRES_PORT };
    return { ...address, url: postgresUrl(address) };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ownsNetwork) await this.network[Symbol.asyncDispose]?.();
  }
}

/** The server's `-c` arguments: streaming-replication defaults, overridden by `settings`. */
export function serverArgs(settings: Record<string, string>): string {
  const all: Record<string, string> = {
    listen_addresses: "*",
    // The image's /run is empty and not writable by postgres.
    unix_socket_directories: "/tmp",
    wal_level: "replica",
    max_wal_senders: "10",
    hot_standby: "on",
    wal_keep_size: "256MB",
    ...settings,
  };
  return Object.entries(all)
    .map(([name, value]) => `-c ${shellQuote(`${name}=${value}`)}`)
    .join(" ");
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * The container's command. It is idempotent so that a killed or stopped container comes back with
 * its data directory as it was: initdb / pg_basebackup only run when PGDATA is empty. postgres is
 * exec'd so it is PID 1 and receives docker's signals itself. The programs come from `binDir` when
 * given (an image whose server is not the first on PATH), else from PATH.
 */
export function postgresCommand(
  role: PostgresRole,
  region: string,
  primaryAlias: string,
  args: string,
  binDir?: string,
): string[] {
  const bin = (program: string): string => (binDir === undefined ? program : `${binDir}/${program}`);
  const init =
    role === "primary"
      ? `${bin("initdb")} -D ${PGDATA} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null && ` +
        `printf 'host all all all trust\\nhost replication all all trust\\n' >> ${PGDATA}/pg_hba.conf`
      : // -R writes standby.signal and primary_conninfo; application_name names it for sync replication.
        `${bin("pg_basebackup")} -D ${PGDATA} -X stream -R -c fast ` +
        `-d ${shellQuote(`host=${primaryAlias} user=postgres application_name=${region}`)}`;
  return [
    "sh",
    "-c",
    `set -e; [ -s ${PGDATA}/PG_VERSION ] || { ${init}; }; exec ${bin("postgres")} -D ${PGDATA} ${args}`,
  ];
}

/**
 * Starts one server container on the drill network under its region's alias and waits until it
 * accepts connections. The caller resolves the image and handles a failure (withImageHint, cleanup).
 */
export async function startPostgresContainer(
  network: DrillNetwork,
  image: string,
  node: { region: string; role: PostgresRole; command: string[]; startupTimeoutMs: number },
): Promise<PostgresContainer> {
  const alias = drillAlias(node.region);
  const container = await network
    .container(image, alias, "SIGINT") // PostgreSQL's fast shutdown
    .withEnvironment({ PGHOST: "/tmp" })
    // The official image starts as root and its entrypoint execs a command it does not know
    // (ours) as is; initdb and postgres refuse to run as root.
    .withUser("postgres")
    .withPullPolicy(PullPolicy.defaultPolicy())
    .withExposedPorts(POSTGRES_PORT)
    .withCommand(node.command)
    // The primary says "ready to accept connections"; a hot standby "... read-only connections".
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept (read-only )?connections/))
    .withStartupTimeout(node.startupTimeoutMs)
    .start();
  return new PostgresContainer(node.region, node.role, alias, container, network.runtime);
}

/**
 * Starts a primary in regions[0] and a streaming standby in every other region, each in its own
 * container on the drill network (a new one unless `network` is given). On failure a network
 * created here is removed with everything on it before rethrowing.
 */
export async function startPostgresContainers(
  options: DockerPostgresOptions,
): Promise<DockerPostgresCluster> {
  const [primaryRegion, ...standbyRegions] = options.regions;
  if (primaryRegion === undefined) throw new DockerPlatformError("at least one region is needed");
  const owned = options.network === undefined ? await DockerDrillNetwork.create(options.drillId) : undefined;
  const network = options.network ?? owned!;
  const timeout = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const args = serverArgs(options.settings ?? {});
  const primaryAlias = drillAlias(primaryRegion);
  try {
    const image = await resolvePostgresImage(network.runtime, options.image);
    const start = (region: string, role: PostgresRole): Promise<PostgresContainer> =>
      startPostgresContainer(network, image, {
        region,
        role,
        command: postgresCommand(role, region, primaryAlias, args),
        startupTimeoutMs: timeout,
      });
    // Never pulled when present (the default pull policy); when absent a pull is tried, and its
    // failure is explained in terms of what to run here.
    const nodes = await withImageHint(network.runtime, image, async () => {
      const primary = await start(primaryRegion, "primary");
      // Standbys clone the primary, so they can only start once it is up; then all at once. Settled,
      // so no start is still creating a container when the caller, told of a failure, cleans up.
      const standbys = await Promise.allSettled(standbyRegions.map((region) => start(region, "standby")));
      const failed = standbys.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      return [primary, ...standbys.map((r) => (r as PromiseFulfilledResult<PostgresContainer>).value)];
    });
    return new DockerPostgresCluster(network, nodes, owned !== undefined);
  } catch (error) {
    await owned?.[Symbol.asyncDispose]().catch(() => undefined);
    throw error;
  }
}

/**
 * The database image when the drill names none: the official one when it is here, else ours when it
 * is here (built by scripts/build-local-images.sh), else the official one, which is then pulled.
 */
export async function resolvePostgresImage(
  client: ContainerRuntimeClient,
  requested?: string,
): Promise<string> {
  if (requested !== undefined) return requested;
  if (await client.image.exists(ImageName.fromString(OFFICIAL_POSTGRES_IMAGE)))
    return OFFICIAL_POSTGRES_IMAGE;
  if (await client.image.exists(ImageName.fromString(LOCAL_POSTGRES_IMAGE))) return LOCAL_POSTGRES_IMAGE;
  return OFFICIAL_POSTGRES_IMAGE;
}

/** Polls pg_isready inside the container (over TCP, as peers would connect). */
export async function waitUntilReady(node: PostgresContainer, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  await waitUntil(
    async () => {
      const result = await node.container.exec(["pg_isready", "-q", "-h", "127.0.0.1", "-t", "1"], {
        user: "postgres",
      });
      return result.exitCode === 0;
    },
    {
      timeoutMs,
      intervalMs: READY_POLL_MS,
      describe: () => `${node.alias} did not accept connections within ${timeoutMs} ms`,
      error: (message) => new DockerPlatformError(message),
    },
  );
}

/** Injects an outage of `mode` on a region's database container and returns its heal. */
export function injectContainerOutage(
  cluster: DockerPostgresCluster,
  region: string,
  mode: ContainerOutageMode,
): Promise<ContainerOutage> {
  const node = cluster.node(region);
  return containerOutage(cluster, { id: node.id, aliases: [node.alias] }, mode, () => waitUntilReady(node));
}

/** Name of the proxy proxyDatabases puts in front of a region's database. */
export function databaseProxyName(region: string): string {
  return `db-${region}`;
}

/**
 * Puts one proxy in front of each region's database (named db-<region>, listening on
 * FIRST_PROXY_PORT + i inside the Toxiproxy container) and returns where apps reach each, ready for
 * startAppContainers' `database` option.
 */
export async function proxyDatabases(
  cluster: DockerPostgresCluster,
  toxiproxy: ToxiproxyContainer,
  control: ProxyControl,
): Promise<Map<string, DatabaseEndpoint>> {
  const endpoints = new Map<string, DatabaseEndpoint>();
  for (const [i, node] of cluster.nodes.entries()) {
    const port = FIRST_PROXY_PORT + i;
    await control.createProxy({
      name: databaseProxyName(node.region),
      listen: `0.0.0.0:${port}`,
      upstream: `${drillAlias(node.region)}:${POSTGRES_PORT}`,
    });
    const address: Address = toxiproxy.endpoint(port);
    endpoints.set(node.region, { ...address, url: postgresUrl(address) });
  }
  return endpoints;
}
