// The drill's wall-time guardrail: a maximum time for the whole run (`--timeout`, default from the
// drill's timeline) and the phase the run is in, so a timeout names where it was stuck. When the
// limit passes, the run's signal aborts: the workload stops, and the runner heals, reads what it can,
// writes the evidence and ends inconclusive (runner.ts).
import { formatDuration } from "../drill/duration.ts";

// The default limit is the drill's own (src/drill/timeout.ts: --help states it without the runner).
export {
  defaultTimeoutMs,
  SETUP_ALLOWANCE_MS,
  TIMEOUT_FORMULA,
  TIMEOUT_MARGIN_MS,
  TIMEOUT_MARGIN_SHARE,
  timeoutBreakdown,
} from "../drill/timeout.ts";

const MAX_TIMER_MS = 2 ** 31 - 1;

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
    // Past 2^31-1 ms (24.8 days) a timer fires at once: such a limit is no limit.
    if (limitMs > MAX_TIMER_MS) return;
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
