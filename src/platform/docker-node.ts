// A region's database container seen through the same methods as the process platform's
// PostgresNode (src/engines/postgres/cluster.ts), so the runner, the controller and the checkers
// can drive either. This is the first half of the DatabaseNode interface the runner needs for
// `platform: docker`; the type check at the bottom keeps the two in step.
import pg from "pg";
import type { PostgresNode } from "../engines/postgres/cluster.ts";
import { primaryConninfo, quoteConfValue } from "../engines/postgres/config.ts";
import { waitUntilReady } from "./docker-faults.ts";
import { DockerPlatformError, type DockerPostgresCluster, type PostgresContainer } from "./docker.ts";

const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_QUERY_TIMEOUT_MS = 5000;
const STOP_GRACE_MS = 10_000;

/** What the runner, controller and checkers use of a database node today. */
export type DatabaseNodeSurface = Pick<
  PostgresNode,
  | "name"
  | "running"
  | "start"
  | "kill"
  | "stop"
  | "query"
  | "isInRecovery"
  | "promote"
  | "setUpstream"
  | "recoveryPositions"
  | "createSchema"
  | "readWriteIds"
  | "walPosition"
  | "replicationStreaming"
>;

export class DockerDatabaseNode implements DatabaseNodeSurface {
  private up = true;
  /** The published host port; docker picks a new one each time the container starts. */
  private port: number | undefined;

  constructor(
    readonly postgres: PostgresContainer,
    private readonly cluster: DockerPostgresCluster,
  ) {}

  /** The region name, which is also the node's application_name as a standby. */
  get name(): string {
    return this.postgres.region;
  }

  /** Whether the server process is alive, as far as this node's own kill/stop/start know. */
  get running(): boolean {
    return this.up;
  }

  private get docker(): ReturnType<DockerPostgresCluster["dockerode"]["getContainer"]> {
    return this.cluster.dockerode.getContainer(this.postgres.id);
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
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
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

  async isInRecovery(): Promise<boolean> {
    const [row] = await this.query<{ recovery: boolean }>("SELECT pg_is_in_recovery() AS recovery");
    return row?.recovery === true;
  }

  /** Promotes a standby and waits (up to 30 s) until it accepts writes. */
  async promote(): Promise<void> {
    const [row] = await this.query<{ promoted: boolean }>("SELECT pg_promote(true, 30) AS promoted", [], {
      timeoutMs: 35_000,
    });
    if (row?.promoted !== true)
      throw new DockerPlatformError(`${this.name}: promotion did not finish in 30 s`);
    this.postgres.role = "primary";
  }

  /** Standby: stream from `upstream` as containers address it (an alias or the proxy), on reload. */
  async setUpstream(upstream: { host: string; port: number }): Promise<void> {
    await this.query(
      `ALTER SYSTEM SET primary_conninfo = ${quoteConfValue(primaryConninfo(this.name, upstream))}`,
    );
    await this.query("SELECT pg_reload_conf()");
  }

  async recoveryPositions(
    timeoutMs = 2000,
  ): Promise<{ inRecovery: boolean; receivedLsn: string | null; replayedLsn: string | null }> {
    const [row] = await this.query<{
      in_recovery: boolean;
      received: string | null;
      replayed: string | null;
    }>(
      `SELECT pg_is_in_recovery() AS in_recovery,
              pg_last_wal_receive_lsn()::text AS received,
              pg_last_wal_replay_lsn()::text AS replayed`,
      [],
      { timeoutMs },
    );
    if (row === undefined) throw new DockerPlatformError(`${this.name}: no answer about recovery`);
    return { inRecovery: row.in_recovery, receivedLsn: row.received, replayedLsn: row.replayed };
  }

  /** The tables the reference app and the controller's canary write to (as PostgresNode's). */
  async createSchema(): Promise<void> {
    await this.query(
      `CREATE TABLE IF NOT EXISTS writes (
         id bigint PRIMARY KEY,
         region text NOT NULL,
         at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await this.query(
      `CREATE TABLE IF NOT EXISTS canary (
         id bigserial PRIMARY KEY,
         region text,
         at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
  }

  async readWriteIds(): Promise<number[]> {
    const rows = await this.query<{ id: string }>("SELECT id FROM writes ORDER BY id");
    return rows.map((r) => Number(r.id));
  }

  async walPosition(): Promise<string> {
    const [row] = await this.query<{ lsn: string | null }>(
      `SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn`,
    );
    if (row?.lsn == null) throw new DockerPlatformError(`${this.name}: no WAL position yet`);
    return row.lsn;
  }

  /** application_names of standbys currently streaming from this node. */
  async replicationStreaming(): Promise<string[]> {
    const rows = await this.query<{ name: string }>(
      "SELECT application_name AS name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1",
    );
    return rows.map((r) => r.name);
  }
}

/** One node per region of the cluster, in the cluster's order (the primary first). */
export function databaseNodes(cluster: DockerPostgresCluster): DockerDatabaseNode[] {
  return cluster.nodes.map((postgres) => new DockerDatabaseNode(postgres, cluster));
}
