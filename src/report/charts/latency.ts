// Write latency over time, as Jepsen's latency-raw plot: each write a point at its invoke time and
// its latency on a log scale, coloured by outcome. Above a few thousand writes the series lists every
// n-th write of each outcome (src/checkers/series.ts), and the chart says so.
import type { LatencyPoint, RunSeries } from "../../summary/series.ts";
import { fmtMs } from "../format.ts";
import { chart, COLORS, legend, log10Scale, logDomain, logTicks, n, text, WIDTH, yAxis } from "./svg.ts";
import { markerCaption, timeFrame } from "./time-frame.ts";

const PLOT_HEIGHT = 220;
/** Drawn in this order, so the rarer outcomes sit on top of the acknowledged writes. */
const OUTCOMES = ["ok", "info", "fail"] as const;

const ordinal = (k: number): string => (k === 2 ? "2nd" : k === 3 ? "3rd" : `${k}th`);

/** What the chart shows of the run's writes, in words. */
export function samplingNote(series: RunSeries): string {
  const l = series.latency;
  return l.every === 1
    ? `all ${l.total} completed writes`
    : `every ${ordinal(l.every)} write of each outcome: ${l.kept} of ${l.total} completed writes`;
}

/** The chart, or null when no write completed. */
export function latencyChart(series: RunSeries): string | null {
  const l = series.latency;
  const all: LatencyPoint[] = [...l.ok, ...l.fail, ...l.info];
  if (all.length === 0) return null;
  const frame = timeFrame(series, PLOT_HEIGHT, "drill clock (invoke time)");
  const { area, x, baseline } = frame;
  const [lo, hi] = logDomain(all.map((p) => p[1]));
  const y = log10Scale(lo, hi, baseline, area.top);
  const groups = OUTCOMES.map((o) => {
    const dots = l[o].map(([t, ms]) => `<circle cx="${n(x(t))}" cy="${n(y(ms))}" r="1.8"></circle>`).join("");
    return `<g class="points ${o}" fill="${COLORS[o]}" fill-opacity="0.7"><title>${o}: ${l[o].length} write(s) shown</title>${dots}</g>`;
  });
  const shown = samplingNote(series);
  const desc =
    `Each write as a point: when it was invoked (drill clock) against how long it took to complete, on ` +
    `a log scale, coloured by outcome (ok, fail, info). Shown: ${shown}.` +
    markerCaption(series);
  return chart("latency", frame.height, "Write latency over time", desc, [
    ...frame.behind,
    ...yAxis(area, frame.height, y, logTicks(lo, hi), (v) => fmtMs(v), "latency (log scale)"),
    `<g class="marks">${groups.join("")}</g>`,
    ...frame.over,
    ...legend(area.left, frame.legendY, [
      ["ok", COLORS.ok],
      ["fail", COLORS.fail],
      ["info (unknown)", COLORS.info],
    ]),
    text(WIDTH - area.right, frame.legendY, `showing ${shown}`, ' text-anchor="end" class="sampling"'),
  ]);
}
