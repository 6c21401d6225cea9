// Objectives against measurements: each objective reads its metric at the metric's path, compares it
// with the limit, and is met, missed, or undecidable (null measurement or unknown metric).
import type { Objective, ObjectiveOperator } from "../drill/types.ts";
import type { DrillStatus, Measurements, ObjectiveResult } from "../summary/types.ts";
import { findMetric } from "./metrics.ts";

export type { ObjectiveResult } from "../summary/types.ts";

export function compare(measured: number, operator: ObjectiveOperator, limit: number): boolean {
  switch (operator) {
    case "<":
      return measured < limit;
    case "<=":
      return measured <= limit;
    case ">":
      return measured > limit;
    case ">=":
      return measured >= limit;
    case "==":
      return measured === limit;
    case "!=":
      return measured !== limit;
  }
}

/** The value at a dotted path; undefined when the path does not exist. */
function readPath(root: unknown, path: string): unknown {
  let at: unknown = root;
  for (const key of path.split(".")) {
    if (typeof at !== "object" || at === null || !(key in at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A checker that threw: the measurement it fills (e.g. "rpo") is unknown, whatever it holds. */
export interface FailedChecker {
  checker: string;
  reason: string;
}

export function evaluateObjective(
  objective: Objective,
  measurements: Measurements,
  failedCheckers: readonly FailedChecker[] = [],
): ObjectiveResult {
  const metric = findMetric(objective.metric);
  const result: ObjectiveResult = {
    name: objective.metric,
    operator: objective.operator,
    limit: objective.source,
    limitValue: objective.limit,
    unit: metric?.unit ?? null,
    measured: null,
    met: null,
  };
  if (metric === undefined) return { ...result, reason: `unknown metric ${objective.metric}` };
  const measurement = metric.path.split(".")[0] ?? "";
  const failed = failedCheckers.find((f) => f.checker === measurement);
  if (failed !== undefined) return { ...result, reason: failed.reason };
  const raw = readPath(measurements, metric.path);
  if (typeof raw === "boolean") {
    // Booleans compare as 0/1, the way the drill file writes their limits.
    return { ...result, measured: raw, met: compare(raw ? 1 : 0, objective.operator, objective.limit) };
  }
  if (typeof raw === "number" && Number.isFinite(raw)) {
    return { ...result, measured: raw, met: compare(raw, objective.operator, objective.limit) };
  }
  const why = readPath(measurements, `${measurement}.reason`);
  return { ...result, reason: typeof why === "string" ? why : `${objective.metric} was not measured` };
}

export function evaluateObjectives(
  objectives: readonly Objective[],
  measurements: Measurements,
  failedCheckers: readonly FailedChecker[] = [],
): ObjectiveResult[] {
  return objectives.map((o) => evaluateObjective(o, measurements, failedCheckers));
}

/** Any objective missed -> fail; else any undecidable -> inconclusive; else pass. */
export function verdict(results: readonly ObjectiveResult[]): DrillStatus {
  if (results.some((r) => r.met === false)) return "fail";
  if (results.some((r) => r.met === null)) return "inconclusive";
  return "pass";
}

/**
 * The drill's status: its verdict, except that a failed checker turns a pass into inconclusive (one
 * of its figures is unknown). A missed objective still fails the drill: that finding stands.
 */
export function drillStatus(
  results: readonly ObjectiveResult[],
  failedCheckers: readonly FailedChecker[] = [],
): DrillStatus {
  const status = verdict(results);
  return status === "pass" && failedCheckers.length > 0 ? "inconclusive" : status;
}
