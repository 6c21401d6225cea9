// A PostgreSQL server the drill did not start (platform external: a team's staging), reached through
// the connection string the drill file gives. The drill reads through it (roles, positions, the final
// read) and proves a promoted node writable, but never starts, stops or reconfigures it: that is the
// team's stack's business, and nothing of theirs may change because a drill ran.
import pg from "pg";
import type { Address } from "../types.ts";
import { ASYNC_REPLICATION, type ReplicationSettings } from "./config.ts";
import { PostgresSqlNode } from "./operations.ts";

const CONNECT_TIMEOUT_MS = 2000;
const DEFAULT_QUERY_TIMEOUT_MS = 5000;

export class ConnectedNodeError extends Error {
  override name = "ConnectedNodeError";
}

export class ConnectedPostgresNode extends PostgresSqlNode {
  readonly replication: ReplicationSettings = ASYNC_REPLICATION;

  constructor(
    readonly name: string,
    private readonly connectionString: string,
  ) {
    super();
  }

  /** Always worth asking: whether the server answers is for its queries to find out. */
  get running(): boolean {
    return true;
  }

  private refuse(what: string): Promise<never> {
    return Promise.reject(
      new ConnectedNodeError(`${this.name}: the drill does not ${what} a database it did not start`),
    );
  }

  start(): Promise<void> {
    return this.refuse("start");
  }

  stop(): Promise<void> {
    return this.refuse("stop");
  }

  kill(): Promise<void> {
    return this.refuse("kill");
  }

  override promote(): Promise<void> {
    return this.refuse("promote");
  }

  override setUpstream(_upstream: Address): Promise<void> {
    return this.refuse("re-point");
  }

  override setSynchronousStandbys(_standbys: string[]): Promise<string> {
    return this.refuse("reconfigure");
  }

  /**
   * The canary without a table: assigning a transaction id is a write (a standby refuses it) whose
   * commit record is flushed, and waited for by synchronous standbys, like any commit; no row stays.
   */
  override async insertCanary(_region: string): Promise<void> {
    await this.query("SELECT txid_current()");
  }

  /** One query on a short-lived connection, so a server that went away costs one failed query. */
  override async query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    opts: { timeoutMs?: number } = {},
  ): Promise<T[]> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      application_name: "failover-drill",
    });
    // A server dying under the client emits 'error'; the failing query reports it to the caller.
    client.on("error", () => {});
    try {
      await client.connect();
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  protected override failure(message: string): Error {
    return new ConnectedNodeError(message);
  }
}
