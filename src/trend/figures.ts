// The key figures a trend follows, read from a run's summary. One list, so the index, the trend,
// the comparison, the step summary and the notification all name and judge the same figures.
import type { Summary } from "../summary/types.ts";

export type FigureKey =
  | "detectionMs"
  | "promotionMs"
  | "dnsAuthoritativeMs"
  | "dnsClientLastMs"
  | "rtoP50Ms"
  | "rtoP90Ms"
  | "rtoMaxMs"
  | "lostWrites"
  | "lostWindowMs";

export interface FigureSpec {
  key: FigureKey;
  label: string;
  /** ms figures share the absolute time tolerance; counts have their own. */
  unit: "ms" | "count";
  /** Every key figure is a time or a loss: higher is worse. Kept explicit for the comparison. */
  worse: "higher";
}

export const FIGURES: readonly FigureSpec[] = [
  { key: "detectionMs", label: "detection", unit: "ms", worse: "higher" },
  { key: "promotionMs", label: "promotion", unit: "ms", worse: "higher" },
  { key: "dnsAuthoritativeMs", label: "DNS switch (authoritative)", unit: "ms", worse: "higher" },
  { key: "dnsClientLastMs", label: "DNS switch (last client)", unit: "ms", worse: "higher" },
  { key: "rtoP50Ms", label: "RTO p50", unit: "ms", worse: "higher" },
  { key: "rtoP90Ms", label: "RTO p90", unit: "ms", worse: "higher" },
  { key: "rtoMaxMs", label: "RTO max", unit: "ms", worse: "higher" },
  { key: "lostWrites", label: "lost writes", unit: "count", worse: "higher" },
  { key: "lostWindowMs", label: "lost window", unit: "ms", worse: "higher" },
];

export type Figures = Record<FigureKey, number | null>;

/** A finite number or null: a summary from an older version may lack a figure. */
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

export function summaryFigures(s: Summary): Figures {
  const m = s.measurements;
  return {
    detectionMs: num(m.detection?.ms),
    promotionMs: num(m.promotion?.ms),
    dnsAuthoritativeMs: num(m.dnsSwitch?.authoritativeMs),
    dnsClientLastMs: num(m.dnsSwitch?.clientLastMs),
    rtoP50Ms: num(m.rto?.p50Ms),
    rtoP90Ms: num(m.rto?.p90Ms),
    rtoMaxMs: num(m.rto?.maxMs),
    lostWrites: num(m.rpo?.lostWrites),
    lostWindowMs: num(m.rpo?.lostWindowMs),
  };
}

export type Outcome = "met" | "missed" | "inconclusive";

/** Worse is larger: how statuses and objective outcomes are ranked for regressions. */
export const STATUS_RANK: Record<string, number> = { pass: 0, inconclusive: 1, fail: 2, error: 3 };
export const OUTCOME_RANK: Record<Outcome, number> = { met: 0, inconclusive: 1, missed: 2 };
