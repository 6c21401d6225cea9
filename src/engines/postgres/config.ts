// postgresql.conf / pg_hba.conf content for drill nodes. Pure functions, so the exact configuration a
// drill runs with is easy to read and test.
import type { ReplicationSettings } from "../types.ts";

export type { ReplicationSettings };

export class PostgresConfigError extends Error {
  override name = "PostgresConfigError";
}

/** A postgresql.conf value: always single-quoted, quotes doubled. */
export function quoteConfValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new PostgresConfigError(`configuration value must be one line: ${value}`);
  return `'${value.replaceAll("'", "''")}'`;
}

/** A libpq key=value connection string; values with spaces or quotes are quoted. */
export function conninfo(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([key, raw]) => {
      const value = String(raw);
      const plain = value !== "" && !/[\s'\\]/.test(value);
      return `${key}=${plain ? value : `'${value.replace(/(['\\])/g, "\\$1")}'`}`;
    })
    .join(" ");
}

export const ASYNC_REPLICATION: ReplicationSettings = {
  replication: "async",
  synchronousCommit: "on",
  syncStandbys: 1,
};

/** A standby name inside synchronous_standby_names: double-quoted, since region names have hyphens. */
function quoteStandbyName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * synchronous_standby_names for a primary whose standbys (application_name = region name) are
 * `standbys`: '' for async; FIRST n (...) for sync; ANY k (...) for semi-sync. n and k are capped
 * at the number of standbys: asking for more than exist would make every commit wait forever, which
 * is what an HA manager avoids after losing a standby (Patroni lowers the count the same way).
 * '' when there is no standby at all, for the same reason.
 */
export function synchronousStandbyNames(replication: ReplicationSettings, standbys: string[]): string {
  if (replication.replication === "async" || standbys.length === 0) return "";
  const count = Math.max(1, Math.min(replication.syncStandbys, standbys.length));
  const method = replication.replication === "sync" ? "FIRST" : "ANY";
  return `${method} ${count} (${standbys.map(quoteStandbyName).join(", ")})`;
}

/** synchronous_commit for the mode: the drill's choice when commits wait for standbys, else on. */
export function synchronousCommit(replication: ReplicationSettings): string {
  return replication.replication === "async" ? "on" : replication.synchronousCommit;
}

export interface NodeConfigInput {
  name: string;
  host: string;
  port: number;
  /** Standbys only: where to stream from. */
  upstream?: { host: string; port: number };
  /** Replication mode; async when omitted. */
  replication?: ReplicationSettings;
  /**
   * Nodes that may stream from this one once it is primary (every other node). Standbys get the
   * primary's settings too, so whichever is promoted enforces the mode for the others.
   */
  peers?: string[];
  /** Drill `database.settings`, applied last so they win. */
  settings: Record<string, string>;
}

/**
 * Replication timing every drill node runs with, whatever starts it: short, so a dead peer is noticed
 * and a cut connection retried within a drill's time scale, not after a minute.
 */
export const DRILL_REPLICATION_TIMING: Readonly<Record<string, string>> = {
  wal_receiver_timeout: "5s",
  wal_sender_timeout: "5s",
  // Also how soon a failed logical replication apply worker is started again.
  wal_retrieve_retry_interval: "200ms",
  wal_receiver_status_interval: "1s",
};

export function primaryConninfo(name: string, upstream: { host: string; port: number }): string {
  return conninfo({ host: upstream.host, port: upstream.port, user: "postgres", application_name: name });
}

/** The block appended to a node's postgresql.conf; later lines override initdb's defaults. */
export function nodeConfig(node: NodeConfigInput): string {
  const settings: [string, string][] = [
    ["cluster_name", node.name],
    ["listen_addresses", node.host],
    ["port", String(node.port)],
    // TCP only: no socket files, so no path-length limits and nothing outside the data dir.
    ["unix_socket_directories", ""],
    ["max_connections", "100"],
    ["shared_buffers", "32MB"],
    // Dynamic shared memory in the data directory, not /dev/shm/PostgreSQL.*, which a SIGKILLed
    // server would leave behind outside the workspace.
    ["dynamic_shared_memory_type", "mmap"],
    ["wal_level", "replica"],
    ["max_wal_senders", "10"],
    ["max_replication_slots", "10"],
    // Without slots, this lets a standby that was cut off for a while catch up from the primary.
    ["wal_keep_size", "256MB"],
    // Lets pg_rewind re-attach a failed primary as a standby of the new one.
    ["wal_log_hints", "on"],
    ["hot_standby", "on"],
    // Fresh replay positions in pg_stat_replication for lag measurement, dead peers noticed fast.
    ...Object.entries(DRILL_REPLICATION_TIMING),
    // A drill kills processes, not the kernel: the page cache survives a SIGKILL, so fsync would only
    // cost throughput. Crash recovery still runs and is still exercised.
    ["fsync", "off"],
    ["synchronous_commit", synchronousCommit(node.replication ?? ASYNC_REPLICATION)],
    [
      "synchronous_standby_names",
      synchronousStandbyNames(
        node.replication ?? ASYNC_REPLICATION,
        (node.peers ?? []).filter((p) => p !== node.name),
      ),
    ],
    // The supervisor sends stderr to <node>/postgres.log.
    ["logging_collector", "off"],
    ["log_destination", "stderr"],
    ["log_line_prefix", "%m [%p] %q%a "],
  ];
  if (node.upstream !== undefined)
    settings.push(["primary_conninfo", primaryConninfo(node.name, node.upstream)]);
  for (const [key, value] of Object.entries(node.settings)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(key)) throw new PostgresConfigError(`invalid setting name: ${key}`);
    settings.push([key, value]);
  }
  const lines = settings.map(([key, value]) => `${key} = ${quoteConfValue(value)}`);
  return `\n# --- failover-drill: node ${node.name} ---\n${lines.join("\n")}\n`;
}

/** Trust for loopback only: drills run on 127/8 and every client is ours. */
export const HBA_CONF = `# failover-drill: loopback only, no passwords
host all all 127.0.0.0/8 trust
host replication all 127.0.0.0/8 trust
`;
