// The docker platform: each region's PostgreSQL runs in its own container, started through
// testcontainers, on a per-drill Docker network where containers find each other by alias
// (db-<region>). The image is plain Debian with postgresql-15 (scripts/build-local-images.sh), so we
// drive initdb / pg_basebackup / pg_ctl ourselves instead of relying on an official image's
// entrypoint. Cleanup never depends on Ryuk: the cluster's disposer removes every container and the
// network, and an exit hook does it synchronously through the docker CLI if the process exits first.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type Dockerode from "dockerode";
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  PullPolicy,
  Wait,
  type BoundPorts,
  type ContainerRuntimeClient,
  type StartedTestContainer,
  type WaitStrategy,
} from "testcontainers";
import { httpAnswers } from "./http-probe.ts";

/** The official image, used where it is present (or can be pulled). */
export const OFFICIAL_POSTGRES_IMAGE = "postgres:17";
/** Plain Debian + postgresql-15, built here by scripts/build-local-images.sh (no registry needed). */
export const LOCAL_POSTGRES_IMAGE = "failover-drill/postgres:15-bookworm";
/** Label on every container and network of a drill; its value is the drill's id. */
export const DRILL_LABEL = "failover-drill.drill";
export const POSTGRES_PORT = 5432;
const PGDATA = "/var/lib/postgresql/data";
const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;

export class DockerPlatformError extends Error {
  override name = "DockerPlatformError";
}

export interface DockerPostgresOptions {
  /** Region names; the first is the primary, the rest stream from it. */
  regions: string[];
  /** Names the network and containers and labels them; random when omitted. */
  drillId?: string;
  image?: string;
  /** Extra `-c name=value` settings for every server. */
  settings?: Record<string, string>;
  startupTimeoutMs?: number;
}

export type PostgresRole = "primary" | "standby";

/**
 * A GenericContainer that joins the drill network at creation (so it is on no other network and a
 * disconnect really isolates it) and publishes its ports on loopback only: 127.0.0.1 unless
 * `withHostIp` names another loopback address for a port (a region's own address).
 */
export class DrillContainer extends GenericContainer {
  private readonly hostIps = new Map<string, string>();

  constructor(
    image: string,
    private readonly networkName: string,
    private readonly aliases: string[],
    /** `docker import` images cannot carry STOPSIGNAL, so each container says it. */
    private readonly stopSignal: NodeJS.Signals,
  ) {
    super(image);
    this.withNetworkMode(networkName);
  }

  /** Publishes `containerPort` (also given to withExposedPorts) on `hostIp` instead of 127.0.0.1. */
  withHostIp(containerPort: number, hostIp: string): this {
    this.hostIps.set(`${containerPort}/tcp`, hostIp);
    return this;
  }

  protected override async beforeContainerCreated(): Promise<void> {
    this.createOpts.StopSignal = this.stopSignal;
    this.createOpts.NetworkingConfig = {
      EndpointsConfig: { [this.networkName]: { Aliases: this.aliases } },
    };
    const portBindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
    for (const [port, bindings] of Object.entries(portBindings)) {
      for (const binding of bindings) binding.HostIp = this.hostIps.get(port) ?? "127.0.0.1";
    }
  }
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
    return `postgres://postgres@127.0.0.1:${await this.hostPort()}/${database}`;
  }

  /** A connection string for containers on the drill network (apps, proxies). */
  networkUrl(database = "postgres"): string {
    return `postgres://postgres@${this.alias}:${POSTGRES_PORT}/${database}`;
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

/** Every container and the network of one drill; disposing removes them all. */
export class DockerPostgresCluster implements AsyncDisposable {
  private disposed = false;

  constructor(
    readonly drillId: string,
    readonly networkName: string,
    readonly nodes: PostgresContainer[],
    private readonly client: ContainerRuntimeClient,
    private readonly forgetExitHook: () => void,
  ) {}

  node(region: string): PostgresContainer {
    const node = this.nodes.find((n) => n.region === region);
    if (node === undefined) throw new DockerPlatformError(`no database container for region ${region}`);
    return node;
  }

  /** The Docker API client, for faults testcontainers has no verb for (kill, pause, disconnect). */
  get dockerode(): ContainerRuntimeClient["container"]["dockerode"] {
    return this.client.container.dockerode;
  }

  get primary(): PostgresContainer {
    return this.nodes[0]!;
  }

  /** The container runtime the cluster was started with (apps and proxies join through it). */
  get runtime(): ContainerRuntimeClient {
    return this.client;
  }

  /**
   * A container on this drill's network under `alias`, labelled with the drill id so that the
   * cluster's disposer (and the exit hook) removes it with the rest.
   */
  container(image: string, alias: string, stopSignal: NodeJS.Signals = "SIGTERM"): DrillContainer {
    return new DrillContainer(image, this.networkName, [alias], stopSignal)
      .withName(`${this.networkName}-${alias}`)
      .withLabels({ [DRILL_LABEL]: this.drillId });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await removeDrillResources(this.client, this.drillId);
    this.forgetExitHook();
  }
}

/** Removes every container (with its volumes) and network labelled with the drill id. */
async function removeDrillResources(client: ContainerRuntimeClient, drillId: string): Promise<void> {
  const filters = JSON.stringify({ label: [`${DRILL_LABEL}=${drillId}`] });
  const docker = client.container.dockerode;
  const errors: unknown[] = [];
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map(async (c) => {
      // A paused container cannot be removed until it is thawed (even with force on some engines).
      if (c.State === "paused")
        await docker
          .getContainer(c.Id)
          .unpause()
          .catch(() => undefined);
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((error: unknown) => errors.push(error));
    }),
  );
  for (const n of await docker.listNetworks({ filters })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch((error: unknown) => errors.push(error));
  }
  if (errors.length > 0) throw new AggregateError(errors, `cleanup of drill ${drillId} failed`);
}

/** Drills whose resources the exit hook removes if the process exits before they were disposed. */
const liveDrills = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const drillId of liveDrills) removeDrillResourcesNow(drillId);
  });
}

/** Synchronous last resort for process exit (mocha --exit, process.exit after a signal). */
export function removeDrillResourcesNow(drillId: string): void {
  const filter = `label=${DRILL_LABEL}=${drillId}`;
  const ids = spawnSync("docker", ["ps", "-aq", "--filter", filter], { encoding: "utf8" }).stdout?.trim();
  if (ids) {
    const list = ids.split(/\s+/);
    spawnSync("docker", ["unpause", ...list], { stdio: "ignore" });
    spawnSync("docker", ["rm", "-f", "-v", ...list], { stdio: "ignore" });
  }
  const networks = spawnSync("docker", ["network", "ls", "-q", "--filter", filter], {
    encoding: "utf8",
  }).stdout?.trim();
  if (networks) spawnSync("docker", ["network", "rm", ...networks.split(/\s+/)], { stdio: "ignore" });
}

function serverArgs(settings: Record<string, string>): string {
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
 * exec'd so it is PID 1 and receives docker's signals itself.
 */
function postgresCommand(role: PostgresRole, region: string, primaryAlias: string, args: string): string[] {
  const init =
    role === "primary"
      ? `initdb -D ${PGDATA} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null && ` +
        `printf 'host all all all trust\\nhost replication all all trust\\n' >> ${PGDATA}/pg_hba.conf`
      : // -R writes standby.signal and primary_conninfo; application_name names it for sync replication.
        `pg_basebackup -D ${PGDATA} -X stream -R -c fast ` +
        `-d ${shellQuote(`host=${primaryAlias} user=postgres application_name=${region}`)}`;
  return [
    "sh",
    "-c",
    `set -e; [ -s ${PGDATA}/PG_VERSION ] || { ${init}; }; exec postgres -D ${PGDATA} ${args}`,
  ];
}

export function drillAlias(region: string): string {
  return `db-${region}`;
}

/**
 * Starts a primary in regions[0] and a streaming standby in every other region, each in its own
 * container on a new network. On failure everything already started is removed before rethrowing.
 */
export async function startPostgresContainers(
  options: DockerPostgresOptions,
): Promise<DockerPostgresCluster> {
  const [primaryRegion, ...standbyRegions] = options.regions;
  if (primaryRegion === undefined) throw new DockerPlatformError("at least one region is needed");
  const drillId = options.drillId ?? randomBytes(4).toString("hex");
  // It becomes part of docker network and container names.
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(drillId)) {
    throw new DockerPlatformError(`drill id ${JSON.stringify(drillId)} is not usable in docker names`);
  }
  const timeout = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const args = serverArgs(options.settings ?? {});
  const labels = { [DRILL_LABEL]: drillId };
  const networkName = `failover-drill-${drillId}`;
  const primaryAlias = drillAlias(primaryRegion);

  // Our disposer and exit hook remove everything, so Ryuk is not needed, and its image cannot be
  // pulled where no registry is reachable. TESTCONTAINERS_RYUK_DISABLED=false turns it back on (it
  // also reaps after a kill -9 of the drill).
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const client = await getContainerRuntimeClient();
  const image = await resolvePostgresImage(client, options.image);
  installExitHook();
  liveDrills.add(drillId);
  const forget = (): void => {
    liveDrills.delete(drillId);
  };
  // Never pulled when present (the default pull policy); when absent a pull is tried, and its
  // failure is explained in terms of what to run here.
  const imagePresent = await client.image.exists(ImageName.fromString(image));
  try {
    await client.network.create({
      Name: networkName,
      Driver: "bridge",
      Labels: labels,
      CheckDuplicate: true,
    });
    const start = async (region: string, role: PostgresRole): Promise<PostgresContainer> => {
      const alias = drillAlias(region);
      const container = await new DrillContainer(image, networkName, [alias], "SIGINT") // PostgreSQL's fast shutdown
        .withName(`${networkName}-${alias}`)
        .withLabels(labels)
        .withEnvironment({ PGHOST: "/tmp" })
        // The official image starts as root and its entrypoint execs a command it does not know
        // (ours) as is; initdb and postgres refuse to run as root.
        .withUser("postgres")
        .withPullPolicy(PullPolicy.defaultPolicy())
        .withExposedPorts(POSTGRES_PORT)
        .withCommand(postgresCommand(role, region, primaryAlias, args))
        // The primary says "ready to accept connections"; a hot standby "... read-only connections".
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept (read-only )?connections/))
        .withStartupTimeout(timeout)
        .start();
      return new PostgresContainer(region, role, alias, container, client);
    };
    const primary = await start(primaryRegion, "primary");
    // Standbys clone the primary, so they can only start once it is up; then all at once.
    const standbys = await Promise.all(standbyRegions.map((region) => start(region, "standby")));
    return new DockerPostgresCluster(drillId, networkName, [primary, ...standbys], client, forget);
  } catch (error) {
    await removeDrillResources(client, drillId).catch(() => undefined);
    forget();
    if (!imagePresent) {
      throw new DockerPlatformError(
        `image ${image} is not present and could not be pulled; build it with scripts/build-local-images.sh`,
        { cause: error },
      );
    }
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

/**
 * Runs `start`; when it fails and `image` was not present beforehand (so a pull was tried, which
 * fails without a registry), the error says how to build the image here instead.
 */
export async function withImageHint<T>(
  client: ContainerRuntimeClient,
  image: string,
  start: () => Promise<T>,
): Promise<T> {
  const imagePresent = await client.image.exists(ImageName.fromString(image));
  try {
    return await start();
  } catch (error) {
    if (imagePresent) throw error;
    throw new DockerPlatformError(
      `image ${image} is not present and could not be pulled; build it with scripts/build-local-images.sh`,
      { cause: error },
    );
  }
}

/**
 * Waits until an HTTP GET of `path` on the container's published `port` gets any answer. Unlike
 * testcontainers' HTTP wait it asks 127.0.0.1, where drill containers publish: testcontainers
 * resolves the docker host to the bridge gateway (172.17.0.1) when it runs inside a container
 * itself, and loopback-only ports are not reachable there. It fails fast if the container exits.
 */
export class LoopbackHttpWaitStrategy implements WaitStrategy {
  private startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;
  private timeoutSet = false;

  constructor(
    private readonly path: string,
    private readonly port: number,
  ) {}

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }

  async waitUntilReady(container: Dockerode.Container, boundPorts: BoundPorts): Promise<void> {
    const url = `http://127.0.0.1:${boundPorts.getBinding(this.port)}${this.path}`;
    const deadline = performance.now() + this.startupTimeoutMs;
    for (;;) {
      if (await httpAnswers(url, 1000)) return;
      const state = (await container.inspect()).State;
      if (!state.Running) {
        throw new DockerPlatformError(`container exited with code ${state.ExitCode} before ${url} answered`);
      }
      if (performance.now() > deadline) {
        throw new DockerPlatformError(`${url} did not answer within ${this.startupTimeoutMs} ms`);
      }
      await delay(100);
    }
  }
}
