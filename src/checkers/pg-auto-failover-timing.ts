// What pg_auto_failover's own parameters predict for a primary-region outage (src/checkers/predicted.ts
// uses it when the drill's manager is pg_auto_failover). Pure.
//
// The monitor starts the failover once the primary is unhealthy: its keeper has not reported for
// unhealthyTimeout AND the monitor's health check of it has failed: rounds start every
// healthCheckPeriod, and a failing check gives up after healthCheckMaxRetries + 1 attempts, each
// followed by healthCheckRetryDelay (an attempt fails at once on a dead node or a cut link, or after
// healthCheckTimeout on a frozen one). The decision is taken in a standby keeper's next report. The
// candidate then reports prepare_promotion (at its next report), which starts the demote timer; once
// demoteTimeout has passed, a standby's next report sees it expire and the candidate, told
// wait_primary in the answer, takes writes.
//
// A keeper reports after a 1 s wait plus its own work (PG_AUTOCTL_KEEPER_SLEEP_TIME): 1.3-1.7 s apart
// on an idle 2-core machine, up to 3 s under a drill's load, so the primary keeper's last report before
// the fault, and a standby's next report after a condition holds, are each taken up to
// KEEPER_REPORT_MS away.
import type { PgAutoFailoverSpec } from "../drill/format/pg-auto-failover.ts";
import type { OutageMode } from "../drill/types.ts";

/** The longest gap between two reports of a keeper (pg_autoctl 2.0 waits 1 s, then does its work). */
export const KEEPER_REPORT_MS = 3000;
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
  const lower = mode === "stop" ? 0 : Math.max(spec.unhealthyTimeoutMs - KEEPER_REPORT_MS, failedCheckMs);
  const upper =
    Math.max(spec.unhealthyTimeoutMs, spec.healthCheckPeriodMs + failedCheckMs) + KEEPER_REPORT_MS;
  return {
    detectionRangeMs: [lower, upper],
    writableRangeMs: [
      lower + spec.demoteTimeoutMs,
      upper + spec.demoteTimeoutMs + 2 * KEEPER_REPORT_MS + PROMOTION_WORK_MS,
    ],
  };
}
