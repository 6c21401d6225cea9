// Pure: a trend store's runs as one model the renderers (console, Markdown, HTML) write out: every run
// judged, and per figure its values across runs, spread and the largest rise seen against the
// previous run and the rolling baseline (what a tolerance must allow for run-to-run noise).
import { FIGURES, type FigureSpec } from "./figures.ts";
import type { IndexEntry } from "./index-format.ts";
import { assessRuns, median, worsening, type RunAssessment, type TrendOptions } from "./regressions.ts";

/** The largest worsening seen: absolute (in the figure's unit) and relative (fraction), maybe from different runs. */
export interface Rise {
  absolute: number;
  relative: number | null;
}

export interface FigureTrend {
  spec: FigureSpec;
  /** One per run, oldest first; null where the run did not measure it. */
  values: Array<number | null>;
  /** Per run: flagged as a regression (against the previous run or the baseline). */
  regressed: boolean[];
  latest: number | null;
  min: number | null;
  median: number | null;
  max: number | null;
  riseVsPrevious: Rise | null;
  riseVsBaseline: Rise | null;
}

export interface Trend {
  drill: string;
  file: string;
  options: TrendOptions;
  runs: RunAssessment[];
  latest: RunAssessment;
  figures: FigureTrend[];
  warnings: string[];
}

function largestRise(spec: FigureSpec, pairs: Array<[number | null, number | null]>): Rise | null {
  const deltas: number[] = [];
  const relatives: number[] = [];
  for (const [was, now] of pairs) {
    if (was === null || now === null) continue;
    const delta = worsening(spec, was, now);
    deltas.push(delta);
    if (was !== 0) relatives.push(delta / Math.abs(was));
  }
  if (deltas.length === 0) return null;
  return { absolute: Math.max(...deltas), relative: relatives.length === 0 ? null : Math.max(...relatives) };
}

/** Throws when `entries` is empty: a trend needs a run. */
export function buildTrend(
  entries: readonly IndexEntry[],
  options: TrendOptions,
  file: string,
  warnings: readonly string[] = [],
): Trend {
  const runs = assessRuns(entries, options);
  const latest = runs.at(-1);
  if (latest === undefined) throw new Error(`${file} holds no runs`);
  const figures = FIGURES.map((spec): FigureTrend => {
    const values = runs.map((r) => r.entry.figures[spec.key]);
    const present = values.filter((v): v is number => v !== null);
    return {
      spec,
      values,
      regressed: runs.map((r) => r.regressions.some((g) => g.kind === "figure" && g.key === spec.key)),
      latest: latest.entry.figures[spec.key],
      min: present.length === 0 ? null : Math.min(...present),
      median: median(present),
      max: present.length === 0 ? null : Math.max(...present),
      riseVsPrevious: largestRise(
        spec,
        runs.map((r) => [r.previous?.figures[spec.key] ?? null, r.entry.figures[spec.key]]),
      ),
      riseVsBaseline: largestRise(
        spec,
        runs.map((r) => [r.baseline?.figures[spec.key] ?? null, r.entry.figures[spec.key]]),
      ),
    };
  });
  return { drill: latest.entry.drill, file, options, runs, latest, figures, warnings: [...warnings] };
}
