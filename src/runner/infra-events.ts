// What the runner records about its own guardrails and the infrastructure it watches, and what a
// summary makes of it: a drill that timed out, or whose DNS server, proxy server or app failed during
// the workload without the drill asking for it, is inconclusive with a note naming what and when;
// one that failed after the workload keeps its figures and gets the note. Read from the history, so
// `failover-drill check` reaches the same verdict.
import { Processes, type Op } from "../history/types.ts";

/** History events (process "runner", type info); value shapes beside each. */
export const GuardEvents = {
  /** {limitMs, phase, reason}: the drill's wall-time limit passed (src/runner/guard.ts). */
  timeout: "timeout",
  /**
   * {component, what, detail, firstFailureNs, duringWorkload}: a piece of infrastructure the drill
   * did not ask to fail stopped working (src/runner/infra-watch.ts).
   */
  infraFailure: "infra-failure",
} as const;

export type InfraComponent = "dns" | "proxy" | "app";

export interface InfraFailureValue {
  component: InfraComponent;
  /** What failed, e.g. "the DNS server (embedded, 127.0.0.1:40123)". */
  what: string;
  /** How, e.g. "stopped answering" or "exited (signal SIGKILL)". */
  detail: string;
  /** When it was first seen failing, on the history's clock. */
  firstFailureNs: number;
  /** Whether it failed between workload start and end: the figures then rest on missing data. */
  duringWorkload: boolean;
}

export interface TimeoutValue {
  limitMs: number;
  phase: string;
  reason: string;
}

export interface GuardVerdict {
  notes: string[];
  /** Whether the figures cannot be trusted: the summary is inconclusive whatever its objectives say. */
  inconclusive: boolean;
}

const seconds = (ns: number): string => `${(ns / 1e9).toFixed(1)} s`;

/** The notes and verdict of a history's timeout and infrastructure events. */
export function guardVerdict(history: readonly Op[]): GuardVerdict {
  const notes: string[] = [];
  let inconclusive = false;
  for (const op of history) {
    if (op.process !== Processes.runner || op.type !== "info") continue;
    if (op.f === GuardEvents.timeout) {
      const v = op.value as TimeoutValue;
      notes.push(
        `the drill ${v.reason}; it was stopped, healed and cleaned up, and its figures are incomplete`,
      );
      inconclusive = true;
    } else if (op.f === GuardEvents.infraFailure) {
      const v = op.value as InfraFailureValue;
      const consequence = v.duringWorkload
        ? "the workload's figures rest on missing data"
        : "after the workload, so its figures stand";
      notes.push(
        `${v.what} ${v.detail} at ${seconds(v.firstFailureNs)}; not a fault of the drill (${consequence})`,
      );
      if (v.duringWorkload) inconclusive = true;
    }
  }
  return { notes, inconclusive };
}
