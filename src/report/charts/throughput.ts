// Throughput over time: writes completed per second in small buckets, stacked ok / fail / info, with
// the fault window shaded and the failover's milestones marked, so the outage and the recovery read
// at a glance.
import type { RunSeries } from "../../summary/series.ts";
import { chart, COLORS, esc, legend, linear, n, coveringTicks, yAxis } from "./svg.ts";
import { markerCaption, timeFrame } from "./time-frame.ts";

const PLOT_HEIGHT = 180;
const OUTCOMES = ["ok", "fail", "info"] as const;

const fmtRate = (v: number): string => `${Number(v.toPrecision(3))}/s`;
const fmtS = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** The chart, or null when no write completed (the caller says so in words). */
export function throughputChart(series: RunSeries): string | null {
  const t = series.throughput;
  const buckets = t.ok.length;
  const totals = t.ok.map((ok, i) => ok + (t.fail[i] ?? 0) + (t.info[i] ?? 0));
  if (totals.every((c) => c === 0)) return null;
  const perSecond = 1000 / t.bucketMs;
  const frame = timeFrame(series, PLOT_HEIGHT, "drill clock (completion time)");
  const { area, x, baseline } = frame;
  const yTicks = coveringTicks(Math.max(...totals) * perSecond, 4);
  const y = linear(0, yTicks.at(-1) ?? 1, baseline, area.top);
  const bars: string[] = [];
  for (let i = 0; i < buckets; i++) {
    if (totals[i] === 0) continue;
    const fromMs = t.fromMs + i * t.bucketMs;
    const x0 = x(fromMs);
    const w = x(Math.min(series.toMs, fromMs + t.bucketMs)) - x0;
    const gap = w > 4 ? 1 : 0;
    let stacked = 0;
    const rects = OUTCOMES.flatMap((o) => {
      const count = t[o][i] ?? 0;
      if (count === 0) return [];
      const top = y((stacked + count) * perSecond);
      const bottom = y(stacked * perSecond);
      stacked += count;
      return [
        `<rect class="bar ${o}" x="${n(x0)}" y="${n(top)}" width="${n(Math.max(0.5, w - gap))}" height="${n(bottom - top)}" fill="${COLORS[o]}"></rect>`,
      ];
    });
    const what = OUTCOMES.map((o) => `${t[o][i] ?? 0} ${o}`).join(", ");
    bars.push(
      `<g class="bucket"><title>${esc(`${fmtS(fromMs)} – ${fmtS(fromMs + t.bucketMs)}: ${what} (${fmtRate((totals[i] ?? 0) * perSecond)})`)}</title>${rects.join("")}</g>`,
    );
  }
  const desc =
    `Writes completed per second in ${t.bucketMs} ms buckets from ${fmtS(series.fromMs)} to ${fmtS(series.toMs)} ` +
    "on the drill clock, stacked by outcome: ok (acknowledged), fail (definitely not applied), info " +
    "(outcome unknown)." +
    markerCaption(series);
  return chart("throughput", frame.height, "Throughput over time", desc, [
    ...frame.behind,
    ...yAxis(area, frame.height, y, yTicks, fmtRate, "writes per second"),
    `<g class="marks">${bars.join("")}</g>`,
    ...frame.over,
    ...legend(area.left, frame.legendY, [
      ["ok", COLORS.ok],
      ["fail", COLORS.fail],
      ["info (unknown)", COLORS.info],
      ["fault window", COLORS.fault],
    ]),
  ]);
}
