// Objectives as drill files write them: `metric: "<operator> <limit>"`, the limit in the metric's unit.
import { findMetric, METRIC_NAMES, type MetricDefinition, type MetricUnit } from "../objectives/metrics.ts";
import { parseDuration, parseRate, UnitError } from "./duration.ts";

export type ObjectiveOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface Objective {
  /** Metric name as written in the drill, e.g. "rpo.lostWrites" (see src/objectives/metrics.ts). */
  metric: string;
  operator: ObjectiveOperator;
  /** Limit in the metric's unit: milliseconds for durations, a count, writes/s, or 0/1 for booleans. */
  limit: number;
  /** The limit as written, e.g. "< 20s", for reports. */
  source: string;
}

export class ObjectiveError extends Error {
  override readonly name = "ObjectiveError";
}

const OBJECTIVE_OPERATORS: readonly ObjectiveOperator[] = ["<", "<=", ">", ">=", "==", "!="];

/** One valid objective per unit, for messages and docs. */
export const OBJECTIVE_EXAMPLES: Readonly<Record<MetricUnit, string>> = {
  ms: "< 20s",
  count: "<= 100",
  boolean: "== false",
  "per-second": ">= 100",
};

const UNIT_LIMITS: Readonly<Record<MetricUnit, string>> = {
  ms: 'a duration like "20s" or "500ms"',
  count: "a whole number",
  boolean: "true or false",
  "per-second": 'a number per second like 100 or "6000/m"',
};

/** Describes what a limit for this metric looks like, e.g. `a whole number, e.g. "<= 100"`. */
function expectedLimit(unit: MetricUnit): string {
  return `${UNIT_LIMITS[unit]}, e.g. "${OBJECTIVE_EXAMPLES[unit]}"`;
}

const EXPRESSION = /^([<>=!]+)\s*(.*)$/;

export function parseObjective(metric: string, text: string): Objective {
  const definition = findMetric(metric);
  if (!definition) {
    throw new ObjectiveError(`unknown metric "${metric}"; expected one of: ${METRIC_NAMES.join(", ")}`);
  }
  const source = text.trim();
  const match = EXPRESSION.exec(source);
  if (!match) {
    throw new ObjectiveError(
      `expected "<operator> <limit>" with an operator of ${OBJECTIVE_OPERATORS.join(" ")}, ` +
        `e.g. "${OBJECTIVE_EXAMPLES[definition.unit]}", got "${source}"`,
    );
  }
  const [, operatorText, limitText] = match as unknown as [string, string, string];
  if (!isOperator(operatorText)) {
    throw new ObjectiveError(
      `unknown operator "${operatorText}"; expected one of: ${OBJECTIVE_OPERATORS.join(" ")}`,
    );
  }
  return { metric, operator: operatorText, limit: parseLimit(definition, operatorText, limitText), source };
}

function isOperator(text: string): text is ObjectiveOperator {
  return (OBJECTIVE_OPERATORS as readonly string[]).includes(text);
}

function parseLimit(definition: MetricDefinition, operator: ObjectiveOperator, text: string): number {
  const { name, unit } = definition;
  const wrongUnit = (detail?: string) =>
    new ObjectiveError(
      `${name} takes ${expectedLimit(unit)}, got "${text}"` + (detail === undefined ? "" : ` (${detail})`),
    );
  if (text === "")
    throw new ObjectiveError(`missing the limit after "${operator}"; ${name} takes ${expectedLimit(unit)}`);
  switch (unit) {
    case "ms":
      try {
        return parseDuration(text);
      } catch (err) {
        if (err instanceof UnitError) throw wrongUnit(err.message);
        throw err;
      }
    case "count":
      if (!/^\d+$/.test(text)) throw wrongUnit();
      return Number(text);
    case "boolean":
      if (operator !== "==" && operator !== "!=") {
        throw new ObjectiveError(`${name} is true or false, so only == and != apply, got "${operator}"`);
      }
      if (text !== "true" && text !== "false") throw wrongUnit();
      return text === "true" ? 1 : 0;
    case "per-second":
      try {
        return parseRate(text);
      } catch (err) {
        if (err instanceof UnitError) throw wrongUnit();
        throw err;
      }
  }
}
