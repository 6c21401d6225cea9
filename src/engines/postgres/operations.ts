// The SQL side of a database node, written once for every platform: a subclass says how to reach the
// server (query) and which error its platform throws; how the server runs is its own business.
import type pg from "pg";
import type { ObservedRole } from "../../history/types.ts";
import { waitUntil } from "../../util/wait.ts";
import type { Address, DatabaseNode } from "../types.ts";
import {
  primaryConninfo,
  quoteConfValue,
  synchronousStandbyNames,
  type ReplicationSettings,
} from "./config.ts";
import type { QueryableNode, QueryOptions, RecoveryPositions } from "./node.ts";

const PROMOTE_WAIT_S = 30;

export abstract class PostgresSqlNode implements QueryableNode, DatabaseNode {
  abstract readonly running: boolean;
  abstract start(): Promise<void>;
  abstract stop(graceMs?: number): Promise<void>;
  abstract kill(): Promise<void>;

  abstract readonly name: string;

  /** See QueryableNode.standbyRegion. */
  standbyRegion?(applicationName: string): string;

  abstract query<T extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    opts?: QueryOptions,
  ): Promise<T[]>;

  /** The replication mode the node runs under; synchronous_standby_names follows it. */
  abstract readonly replication: ReplicationSettings;

  /** The platform's error (its name is what callers and tests match on). */
  protected abstract failure(message: string): Error;

  /** The server's recent log, to explain a failed promotion; undefined where there is none to read. */
  protected logTail(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  async isInRecovery(timeoutMs?: number): Promise<boolean> {
    const [row] = await this.query<{ recovery: boolean }>(
      "SELECT pg_is_in_recovery() AS recovery",
      [],
      timeoutMs === undefined ? {} : { timeoutMs },
    );
    return row?.recovery === true;
  }

  /** A standby is in recovery; a primary is not. */
  async role(timeoutMs?: number): Promise<ObservedRole> {
    return (await this.isInRecovery(timeoutMs)) ? "standby" : "primary";
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.query("SELECT 1", [], { timeoutMs });
  }

  /** Promotes a standby and waits (up to 30 s) until it accepts writes. */
  async promote(): Promise<void> {
    const [row] = await this.query<{ promoted: boolean }>(
      `SELECT pg_promote(true, ${PROMOTE_WAIT_S}) AS promoted`,
      [],
      { timeoutMs: (PROMOTE_WAIT_S + 5) * 1000 },
    );
    if (row?.promoted !== true) {
      const log = await this.logTail();
      throw this.failure(
        `${this.name}: promotion did not finish within ${PROMOTE_WAIT_S} s${log === undefined ? "" : `:\n${log}`}`,
      );
    }
  }

  /** Standby: stream from a new upstream (e.g. the promoted primary); takes effect on reload. */
  async setUpstream(upstream: Address): Promise<void> {
    // ALTER SYSTEM takes no bind parameters; the value is quoted as a literal.
    await this.query(
      `ALTER SYSTEM SET primary_conninfo = ${quoteConfValue(primaryConninfo(this.name, upstream))}`,
    );
    await this.query("SELECT pg_reload_conf()");
  }

  /**
   * Where a standby stands: the last WAL position received from its upstream and the last one
   * replayed. received is null when nothing was streamed since the server started (WAL restored
   * from its own pg_wal only); a primary reports inRecovery false and nulls.
   */
  async recoveryPositions(timeoutMs = 2000): Promise<RecoveryPositions> {
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
    if (row === undefined) throw this.failure(`${this.name}: no answer about recovery`);
    return { inRecovery: row.in_recovery, receivedLsn: row.received, replayedLsn: row.replayed };
  }

  /** On the primary: the tables the reference app and the controller's canary write to. */
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

  /** The controller's canary: one committed row proves the node takes writes. */
  async insertCanary(region: string): Promise<void> {
    await this.query("INSERT INTO canary (region) VALUES ($1)", [region]);
  }

  /** The WAL receiver's state and the host it streams from; undefined when it has none. */
  async walReceiver(): Promise<{ status: string; host: string } | undefined> {
    const [row] = await this.query<{ status: string; host: string }>(
      "SELECT status, sender_host AS host FROM pg_stat_wal_receiver",
    );
    return row;
  }

  async readWriteIds(): Promise<number[]> {
    const rows = await this.query<{ id: string }>("SELECT id FROM writes ORDER BY id");
    return rows.map((r) => Number(r.id));
  }

  /** Current WAL position: write position on a primary, replay position on a standby. */
  async walPosition(): Promise<string> {
    const [row] = await this.query<{ lsn: string | null }>(
      `SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn`,
    );
    if (row?.lsn == null) throw this.failure(`${this.name}: no WAL position yet`);
    return row.lsn;
  }

  /** application_names of standbys currently streaming from this node. */
  async replicationStreaming(): Promise<string[]> {
    const rows = await this.query<{ name: string }>(
      "SELECT application_name AS name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1",
    );
    return rows.map((r) => this.standbyRegion?.(r.name) ?? r.name);
  }

  /**
   * As primary: commits wait for `standbys` as the replication mode says (FIRST n / ANY k), or for
   * nobody when the list is empty or the mode is async. Returns the value set. Waits until new
   * connections see it, so a write issued afterwards is under the new rule.
   */
  async setSynchronousStandbys(standbys: string[]): Promise<string> {
    const value = synchronousStandbyNames(
      this.replication,
      standbys.filter((s) => s !== this.name),
    );
    await this.query(`ALTER SYSTEM SET synchronous_standby_names = ${quoteConfValue(value)}`);
    await this.query("SELECT pg_reload_conf()");
    // The reload is a signal to the postmaster; backends forked after it has been handled see it.
    await waitUntil(
      async () => {
        const [row] = await this.query<{ names: string }>(
          "SELECT current_setting('synchronous_standby_names') AS names",
        );
        return row?.names === value;
      },
      {
        timeoutMs: 5000,
        intervalMs: 20,
        retryErrors: false,
        describe: () => `${this.name}: synchronous_standby_names not reloaded within 5 s`,
        error: (message) => this.failure(message),
      },
    );
    return value;
  }

  async waitForStandbyStreaming(names: string[], timeoutMs: number): Promise<void> {
    let streaming: string[] = [];
    await waitUntil(
      async () => {
        streaming = await this.replicationStreaming();
        return names.every((n) => streaming.includes(n));
      },
      {
        timeoutMs,
        intervalMs: 50,
        describe: ({ error }) => {
          const missing = names.filter((n) => !streaming.includes(n));
          const lastError = error === undefined ? "" : ` (last error: ${(error as Error).message})`;
          return (
            `${this.name}: standbys ${missing.join(", ")} not streaming after ${timeoutMs} ms; ` +
            `streaming: [${streaming.join(", ")}]${lastError}`
          );
        },
        error: (message) => this.failure(message),
      },
    );
  }
}
