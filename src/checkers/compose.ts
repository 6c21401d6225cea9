// Runs every checker on one context, as Jepsen's `compose` does: a checker that throws makes only its
// own measurement inconclusive (with a note saying which checker failed and why); the others are
// still measured.
import type { Measurements } from "../summary/types.ts";
import { MEASUREMENT_NAMES, type AnyChecker, type CheckContext, type MeasurementName } from "./checker.ts";

export interface CheckerFailure {
  checker: MeasurementName;
  /** "checker <name> failed: <error message>". */
  reason: string;
}

export interface ComposedResult {
  measurements: Measurements;
  /** Every checker's notes in checker order; a failed checker's note in its place. */
  notes: string[];
  failures: CheckerFailure[];
}

export type ComposedChecker = (context: CheckContext) => ComposedResult;

/**
 * One checker that runs `checkers` in the order given (the order of their notes). Refuses a list that
 * does not fill every measurement exactly once.
 */
export function composeCheckers(checkers: readonly AnyChecker[]): ComposedChecker {
  for (const name of MEASUREMENT_NAMES) {
    const count = checkers.filter((c) => c.name === name).length;
    if (count !== 1) throw new Error(`checkers must measure ${name} exactly once, not ${count} times`);
  }
  return (context) => {
    const measured = new Map<MeasurementName, unknown>();
    const notes: string[] = [];
    const failures: CheckerFailure[] = [];
    for (const checker of checkers) {
      try {
        const result = checker.check(context);
        measured.set(checker.name, result.measurement);
        notes.push(...result.notes);
      } catch (err) {
        const reason = `checker ${checker.name} failed: ${err instanceof Error ? err.message : String(err)}`;
        measured.set(checker.name, checker.inconclusive(reason));
        notes.push(`${reason}; ${checker.name} is inconclusive`);
        failures.push({ checker: checker.name, reason });
      }
    }
    // Each checker's measurement is of its own name's type (AnyChecker pairs them).
    const measurements = Object.fromEntries(
      // A measurement only some drills have (conflicts, residency) is absent, not undefined, elsewhere.
      MEASUREMENT_NAMES.map((name) => [name, measured.get(name)]).filter(([, m]) => m !== undefined),
    ) as unknown as Measurements;
    return { measurements, notes, failures };
  };
}
