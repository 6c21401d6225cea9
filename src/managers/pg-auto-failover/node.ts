// One region's pg_auto_failover node as a database node: a keeper (`pg_autoctl run`) that runs its
// PostgreSQL as a child and follows the monitor's state machine. start/stop/kill/pause act on the
// keeper and its PostgreSQL together (pg_autoctl keeps postgres as a descendant, so the supervisor's
// tree kill reaches it); the SQL the drill sends (roles, positions, the final read) goes straight to
// the PostgreSQL. Promotion, re-pointing and synchronous_standby_names are pg_auto_failover's.
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import type { Address, DatabaseSpec, ProcessDatabaseNode, ReplicationSettings } from "../../engines/types.ts";
import { PostgresSqlNode } from "../../engines/postgres/operations.ts";
import type { QueryOptions } from "../../engines/postgres/node.ts";
import type { ProcessSupervisor } from "../../platform/processes.ts";
import { logTail, runSupervised, Service } from "../../platform/service.ts";
import type { NodePlan } from "./plan.ts";
import { pgAutoctlEnv, type PgAutoctlHome, type PgAutoctlPrograms } from "./pg-autoctl.ts";
import { nodeConf, PG_HBA } from "./settings.ts";
import { queryOnce } from "./sql.ts";

export class PgAutoFailoverNodeError extends Error {
  override name = "PgAutoFailoverNodeError";
}

/** A standby's create clones the primary (pg_basebackup) through its replication proxy. */
const CREATE_TIMEOUT_MS = 180_000;
/** A start may include a pg_rewind or a base backup before PostgreSQL accepts connections. */
const START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

export interface NodeOptions {
  plan: NodePlan;
  replication: ReplicationSettings;
  supervisor: ProcessSupervisor;
  programs: PgAutoctlPrograms;
  home: PgAutoctlHome;
  socketDir: string;
  monitorUri: string;
  /** Where the drill reaches the monitor (directly, not through a keeper's proxy). */
  monitor: Address;
  /** pg_auto_failover's application_name of each standby -> its region (shared by every node). */
  standbyRegions: ReadonlyMap<string, string>;
}

export class PgAutoFailoverNode extends PostgresSqlNode implements ProcessDatabaseNode {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly replication: ReplicationSettings;
  readonly keeper: Service;
  readonly monitorAddress: Address;

  constructor(private readonly o: NodeOptions) {
    super();
    this.monitorAddress = o.monitor;
    this.name = o.plan.region;
    this.host = o.plan.address;
    this.port = o.plan.port;
    this.replication = o.replication;
    this.keeper = new Service(o.supervisor, {
      name: `pg_autoctl:${this.name}`,
      command: o.programs.pgAutoctl,
      args: ["run", "--pgdata", o.home.pgdata],
      cwd: o.home.dir,
      env: this.env,
      logFile: o.home.logFile,
      ready: () =>
        this.ping(1000).then(
          () => true,
          () => false,
        ),
      readyTimeoutMs: START_TIMEOUT_MS,
    });
  }

  private get env(): NodeJS.ProcessEnv {
    return pgAutoctlEnv(this.o.programs, this.o.home, { socketDir: this.o.socketDir, hostaddr: this.host });
  }

  get running(): boolean {
    return this.keeper.running;
  }

  get pid(): number | undefined {
    return this.keeper.pid;
  }

  get paused(): boolean {
    return this.keeper.paused;
  }

  /**
   * The primary's data directory, initialised by us (not yet running): our settings and pg_hba.conf,
   * which every standby then copies through pg_basebackup.
   */
  async configurePrimary(database: DatabaseSpec): Promise<void> {
    const { pgdata } = this.o.home;
    await appendFile(path.join(pgdata, "postgresql.conf"), nodeConf(database, this.o.socketDir));
    await writeFile(path.join(pgdata, "pg_hba.conf"), PG_HBA);
  }

  /**
   * `pg_autoctl create postgres`: registers the node with the monitor (the first one with an
   * initialised data directory becomes the primary; the others clone it) and stops it again.
   */
  async create(o: { replicationQuorum: boolean }): Promise<void> {
    const { home, programs } = this.o;
    await runSupervised(this.o.supervisor, {
      name: `pg_autoctl:create-${this.name}`,
      command: programs.pgAutoctl,
      args: [
        "create",
        "postgres",
        "--pgdata",
        home.pgdata,
        "--pgctl",
        path.join(programs.binDir, "pg_ctl"),
        "--pgport",
        String(this.port),
        "--listen",
        this.host,
        "--hostname",
        this.host,
        "--name",
        this.name,
        "--monitor",
        this.o.monitorUri,
        "--username",
        "postgres",
        "--dbname",
        "postgres",
        "--replication-quorum",
        String(o.replicationQuorum),
        "--no-ssl",
        "--skip-pg-hba",
      ],
      cwd: home.dir,
      env: this.env,
      logFile: home.logFile,
      timeoutMs: CREATE_TIMEOUT_MS,
    });
  }

  /** Starts the keeper and waits until its PostgreSQL accepts connections. */
  async start(): Promise<void> {
    if (this.running) throw new PgAutoFailoverNodeError(`${this.name}: already running`);
    await this.keeper.start();
  }

  /** SIGKILL to the keeper, its PostgreSQL and everything else it started: power loss. */
  async kill(): Promise<void> {
    await this.keeper.kill();
  }

  /** pg_autoctl's own shutdown (SIGTERM: it stops PostgreSQL, fast); SIGKILL after the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    await this.keeper.stop(graceMs);
  }

  /** Freezes the keeper and PostgreSQL (SIGSTOP to the whole tree). */
  async pause(): Promise<void> {
    if (!this.running) throw new PgAutoFailoverNodeError(`${this.name}: not running`);
    await this.keeper.pause();
  }

  async resume(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (!this.running) throw new PgAutoFailoverNodeError(`${this.name}: not running`);
    this.keeper.resume();
    await this.keeper.waitReady(timeoutMs);
  }

  override standbyRegion(applicationName: string): string {
    return this.o.standbyRegions.get(applicationName) ?? applicationName;
  }

  override promote(): Promise<void> {
    return Promise.reject(
      new PgAutoFailoverNodeError(`${this.name}: pg_auto_failover promotes, not the drill`),
    );
  }

  override setUpstream(): Promise<void> {
    return Promise.reject(
      new PgAutoFailoverNodeError(`${this.name}: pg_auto_failover points its standbys, not the drill`),
    );
  }

  override setSynchronousStandbys(): Promise<string> {
    return Promise.reject(
      new PgAutoFailoverNodeError(`${this.name}: pg_auto_failover sets synchronous_standby_names`),
    );
  }

  override query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    opts: QueryOptions = {},
  ): Promise<T[]> {
    return queryOnce<T>(this, "postgres", sql, params, opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
  }

  protected override failure(message: string): Error {
    return new PgAutoFailoverNodeError(message);
  }

  protected override logTail(): Promise<string | undefined> {
    return logTail(this.o.home.logFile);
  }
}
