// How a trend judges regressions, with the defaults; its own module with no imports, so the command's
// --help can show the defaults without loading the trend.
export interface Tolerance {
  /** Worse by more than this fraction of the reference (0.5 = 50 %)... */
  relative: number;
  /** ...and by more than this many ms (time figures)... */
  ms: number;
  /** ...or this many (counts: lost writes). */
  count: number;
}

export interface TrendOptions {
  /** The rolling baseline: the median of this many runs before each run. */
  baselineRuns: number;
  tolerance: Tolerance;
  /** Compare only with runs of the same drill definition (digest). */
  sameDrill: boolean;
}

/** Defaults wide enough for the run-to-run noise of drills/region-outage.yaml (docs/trends.md). */
export const DEFAULT_TREND_OPTIONS: TrendOptions = {
  baselineRuns: 5,
  tolerance: { relative: 0.5, ms: 1000, count: 50 },
  sameDrill: false,
};
