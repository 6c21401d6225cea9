// The drill's wall-time guardrail: a maximum time for the whole run (`--timeout`, default from the
// drill's timeline) and the phase the run is in, so a timeout names where it was stuck. When the
// limit passes, the run's signal aborts: the workload stops, and the runner heals, reads what it can,
// writes the evidence and ends inconclusive (runner.ts).
import { formatDuration } from "../drill/duration.ts";
import type { Drill } from "../drill/types.ts";

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

/** The phases a run goes through, as a timeout names them. */
export const PHASES = {
  topology: "starting the topology",
  steadyState: "checking the steady state",
  workload: "running the workload",
  heal: "healing the faults",
  recovery: "waiting for recovery",
  stopping: "stopping the failover manager and monitors",
  finalRead: "reading the final state",
} as const;
export type Phase = (typeof PHASES)[keyof typeof PHASES];

/** "timed out after 5m during 'waiting for recovery'". */
export function timeoutReason(limitMs: number, phase: string): string {
  return `timed out after ${formatDuration(limitMs)} during '${phase}'`;
}

/** Why the run's signal aborted when the guard's limit passed. */
export class DrillTimeout {
  constructor(
    readonly limitMs: number,
    readonly phase: string,
  ) {}
  get reason(): string {
    return timeoutReason(this.limitMs, this.phase);
  }
  toString(): string {
    return this.reason;
  }
}

/**
 * One run's guard: its signal aborts when the caller's signal does (Ctrl-C) or when `limitMs` has
 * passed (`timedOut` then says in which phase). disarm() once the run is past what can hang.
 */
export class RunGuard implements Disposable {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private current: string = PHASES.topology;
  timedOut: DrillTimeout | null = null;

  constructor(
    readonly limitMs: number,
    private readonly outer?: AbortSignal,
  ) {
    if (outer?.aborted) this.controller.abort(outer.reason);
    outer?.addEventListener("abort", this.onOuterAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = new DrillTimeout(limitMs, this.current);
      this.controller.abort(this.timedOut.reason);
    }, limitMs);
  }

  private readonly onOuterAbort = (): void => this.controller.abort(this.outer?.reason);

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get phase(): string {
    return this.current;
  }

  /** Whether the run stopped because the caller asked (Ctrl-C), not because of the limit. */
  get interrupted(): boolean {
    return this.outer?.aborted === true && this.timedOut === null;
  }

  enter(phase: Phase): void {
    this.current = phase;
  }

  disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  [Symbol.dispose](): void {
    this.disarm();
    this.outer?.removeEventListener("abort", this.onOuterAbort);
  }
}
