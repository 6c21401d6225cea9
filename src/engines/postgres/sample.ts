// The database monitor's sample of one PostgreSQL node, in one round trip: its role, its WAL
// positions and, on a primary, pg_stat_replication as the engine-neutral standby rows.
import type { SampledStandby } from "../../history/types.ts";
import type { ReplicationSample } from "../types.ts";
import type { QueryableNode } from "./node.ts";

// The primary-only parts sit behind CASE so a standby never evaluates pg_current_wal_lsn() (an error
// during recovery); lags come back as ms, distances as bytes.
const SAMPLE_SQL = `
SELECT pg_is_in_recovery() AS in_recovery,
  (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn,
  pg_last_wal_receive_lsn()::text AS receive_lsn,
  CASE WHEN pg_is_in_recovery() THEN '[]'::json ELSE (
    SELECT coalesce(json_agg(json_build_object(
      'name', application_name,
      'state', state,
      'syncState', sync_state,
      'writeLagMs', extract(epoch FROM write_lag) * 1000,
      'flushLagMs', extract(epoch FROM flush_lag) * 1000,
      'replayLagMs', extract(epoch FROM replay_lag) * 1000,
      'sentLagBytes', pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn),
      'flushLagBytes', pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn),
      'replayLagBytes', pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)
    ) ORDER BY application_name), '[]'::json)
    FROM pg_stat_replication) END AS standbys`;

interface SampleRow {
  in_recovery: boolean;
  lsn: string | null;
  receive_lsn: string | null;
  standbys: Array<Record<string, unknown>> | null;
}

export class EmptySampleError extends Error {
  override name = "EmptySampleError";
}

export async function sampleReplication(node: QueryableNode, timeoutMs: number): Promise<ReplicationSample> {
  const [row] = await node.query<SampleRow>(SAMPLE_SQL, [], { timeoutMs });
  if (row === undefined) throw new EmptySampleError("empty sample result");
  const sample: ReplicationSample = {
    role: row.in_recovery ? "standby" : "primary",
    standbys: (row.standbys ?? []).map((r) => {
      const standby = toStandby(r);
      return { ...standby, name: node.standbyRegion?.(standby.name) ?? standby.name };
    }),
  };
  if (row.lsn !== null) sample.position = row.lsn;
  if (row.in_recovery && row.receive_lsn !== null) sample.receivedPosition = row.receive_lsn;
  return sample;
}

const roundMs = (x: unknown): number | null =>
  typeof x === "number" && Number.isFinite(x) ? Math.round(x * 1e3) / 1e3 : null;
const bytes = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

function toStandby(r: Record<string, unknown>): SampledStandby {
  return {
    name: typeof r.name === "string" ? r.name : "",
    state: typeof r.state === "string" ? r.state : "unknown",
    syncState: typeof r.syncState === "string" ? r.syncState : null,
    writeLagMs: roundMs(r.writeLagMs),
    flushLagMs: roundMs(r.flushLagMs),
    replayLagMs: roundMs(r.replayLagMs),
    sentLagBytes: bytes(r.sentLagBytes),
    flushLagBytes: bytes(r.flushLagBytes),
    replayLagBytes: bytes(r.replayLagBytes),
  };
}
