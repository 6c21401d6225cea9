// Pure: key figures out of a run's summary, median/min/max over a cell's runs, and the matrix status.
import type { Summary } from "../checkers/types.ts";
import { ExitCode } from "../cli/exit-codes.ts";
import type { Aggregate, MatrixStatus, MetricKey, RunFigures, RunRecord, RunStatus } from "./types.ts";

const METRIC_KEYS: readonly MetricKey[] = [
  "writeLatencyP50Ms",
  "writeLatencyP99Ms",
  "ackedPerSecond",
  "lostWrites",
  "lostWindowMs",
  "rtoP50Ms",
  "rtoP90Ms",
  "rtoMaxMs",
  "predictedRtoMaxMs",
  "detectionMs",
  "promotionMs",
  "dnsSwitchClientFirstMs",
  "dnsSwitchClientLastMs",
  "dnsFailoverMs",
  "predictedDetectionMs",
  "predictedDnsFailoverMs",
];

/** A finite number at `path` in `root`, else null: reports from older versions may lack a figure. */
function numberAt(root: unknown, ...path: string[]): number | null {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function runFigures(summary: Summary): RunFigures {
  const m = summary.measurements;
  return {
    writeLatencyP50Ms: numberAt(m, "writeLatency", "overall", "p50Ms"),
    writeLatencyP99Ms: numberAt(m, "writeLatency", "overall", "p99Ms"),
    ackedPerSecond: numberAt(m, "throughput", "ackedPerSecond"),
    lostWrites: numberAt(m, "rpo", "lostWrites"),
    lostWindowMs: numberAt(m, "rpo", "lostWindowMs"),
    rtoP50Ms: numberAt(m, "rto", "p50Ms"),
    rtoP90Ms: numberAt(m, "rto", "p90Ms"),
    rtoMaxMs: numberAt(m, "rto", "maxMs"),
    predictedRtoMaxMs: numberAt(m, "rto", "predictedRangeMs", "1"),
    detectionMs: numberAt(m, "detection", "ms"),
    promotionMs: numberAt(m, "promotion", "ms"),
    dnsSwitchClientFirstMs: numberAt(m, "dnsSwitch", "clientFirstMs"),
    dnsSwitchClientLastMs: numberAt(m, "dnsSwitch", "clientLastMs"),
    dnsFailoverMs: numberAt(m, "dnsSwitch", "faultToClientLastMs"),
    predictedDetectionMs: numberAt(summary.predicted, "detectionMs"),
    predictedDnsFailoverMs: numberAt(summary.predicted, "dnsFailoverMs"),
  };
}

/** The middle value, or the mean of the two middle values of an even count; null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** Over the values present; nulls (a run that did not measure the figure) count only in `of`. */
export function aggregate(values: ReadonlyArray<number | null>): Aggregate {
  const present = values.filter((v): v is number => v !== null);
  return {
    median: median(present),
    min: present.length === 0 ? null : Math.min(...present),
    max: present.length === 0 ? null : Math.max(...present),
    count: present.length,
    of: values.length,
  };
}

/**
 * Every metric over a cell's finished runs. A run that failed to produce a summary counts as lacking
 * every figure; an interrupted run is left out (it did not finish).
 */
export function aggregateRuns(runs: readonly RunRecord[]): Record<MetricKey, Aggregate> {
  const finished = runs.filter((r) => r.status !== "interrupted");
  return Object.fromEntries(
    METRIC_KEYS.map((key) => [key, aggregate(finished.map((r) => r.figures?.[key] ?? null))]),
  ) as Record<MetricKey, Aggregate>;
}

const SEVERITY: Record<RunStatus, number> = { pass: 0, inconclusive: 1, fail: 2, error: 3, interrupted: 4 };

/** Worst over runs: interrupted > error (infrastructure) > fail > inconclusive > pass. */
export function worstStatus(statuses: Iterable<RunStatus>, interrupted = false): MatrixStatus {
  let worst: RunStatus = interrupted ? "interrupted" : "pass";
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

export function exitCodeFor(status: MatrixStatus): number {
  switch (status) {
    case "pass":
      return ExitCode.ok;
    case "fail":
      return ExitCode.objectiveMissed;
    case "inconclusive":
      return ExitCode.inconclusive;
    case "error":
      return ExitCode.infrastructure;
    case "interrupted":
      return ExitCode.interrupted;
  }
}
