// pg_auto_failover's failover as a sequence of steps, read from the monitor's event table
// (pgautofailover.event: one row per health change, goal state assigned and state reported). Pure:
// rows in, steps out, so the reading is tested on literal rows.
//   health-bad  the monitor's health check of the primary failed (after its retries)
//   detected    the monitor starts the failover: the primary's goal leaves primary (draining,
//               demote_timeout or demoted), or a standby is picked to replace it
//   promoting   the candidate is told to promote (stop_replication: pg_promote, still read-only), or to
//               take writes at once (wait_primary, primary)
//   fenced      the old primary is assigned demoted: the monitor no longer counts on it taking writes
//   routed      the candidate reports wait_primary or primary: it has dropped default_transaction_read_only,
//               so libpq's target_session_attrs=read-write now picks it
// The row after routed has the candidate as the primary the next failover starts from.

/** One row of pgautofailover.event. */
export interface MonitorEvent {
  eventId: number;
  /** The monitor's timestamp (eventtime) on the drill's clock, in ms. */
  atMs: number;
  /** The node's name: its region. */
  node: string;
  reported: string;
  goal: string;
  description: string;
}

export type StepKind = "health-bad" | "detected" | "promoting" | "fenced" | "routed";

export interface Step {
  kind: StepKind;
  region: string;
  event: MonitorEvent;
}

const DEMOTING = new Set(["draining", "demote_timeout", "demoted"]);
/** Goals a standby only gets in a failover (report_lsn: its position is asked for the candidate choice). */
const FAILOVER_GOALS = new Set([
  "report_lsn",
  "prepare_promotion",
  "fast_forward",
  "stop_replication",
  "wait_primary",
  "primary",
]);
const PROMOTING = new Set(["stop_replication", "wait_primary", "primary"]);
const TAKING_WRITES = new Set(["wait_primary", "primary"]);
const UNHEALTHY = /is marked as unhealthy by the monitor/;

export class FailoverFollower {
  private failingOver = false;
  private candidate: string | null = null;
  private fencedYet = false;

  constructor(private primary: string) {}

  /** The region the follower takes for primary (it changes once a candidate takes writes). */
  get currentPrimary(): string {
    return this.primary;
  }

  step(e: MonitorEvent): Step[] {
    const steps: Step[] = [];
    const add = (kind: StepKind, region: string): void => {
      steps.push({ kind, region, event: e });
    };
    if (e.node === this.primary && UNHEALTHY.test(e.description)) add("health-bad", e.node);
    const startsFailover =
      (e.node === this.primary && DEMOTING.has(e.goal)) ||
      (e.node !== this.primary && FAILOVER_GOALS.has(e.goal));
    if (!this.failingOver && startsFailover) {
      this.failingOver = true;
      add("detected", this.primary);
    }
    if (!this.failingOver) return steps;
    if (this.candidate === null && e.node !== this.primary && PROMOTING.has(e.goal)) {
      this.candidate = e.node;
      add("promoting", e.node);
    }
    if (!this.fencedYet && e.node === this.primary && e.goal === "demoted") {
      this.fencedYet = true;
      add("fenced", this.primary);
    }
    if (this.candidate !== null && e.node === this.candidate && TAKING_WRITES.has(e.reported)) {
      add("routed", e.node);
      this.primary = e.node;
      this.failingOver = false;
      this.candidate = null;
      this.fencedYet = false;
    } else if (this.candidate === null && e.node === this.primary && TAKING_WRITES.has(e.goal)) {
      // The monitor gave the failover up (the old primary came back before a candidate was chosen).
      this.failingOver = false;
      this.fencedYet = false;
    }
    return steps;
  }
}
