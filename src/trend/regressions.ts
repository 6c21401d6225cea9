// Pure: each run of a trend store judged against the run before it and against a rolling baseline
// (the median of the N runs before it). A figure regresses when it is worse by more than both the
// relative and the absolute tolerance; a status or objective regresses when its outcome got worse.
import { median } from "../matrix/aggregate.ts";
import { DEFAULT_TREND_OPTIONS, type Tolerance, type TrendOptions } from "./options.ts";
import type { DrillStatus } from "../summary/types.ts";
import {
  FIGURES,
  OUTCOME_RANK,
  STATUS_RANK,
  type FigureKey,
  type FigureSpec,
  type Figures,
  type Outcome,
} from "./figures.ts";
import type { IndexEntry } from "./index-format.ts";

export { median } from "../matrix/aggregate.ts";

export { DEFAULT_TREND_OPTIONS, type Tolerance, type TrendOptions } from "./options.ts";

export type Against = "previous" | "baseline";

export type Regression =
  | { kind: "figure"; key: FigureKey; against: Against; was: number; now: number | null }
  | { kind: "status"; against: Against; was: DrillStatus; now: DrillStatus }
  | { kind: "objective"; name: string; limit: string; against: Against; was: Outcome; now: Outcome };

export interface Baseline {
  /** How many earlier runs it is the median of (at least two). */
  runs: number;
  figures: Figures;
  status: DrillStatus;
  objectives: Record<string, Outcome>;
}

export interface RunAssessment {
  entry: IndexEntry;
  previous: IndexEntry | null;
  baseline: Baseline | null;
  regressions: Regression[];
  /** The drill's definition differs from the previous run's. */
  drillChanged: boolean;
}

/** The median of ranked outcomes; of an even count the better middle one (so a lone failure stays flagged). */
function medianRanked<T extends string>(values: readonly T[], rank: Record<T, number>): T | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => rank[a] - rank[b]);
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

/** Runs in time order (a stable sort: runs started in the same second keep their appended order). */
export function chronological(entries: readonly IndexEntry[]): IndexEntry[] {
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) =>
      a.entry.startedAt < b.entry.startedAt ? -1 : a.entry.startedAt > b.entry.startedAt ? 1 : a.i - b.i,
    )
    .map((x) => x.entry);
}

export function baselineOf(runs: readonly IndexEntry[]): Baseline | null {
  if (runs.length === 0) return null;
  const figures = Object.fromEntries(
    FIGURES.map(({ key }) => [
      key,
      median(runs.flatMap((r) => (r.figures[key] === null ? [] : [r.figures[key]]))),
    ]),
  ) as Figures;
  const objectives: Record<string, Outcome> = {};
  for (const name of new Set(runs.flatMap((r) => r.objectives.map((o) => o.name)))) {
    const outcomes = runs.flatMap((r) => r.objectives.filter((o) => o.name === name).map((o) => o.outcome));
    objectives[name] = medianRanked(outcomes, OUTCOME_RANK) as Outcome;
  }
  return {
    runs: runs.length,
    figures,
    status: medianRanked(
      runs.map((r) => r.status),
      STATUS_RANK as Record<DrillStatus, number>,
    ) as DrillStatus,
    objectives,
  };
}

/** How much worse `now` is than `was` (positive = worse), for a figure where higher is worse. */
export function worsening(spec: FigureSpec, was: number, now: number): number {
  return spec.worse === "higher" ? now - was : was - now;
}

/** true when `now` is worse than `was` by more than both tolerances, or no longer measured. */
export function figureRegressed(
  spec: FigureSpec,
  was: number | null,
  now: number | null,
  tol: Tolerance,
): boolean {
  if (was === null) return false;
  if (now === null) return true;
  const delta = worsening(spec, was, now);
  const absolute = spec.unit === "ms" ? tol.ms : tol.count;
  return delta > absolute && delta > tol.relative * Math.abs(was);
}

interface Reference {
  against: Against;
  figures: Figures;
  status: DrillStatus;
  objectives: Record<string, Outcome>;
}

function regressionsAgainst(entry: IndexEntry, ref: Reference, tol: Tolerance): Regression[] {
  const found: Regression[] = [];
  if (STATUS_RANK[entry.status]! > STATUS_RANK[ref.status]!) {
    found.push({ kind: "status", against: ref.against, was: ref.status, now: entry.status });
  }
  for (const o of entry.objectives) {
    const was = ref.objectives[o.name];
    if (was !== undefined && OUTCOME_RANK[o.outcome] > OUTCOME_RANK[was]) {
      found.push({
        kind: "objective",
        name: o.name,
        limit: o.limit,
        against: ref.against,
        was,
        now: o.outcome,
      });
    }
  }
  for (const spec of FIGURES) {
    const was = ref.figures[spec.key];
    const now = entry.figures[spec.key];
    if (was !== null && figureRegressed(spec, was, now, tol)) {
      found.push({ kind: "figure", key: spec.key, against: ref.against, was, now });
    }
  }
  return found;
}

const outcomesOf = (e: IndexEntry): Record<string, Outcome> =>
  Object.fromEntries(e.objectives.map((o) => [o.name, o.outcome]));

/** Every run judged against the runs before it, oldest first. */
export function assessRuns(
  entries: readonly IndexEntry[],
  options: TrendOptions = DEFAULT_TREND_OPTIONS,
): RunAssessment[] {
  const runs = chronological(entries);
  return runs.map((entry, i) => {
    const earlier = runs.slice(0, i).filter((r) => !options.sameDrill || r.drillDigest === entry.drillDigest);
    const previous = earlier.at(-1) ?? null;
    // A baseline of one run is the previous run again: it starts at two.
    const window = earlier.slice(-Math.max(1, options.baselineRuns));
    const baseline = window.length < 2 ? null : baselineOf(window);
    const regressions: Regression[] = [];
    if (previous !== null) {
      regressions.push(
        ...regressionsAgainst(
          entry,
          {
            against: "previous",
            figures: previous.figures,
            status: previous.status,
            objectives: outcomesOf(previous),
          },
          options.tolerance,
        ),
      );
    }
    if (baseline !== null) {
      regressions.push(...regressionsAgainst(entry, { against: "baseline", ...baseline }, options.tolerance));
    }
    const before = runs[i - 1];
    return {
      entry,
      previous,
      baseline,
      regressions,
      drillChanged: before !== undefined && before.drillDigest !== entry.drillDigest,
    };
  });
}

/** The newest run's assessment (what `--fail-on-regression` and the notifications judge), or null. */
export function assessLatest(
  entries: readonly IndexEntry[],
  options: TrendOptions = DEFAULT_TREND_OPTIONS,
): RunAssessment | null {
  return assessRuns(entries, options).at(-1) ?? null;
}
