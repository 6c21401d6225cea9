// What pg_auto_failover's own parameters predict for a primary-region outage (src/checkers/predicted.ts
// uses it when the drill's manager is pg_auto_failover). Pure.
//
// The monitor starts the failover once the primary is unhealthy: its keeper has not reported for
// unhealthyTimeout (it reports every second, so its last report came up to 1 s before the fault) AND
// the monitor's health check has failed: rounds start every healthCheckPeriod, and a failing check
// gives up after healthCheckMaxRetries + 1 attempts, each followed by healthCheckRetryDelay (an attempt
// fails at once on a dead node or a cut link, or after healthCheckTimeout on a frozen one). The
// decision is taken in the next keeper report of a standby (within 1 s). The promoted standby then
// waits demoteTimeout for the unreachable primary, and takes writes once its keeper has applied
// wait_primary: each of the steps after the decision (the candidate reporting prepare_promotion, the
// timer seen expired, wait_primary applied) waits for a keeper's next report.
import type { PgAutoFailoverSpec } from "../drill/format/pg-auto-failover.ts";
import type { OutageMode } from "../drill/types.ts";

/** pg_autoctl 2.0's keeper loop (PG_AUTOCTL_KEEPER_SLEEP_TIME): one report to the monitor a second. */
export const KEEPER_LOOP_MS = 1000;
/** The keepers' own work between the steps (pg_promote, a reload): slack on the upper bound. */
const PROMOTION_WORK_MS = 500;

export interface PgAutoFailoverTiming {
  /** Fault -> the monitor starts the failover (the primary's goal state leaves primary). */
  detectionRangeMs: [number, number];
  /** Fault -> the promoted standby takes writes. */
  writableRangeMs: [number, number];
}

export function pgAutoFailoverTiming(spec: PgAutoFailoverSpec, mode: OutageMode): PgAutoFailoverTiming {
  const attemptMs = mode === "pause" ? spec.healthCheckTimeoutMs : 0;
  const failedCheckMs = (spec.healthCheckMaxRetries + 1) * (attemptMs + spec.healthCheckRetryDelayMs);
  // A keeper stopped gracefully may report its PostgreSQL down on the way out: unhealthy at once.
  const lower = mode === "stop" ? 0 : Math.max(spec.unhealthyTimeoutMs - KEEPER_LOOP_MS, failedCheckMs);
  const upper = Math.max(spec.unhealthyTimeoutMs, spec.healthCheckPeriodMs + failedCheckMs) + KEEPER_LOOP_MS;
  return {
    detectionRangeMs: [lower, upper],
    writableRangeMs: [
      lower + spec.demoteTimeoutMs,
      upper + spec.demoteTimeoutMs + 3 * KEEPER_LOOP_MS + PROMOTION_WORK_MS,
    ],
  };
}
