// Measurements that rest on a hook that failed: a team's command that exited non-zero, timed out or
// printed nothing usable leaves the step it stands for unknown, so the measurement resting on it is
// inconclusive (its checker throws; the drill exits 3 instead of passing). Hooks killed because the
// drill was stopping do not count. Which measurement rests on which hook:
//   status (before the primary is declared down) -> detection; status (until writable), fence and
//   promote -> promotion; a hook fault's inject -> rto (clients' recovery from a fault that may not
//   have happened); its heal -> rpo (the final read after a heal that may not have happened).
import { Events } from "../history/types.ts";
import type { FailoverEvents } from "./failover.ts";
import { eventsOf, str, valueOf, type HistoryIndex } from "./history.ts";

export type HookMeasurement = "detection" | "promotion" | "rto" | "rpo";

export class HookFailedError extends Error {
  override name = "HookFailedError";
}

interface FailedHook {
  ns: number;
  hook: string;
  error: string;
}

export function failedHooks(index: HistoryIndex): FailedHook[] {
  return eventsOf(index, Events.hook).flatMap((op) => {
    const v = valueOf(op);
    if (v.ok === true || v.aborted === true) return [];
    return [{ ns: op.time, hook: str(v, "hook") ?? "?", error: str(v, "error") ?? "failed" }];
  });
}

function affects(h: FailedHook, failover: FailoverEvents): HookMeasurement | undefined {
  switch (h.hook) {
    case "status":
      if (h.ns < (failover.primaryDownNs ?? Infinity)) return "detection";
      return h.ns <= (failover.writableNs ?? Infinity) ? "promotion" : undefined;
    case "fence":
    case "promote":
      return "promotion";
    case "inject":
      return "rto";
    case "heal":
      return "rpo";
    default:
      return undefined;
  }
}

/** Why `measurement` rests on a failed hook, or undefined when none it rests on failed. */
export function hookProblem(
  index: HistoryIndex,
  failover: FailoverEvents,
  measurement: HookMeasurement,
): string | undefined {
  const failed = failedHooks(index).filter((h) => affects(h, failover) === measurement);
  const first = failed[0];
  if (first === undefined) return undefined;
  const hooks = [...new Set(failed.map((h) => h.hook))].join(", ");
  return (
    `it rests on ${failed.length} failed hook run(s) (${hooks}); first: ${first.hook} hook ` +
    `${first.error} at ${Math.round(first.ns / 1e6)} ms`
  );
}

/** Throws when the measurement rests on a failed hook: its checker is then inconclusive. */
export function assertHooksHeld(
  index: HistoryIndex,
  failover: FailoverEvents,
  measurement: HookMeasurement,
): void {
  const problem = hookProblem(index, failover, measurement);
  if (problem !== undefined) throw new HookFailedError(problem);
}
