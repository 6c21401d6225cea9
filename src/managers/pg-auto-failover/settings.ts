// The configuration a pg_auto_failover drill runs with, as pure functions: the monitor's GUCs from
// controller.pgAutoFailover, what every node's postgresql.conf gets on top of pg_auto_failover's own
// settings, pg_hba.conf, and how the drill's replication modes map onto pg_auto_failover's.
import type { PgAutoFailoverSpec } from "../../drill/format/pg-auto-failover.ts";
import type { DatabaseSpec } from "../../engines/types.ts";
import { quoteConfValue } from "../../engines/postgres/config.ts";

/**
 * Connections between 127.0.x.1 addresses, and every connection a proxy makes, arrive from loopback
 * addresses; everything is ours. pg_autoctl runs with --skip-pg-hba, so this file is the whole rule.
 */
export const PG_HBA = [
  "local all all trust",
  "host all all 127.0.0.0/8 trust",
  "local replication all trust",
  "host replication all 127.0.0.0/8 trust",
  "",
].join("\n");

function lines(settings: ReadonlyArray<[string, string]>): string {
  return settings.map(([name, value]) => `${name} = ${quoteConfValue(value)}`).join("\n") + "\n";
}

/**
 * What both the monitor and the nodes need beyond pg_auto_failover's settings (its
 * postgresql-auto-failover.conf is included at the top of postgresql.conf, so these lines, appended,
 * win): the socket directory (Debian's default, /var/run/postgresql, is root's), and shared_buffers,
 * which pg_autoctl sets to 25 % of the machine's memory for every instance.
 */
function common(socketDir: string): Array<[string, string]> {
  return [
    ["unix_socket_directories", socketDir],
    ["shared_buffers", "32MB"],
    // As for the engine's nodes: dynamic shared memory inside the data directory, not /dev/shm.
    ["dynamic_shared_memory_type", "mmap"],
    // As for the engine's nodes: a drill kills processes, not the kernel, so fsync only costs time.
    ["fsync", "off"],
  ];
}

/** The monitor's postgresql.conf additions: its timing GUCs (pgautofailover.*). */
export function monitorConf(spec: PgAutoFailoverSpec, socketDir: string): string {
  return lines([
    ...common(socketDir),
    ["pgautofailover.health_check_period", String(spec.healthCheckPeriodMs)],
    ["pgautofailover.health_check_timeout", String(spec.healthCheckTimeoutMs)],
    ["pgautofailover.health_check_max_retries", String(spec.healthCheckMaxRetries)],
    ["pgautofailover.health_check_retry_delay", String(spec.healthCheckRetryDelayMs)],
    ["pgautofailover.node_considered_unhealthy_timeout", String(spec.unhealthyTimeoutMs)],
    ["pgautofailover.primary_demote_timeout", String(spec.demoteTimeoutMs)],
    ["pgautofailover.startup_grace_period", String(spec.startupGracePeriodMs)],
  ]);
}

/**
 * The primary's postgresql.conf additions (standbys get them through pg_basebackup): the drill's
 * synchronous_commit under sync modes and `database.settings` last, so they win.
 */
export function nodeConf(database: DatabaseSpec, socketDir: string): string {
  return lines([
    ...common(socketDir),
    ...(database.replication === "async"
      ? []
      : ([["synchronous_commit", database.synchronousCommit]] as Array<[string, string]>)),
    ...Object.entries(database.settings),
  ]);
}

/**
 * How `database.replication` maps onto pg_auto_failover, which always replicates with
 * synchronous_standby_names = 'ANY k (standbys in the replication quorum)':
 *   async      every node registered with --replication-quorum false: synchronous_standby_names ''.
 *   sync and semi-sync (pg_auto_failover's default)  every node in the quorum; commits wait for any
 *              syncStandbys standbys. pg_auto_failover's number_sync_standbys is 0 with one standby
 *              (ANY 1, its only allowed value then) and syncStandbys with more, where it insists on
 *              number_sync_standbys + 1 standbys in the quorum, so losing one keeps writes going.
 * FIRST n does not exist in pg_auto_failover: sync is ANY k like semi-sync.
 */
export interface ReplicationMapping {
  replicationQuorum: boolean;
  /** The formation's number_sync_standbys; undefined: leave pg_auto_failover's own value. */
  numberSyncStandbys?: number;
}

export class ReplicationMappingError extends Error {
  override name = "ReplicationMappingError";
}

export function replicationMapping(database: DatabaseSpec, standbys: number): ReplicationMapping {
  if (database.replication === "async") return { replicationQuorum: false };
  const k = database.syncStandbys;
  if (standbys <= 1) {
    if (k > 1)
      throw new ReplicationMappingError(`syncStandbys ${k} needs ${k} standbys, the drill has ${standbys}`);
    return { replicationQuorum: true, numberSyncStandbys: 0 };
  }
  if (k + 1 > standbys) {
    throw new ReplicationMappingError(
      `pg_auto_failover needs number_sync_standbys + 1 = ${k + 1} standbys for syncStandbys ${k}, ` +
        `the drill has ${standbys}; lower database.syncStandbys or add a region`,
    );
  }
  return { replicationQuorum: true, numberSyncStandbys: k };
}
