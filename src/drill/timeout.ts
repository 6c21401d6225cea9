// A drill's default wall-time limit, from its timeline (the runner enforces it: src/runner/guard.ts).
// Here, beside the drill, so `--help` and `plan` state it without loading the runner.
import { formatDuration } from "./duration.ts";
import type { Drill } from "./types.ts";

/** Starting the topology and reaching steady state: docker pulls and starts containers, so more. */
export const SETUP_ALLOWANCE_MS: Record<Drill["platform"], number> = {
  local: 120_000,
  external: 120_000,
  docker: 300_000,
};
/** A fixed margin plus a share of the timed part: heals, manager stops and final reads take time. */
export const TIMEOUT_MARGIN_MS = 60_000;
export const TIMEOUT_MARGIN_SHARE = 0.25;

/** The formula, as `--help` and the docs state it. */
export const TIMEOUT_FORMULA =
  "setup allowance (2m; 5m on docker) + workload duration + recovery wait + " +
  "a margin of 1m + 25% of (workload duration + recovery wait), rounded up to the second";

/** The default maximum wall time of a drill (TIMEOUT_FORMULA). */
export function defaultTimeoutMs(drill: Pick<Drill, "platform" | "workload" | "recovery">): number {
  const timed = drill.workload.durationMs + drill.recovery.waitMs;
  const ms = SETUP_ALLOWANCE_MS[drill.platform] + timed + TIMEOUT_MARGIN_MS + timed * TIMEOUT_MARGIN_SHARE;
  return Math.ceil(ms / 1000) * 1000;
}

/** The default for one drill, term by term: "2m setup + 30s workload + 3s recovery + 1m8.25s margin". */
export function timeoutBreakdown(drill: Pick<Drill, "platform" | "workload" | "recovery">): string {
  const timed = drill.workload.durationMs + drill.recovery.waitMs;
  return (
    `${formatDuration(SETUP_ALLOWANCE_MS[drill.platform])} setup + ${formatDuration(drill.workload.durationMs)} ` +
    `workload + ${formatDuration(drill.recovery.waitMs)} recovery + ` +
    `${formatDuration(TIMEOUT_MARGIN_MS + timed * TIMEOUT_MARGIN_SHARE)} margin, rounded up to the second`
  );
}
