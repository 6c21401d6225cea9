// What the runner, the controller, the candidate chooser, the database monitor and the local topology
// use of a database node, whichever platform runs the server (a process: PostgresNode; a container:
// DockerDatabaseNode).
import type pg from "pg";

export interface QueryOptions {
  /** Server-side query timeout; each platform has its own default. */
  timeoutMs?: number;
}

/** A named PostgreSQL server that answers one query at a time: all the SQL operations need. */
export interface QueryableNode {
  /** The region's name; also the node's application_name as a standby. */
  readonly name: string;
  query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    opts?: QueryOptions,
  ): Promise<T[]>;
}

/** Where a standby stands in the WAL; a primary reports inRecovery false and nulls. */
export interface RecoveryPositions {
  inRecovery: boolean;
  /** Last position received from the upstream; null when nothing was streamed since start. */
  receivedLsn: string | null;
  replayedLsn: string | null;
}

export interface UpstreamAddress {
  host: string;
  port: number;
}

export interface DatabaseNode extends QueryableNode {
  /** Whether the server is up, as far as the node's own start/kill/stop know. */
  readonly running: boolean;
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: a crash or region power loss. */
  kill(): Promise<void>;
  /** Fast shutdown; SIGKILL after the grace period. */
  stop(graceMs?: number): Promise<void>;
  isInRecovery(): Promise<boolean>;
  /** Promotes a standby and waits until it accepts writes. */
  promote(): Promise<void>;
  /** Standby: stream from a new upstream; takes effect on reload. */
  setUpstream(upstream: UpstreamAddress): Promise<void>;
  /** Primary: commits wait for these standbys as the replication mode says. Returns the value set. */
  setSynchronousStandbys(standbys: string[]): Promise<string>;
  recoveryPositions(timeoutMs?: number): Promise<RecoveryPositions>;
  /** On the primary: the tables the reference app and the controller's canary write to. */
  createSchema(): Promise<void>;
  readWriteIds(): Promise<number[]>;
  /** Write position on a primary, replay position on a standby. */
  walPosition(): Promise<string>;
  /** application_names of standbys currently streaming from this node. */
  replicationStreaming(): Promise<string[]>;
  waitForStandbyStreaming(names: string[], timeoutMs: number): Promise<void>;
}
