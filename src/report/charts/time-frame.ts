// The frame the three time charts share (throughput, latency, replication lag): the same x axis on the
// drill clock, the fault windows shaded behind the marks and the failover's milestones over them, so
// the charts line up one above the other.
import type { MarkerKind, RunSeries } from "../../summary/series.ts";
import {
  faultBands,
  layoutMarkers,
  linear,
  markerLines,
  markerRowsPx,
  timeAxis,
  WIDTH,
  type Area,
  type Scale,
} from "./svg.ts";

export interface TimeFrame {
  area: Area;
  /** The SVG's height: marker labels, the plot, the x axis, the legend. */
  height: number;
  x: Scale;
  /** The plot's bottom edge (the x axis). */
  baseline: number;
  /** Fault bands and the x axis with its grid: draw before the marks. */
  behind: string[];
  /** The milestones: draw after the marks. */
  over: string[];
  /** Where the legend's baseline goes. */
  legendY: number;
}

export const TIME_LEFT = 64;

export function timeFrame(series: RunSeries, plotHeight: number, axisLabel: string): TimeFrame {
  const { fromMs, toMs } = series;
  const x = linear(fromMs, toMs, TIME_LEFT, WIDTH - 16);
  const layout = layoutMarkers(series.markers, x, fromMs, toMs);
  const area: Area = { left: TIME_LEFT, right: 16, top: 8 + markerRowsPx(layout), bottom: 58 };
  const height = area.top + plotHeight + area.bottom;
  return {
    area,
    height,
    x,
    baseline: area.top + plotHeight,
    behind: [
      ...faultBands(area, height, x, series.faults, fromMs, toMs),
      ...timeAxis(area, height, x, fromMs, toMs, axisLabel),
    ],
    over: markerLines(area, height, x, layout),
    legendY: height - 6,
  };
}

const MARKER_NAMES: Record<MarkerKind, string> = {
  fault: "the fault",
  detection: "the primary declared down",
  writable: "the promoted region writable",
  dns: "the DNS switch",
  "first-client": "the first client back",
  "last-client": "the last client back",
};

/** What the shading and the dashed lines on the time charts are, naming only the milestones present. */
export function markerCaption(series: RunSeries): string {
  const kinds = [...new Set(series.markers.map((m) => m.kind))].map((k) => MARKER_NAMES[k]);
  return (
    (series.faults.length === 0 ? "" : " Shaded: the fault window.") +
    (kinds.length === 0 ? "" : ` Dashed: ${kinds.join(", ")}.`)
  );
}
