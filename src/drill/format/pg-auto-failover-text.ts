// pg_auto_failover's settings in words, apart from the format module so the reports (loaded by
// `failover-drill check`) do not load the drill format and its YAML reader.
import { formatDuration } from "../duration.ts";
import type { PgAutoFailoverSpec } from "./pg-auto-failover.ts";

/** One line for reports: "pg_auto_failover, monitor own-site; health checks every 5 s, ...". */
export function describePgAutoFailover(spec: PgAutoFailoverSpec): string {
  const s = (ms: number): string => formatDuration(ms);
  return (
    `pg_auto_failover, monitor ${spec.monitor}; health checks every ${s(spec.healthCheckPeriodMs)} ` +
    `(${spec.healthCheckMaxRetries} retries ${s(spec.healthCheckRetryDelayMs)} apart, timeout ` +
    `${s(spec.healthCheckTimeoutMs)}), unhealthy after ${s(spec.unhealthyTimeoutMs)}, demote timeout ` +
    `${s(spec.demoteTimeoutMs)}`
  );
}
