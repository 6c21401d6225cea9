// What every PostgreSQL node offers beyond the engine-neutral DatabaseNode, whichever platform runs
// the server (a process: PostgresNode; a container: DockerDatabaseNode): one query at a time.
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
  /**
   * The region a standby's application_name stands for, where a failover manager names its standbys
   * its own way (pg_auto_failover: pgautofailover_standby_<node id>); absent: the name is the region.
   */
  standbyRegion?(applicationName: string): string;
}

/** Where a standby stands in the WAL; a primary reports inRecovery false and nulls. */
export interface RecoveryPositions {
  inRecovery: boolean;
  /** Last position received from the upstream; null when nothing was streamed since start. */
  receivedLsn: string | null;
  replayedLsn: string | null;
}
