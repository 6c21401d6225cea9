// Words for figures and regressions, shared by the trend, the comparison, the step summary and the
// notification, so each says the same thing.
import { fmtMs } from "../report/format.ts";
import { FIGURES, type FigureKey, type FigureSpec } from "./figures.ts";
import type { Baseline, Regression } from "./regressions.ts";

export const figureSpec = (key: FigureKey): FigureSpec => FIGURES.find((f) => f.key === key)!;

/** A figure's value in its unit: "1.25 s", "12"; "n/a" when not measured. */
export function fmtFigure(spec: Pick<FigureSpec, "unit">, value: number | null | undefined): string {
  if (value === null || value === undefined) return "n/a";
  return spec.unit === "ms" ? fmtMs(value) : String(Math.round(value * 100) / 100);
}

/** "+1.2 s (+35%)": how far `now` is from `was`, signed. */
export function fmtChange(spec: Pick<FigureSpec, "unit">, was: number, now: number): string {
  const delta = now - was;
  if (delta === 0) return "±0";
  const sign = delta > 0 ? "+" : delta < 0 ? "-" : "±";
  const size = fmtFigure(spec, Math.abs(delta));
  const pct = was === 0 ? "" : ` (${sign}${Math.round((Math.abs(delta) / Math.abs(was)) * 100)}%)`;
  return `${sign}${size}${pct}`;
}

export function againstText(against: Regression["against"], baseline: Baseline | null): string {
  if (against === "previous") return "the previous run";
  const n = baseline?.runs ?? 0;
  return `the baseline (median of ${n} run${n === 1 ? "" : "s"})`;
}

/** One regression in a sentence: "RTO max 12.3 s, was 8.8 s in the previous run (+3.5 s (+40%))". */
export function describeRegression(r: Regression, baseline: Baseline | null = null): string {
  const ref = againstText(r.against, baseline);
  switch (r.kind) {
    case "status":
      return `status ${r.now}, was ${r.was} in ${ref}`;
    case "objective":
      return `objective ${r.name} ${r.limit} ${r.now}, was ${r.was} in ${ref}`;
    case "figure": {
      const spec = figureSpec(r.key);
      if (r.now === null) return `${spec.label} not measured, was ${fmtFigure(spec, r.was)} in ${ref}`;
      return (
        `${spec.label} ${fmtFigure(spec, r.now)}, was ${fmtFigure(spec, r.was)} in ${ref} ` +
        `(${fmtChange(spec, r.was, r.now)})`
      );
    }
  }
}
