// Replication lag over time per standby, from the database monitor's samples: replay lag in ms (as
// PostgreSQL's pg_stat_replication reports it) above the WAL bytes not yet replayed, on the time
// charts' x axis. A line breaks where a standby stopped being listed (its node down, or promoted).
import type { LagPoint, RunSeries } from "../../summary/series.ts";
import { fmtBytes, fmtMs } from "../format.ts";
import { chart, esc, legend, linear, n, coveringTicks, yAxis, type Area, type Scale } from "./svg.ts";
import { markerCaption, timeFrame } from "./time-frame.ts";

const PANEL_HEIGHT = 110;
const PANEL_GAP = 20;
const PALETTE = ["#0969da", "#8250df", "#bf3989", "#1a7f37", "#bc4c00", "#57606a"];
/** Above this many points in all, the lines are drawn without a dot per sample. */
const MAX_DOTS = 400;

interface Panel {
  label: string;
  /** Which figure of a point: 1 = ms, 2 = bytes. */
  field: 1 | 2;
  fmt: (v: number) => string;
}

const PANELS: readonly Panel[] = [
  { label: "replay lag", field: 1, fmt: (v) => fmtMs(v) },
  { label: "WAL behind", field: 2, fmt: (v) => fmtBytes(v) },
];

function path(points: readonly LagPoint[], field: 1 | 2, x: Scale, y: Scale): string {
  let d = "";
  let pen = false;
  for (const p of points) {
    const v = p[field];
    if (v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${n(x(p[0]))} ${n(y(v))}`;
    pen = true;
  }
  return d;
}

function panel(
  series: RunSeries,
  area: Area,
  height: number,
  x: Scale,
  top: number,
  p: Panel,
  dots: boolean,
): string[] {
  const bottom = top + PANEL_HEIGHT;
  const values = series.replicationLag.standbys.flatMap((s) =>
    s.points.flatMap((pt) => (pt[p.field] === null ? [] : [pt[p.field] as number])),
  );
  const ticks = coveringTicks(Math.max(1, ...values), 3);
  const y = linear(0, ticks.at(-1) ?? 1, bottom, top);
  const panelArea: Area = { ...area, top, bottom: height - bottom };
  const lines = series.replicationLag.standbys.map((s, i) => {
    const color = PALETTE[i % PALETTE.length] as string;
    const d = path(s.points, p.field, x, y);
    const circles = dots
      ? s.points
          .filter((pt) => pt[p.field] !== null)
          .map((pt) => `<circle cx="${n(x(pt[0]))}" cy="${n(y(pt[p.field] as number))}" r="2"></circle>`)
          .join("")
      : "";
    return (
      `<g class="lag ${p.field === 1 ? "ms" : "bytes"}" fill="${color}"><title>${esc(s.standby)}: ${p.label}</title>` +
      (d === ""
        ? ""
        : `<path class="lag-line" d="${d}" fill="none" stroke="${color}" stroke-width="1.5"></path>`) +
      circles +
      "</g>"
    );
  });
  return [...yAxis(panelArea, height, y, ticks, p.fmt, p.label), `<g class="marks">${lines.join("")}</g>`];
}

/** The chart, or null when no sample listed a standby. */
export function replicationChart(series: RunSeries): string | null {
  const lag = series.replicationLag;
  if (lag.standbys.length === 0) return null;
  const plotHeight = PANEL_HEIGHT * 2 + PANEL_GAP;
  const frame = timeFrame(series, plotHeight, "drill clock (sample time)");
  const { area, x } = frame;
  const total = lag.standbys.reduce((sum, s) => sum + s.points.length, 0);
  const dots = total <= MAX_DOTS;
  const names = lag.standbys.map((s) => s.standby).join(", ");
  const desc =
    `Replication lag of each standby (${names}) as its primary reported it, sampled every ` +
    `${lag.sampleMs ?? "?"} ms: replay lag in milliseconds above, WAL bytes not yet replayed below. ` +
    "A line stops where the standby was no longer listed (its node down, or promoted)." +
    markerCaption(series);
  return chart("replication", frame.height, "Replication lag over time per standby", desc, [
    ...frame.behind,
    ...panel(series, area, frame.height, x, area.top, PANELS[0] as Panel, dots),
    ...panel(series, area, frame.height, x, area.top + PANEL_HEIGHT + PANEL_GAP, PANELS[1] as Panel, dots),
    ...frame.over,
    ...legend(
      area.left,
      frame.legendY,
      lag.standbys.map((s, i): [string, string] => [s.standby, PALETTE[i % PALETTE.length] as string]),
    ),
  ]);
}
