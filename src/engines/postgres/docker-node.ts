// A region's database container seen through the same methods as the process platform's
// PostgresNode (cluster.ts), so the runner, the controller and the checkers can drive either. The
// SQL operations are PostgresSqlNode's, shared with PostgresNode; this class only says how to reach
// and run the server.
import pg from "pg";
import { DockerPlatformError, type DrillNetwork } from "../../platform/docker.ts";
import type { ContainerDatabaseNode } from "../types.ts";
import { ASYNC_REPLICATION, type ReplicationSettings } from "./config.ts";
import { waitUntilReady, type DockerPostgresCluster, type PostgresContainer } from "./containers.ts";
import { PostgresSqlNode } from "./operations.ts";

const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_QUERY_TIMEOUT_MS = 5000;
const STOP_GRACE_MS = 10_000;

export class DockerDatabaseNode extends PostgresSqlNode implements ContainerDatabaseNode {
  private up = true;
  /** The published host port; docker picks a new one each time the container starts. */
  private port: number | undefined;

  constructor(
    readonly postgres: PostgresContainer,
    private readonly network: DrillNetwork,
    readonly replication: ReplicationSettings = ASYNC_REPLICATION,
  ) {
    super();
  }

  /** The region name, which is also the node's application_name as a standby. */
  get name(): string {
    return this.postgres.region;
  }

  get containerId(): string {
    return this.postgres.id;
  }

  get alias(): string {
    return this.postgres.alias;
  }

  /** The published host port, re-read from docker. */
  hostPort(): Promise<number> {
    return this.postgres.hostPort();
  }

  /** Whether the server process is alive, as far as this node's own kill/stop/start know. */
  get running(): boolean {
    return this.up;
  }

  private get docker(): ReturnType<DrillNetwork["dockerode"]["getContainer"]> {
    return this.network.dockerode.getContainer(this.postgres.id);
  }

  /** Starts the stopped or killed container and waits until the server accepts connections. */
  async start(): Promise<void> {
    if (this.up) throw new DockerPlatformError(`${this.name}: already running`);
    await this.docker.start();
    this.port = undefined;
    this.up = true;
    await waitUntilReady(this.postgres);
  }

  /** SIGKILL to postgres (PID 1): a crash or region power loss. */
  async kill(): Promise<void> {
    if (!this.up) return;
    this.up = false;
    await this.docker.kill({ signal: "SIGKILL" });
    await this.docker.wait();
  }

  /** Fast shutdown (the container's stop signal is SIGINT); SIGKILL after the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.up) return;
    this.up = false;
    await this.docker.stop({ t: Math.ceil(graceMs / 1000) });
  }

  /** One query on a short-lived connection through the published port. */
  override async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    opts: { timeoutMs?: number } = {},
  ): Promise<T[]> {
    this.port ??= await this.postgres.hostPort();
    const client = new pg.Client({
      host: "127.0.0.1",
      port: this.port,
      user: "postgres",
      database: "postgres",
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      application_name: "failover-drill",
    });
    // A server dying under the client emits 'error'; the failing query reports it to the caller.
    client.on("error", () => {});
    try {
      await client.connect();
    } catch (error) {
      // The port may have changed under us (a restart or reconnect outside this node): re-read it.
      this.port = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Promotes a standby and waits (up to 30 s) until it accepts writes; the container learns its role. */
  override async promote(): Promise<void> {
    await super.promote();
    this.postgres.role = "primary";
  }

  protected override failure(message: string): Error {
    return new DockerPlatformError(message);
  }
}

/** One node per region of the cluster, in the cluster's order (the primary first). */
export function databaseNodes(
  cluster: DockerPostgresCluster,
  replication: ReplicationSettings = ASYNC_REPLICATION,
): DockerDatabaseNode[] {
  return cluster.nodes.map((postgres) => new DockerDatabaseNode(postgres, cluster, replication));
}
