// What the report's charts share: escaping, scales, ticks, axes, the fault bands and the failover's
// milestone markers. Inline SVG with lower-case attributes only (no viewBox), so the page stays plain
// HTML with no script, font or file to fetch; every chart has a <title> and a <desc> for screen readers.
import type { FaultSpan, MarkerKind, SeriesMarker } from "../../summary/series.ts";

export const WIDTH = 960;

export const COLORS = {
  ok: "#2da44e",
  fail: "#cf222e",
  info: "#bf8700",
  muted: "#57606a",
  grid: "#eaeef2",
  axis: "#8c959f",
  fault: "#ffebe9",
  predicted: "#ddf4ff",
} as const;

/** A milestone's colour; the phase that ends at it (phase bar) has the same. */
export const MARKER_COLORS: Record<MarkerKind, string> = {
  fault: "#cf222e",
  detection: "#9a6700",
  writable: "#8250df",
  dns: "#0969da",
  "first-client": "#1a7f37",
  "last-client": "#1a7f37",
};

export const esc = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );

/** A coordinate to one decimal, without a trailing ".0". */
export const n = (v: number): string => String(Math.round(v * 10) / 10);

export interface Area {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export type Scale = (v: number) => number;

export function linear(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export function log10Scale(d0: number, d1: number, r0: number, r1: number): Scale {
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0 || 1;
  return (v) => r0 + ((Math.log10(Math.max(v, d0)) - l0) / span) * (r1 - r0);
}

/** Round steps (1, 2, 5 x 10^k) from lo to hi, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** niceTicks from 0 extended by one step when the last falls short of hi: the top tick bounds the axis. */
export function coveringTicks(hi: number, count = 4): number[] {
  const ticks = niceTicks(0, hi, count);
  const step = (ticks[1] ?? 1) - (ticks[0] ?? 0);
  while ((ticks.at(-1) ?? 0) < hi) ticks.push(Number(((ticks.at(-1) ?? 0) + step).toPrecision(12)));
  return ticks;
}

/** Powers of ten covering [lo, hi], with 2 and 5 between them when the range spans at most two decades. */
export function logTicks(lo: number, hi: number): number[] {
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  const ticks: number[] = [];
  for (let k = from; k <= to; k++) {
    const decade = 10 ** k;
    for (const m of to - from <= 2 ? [1, 2, 5] : [1]) {
      const t = Number((m * decade).toPrecision(12));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  return ticks;
}

/** The decades around every value: [10^floor(log10 min), 10^ceil(log10 max)]. */
export function logDomain(values: readonly number[], floor = 0.01): [number, number] {
  const positive = values.map((v) => Math.max(v, floor));
  const lo = 10 ** Math.floor(Math.log10(Math.min(...positive)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)));
  return [lo, hi > lo ? hi : lo * 10];
}

export function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}" font-size="11" fill="${COLORS.muted}"${attrs}>${esc(content)}</text>`;
}

export function hline(area: Area, y: number, color: string = COLORS.grid): string {
  return `<path d="M${n(area.left)} ${n(y)}L${n(WIDTH - area.right)} ${n(y)}" stroke="${color}"></path>`;
}

/** The whole chart: <title> and <desc> first, so assistive technology names and describes it. */
export function chart(
  cls: string,
  height: number,
  title: string,
  desc: string,
  body: readonly string[],
): string {
  return (
    `<svg class="chart ${cls}" role="img" width="${WIDTH}" height="${height}" font-family="system-ui, sans-serif">` +
    `<title>${esc(title)}</title><desc>${esc(desc)}</desc>${body.join("")}</svg>`
  );
}

/** Seconds on the drill clock, e.g. 12000 -> "12 s". */
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/** The x axis of the time charts: ticks in seconds of the drill clock and the axis label. */
export function timeAxis(
  area: Area,
  height: number,
  x: Scale,
  fromMs: number,
  toMs: number,
  label: string,
): string[] {
  const y = height - area.bottom;
  const parts = [hline(area, y, COLORS.axis)];
  for (const t of niceTicks(fromMs / 1000, toMs / 1000, 10)) {
    const px = x(t * 1000);
    parts.push(
      `<path d="M${n(px)} ${n(area.top)}L${n(px)} ${n(y)}" stroke="${COLORS.grid}"></path>`,
      text(px, y + 14, seconds(t * 1000), ' text-anchor="middle"'),
    );
  }
  parts.push(text((area.left + WIDTH - area.right) / 2, y + 30, label, ' text-anchor="middle"'));
  return parts;
}

/** The y axis: a label per tick, grid lines across, the axis title turned up the left side. */
export function yAxis(
  area: Area,
  height: number,
  y: Scale,
  ticks: readonly number[],
  fmt: (v: number) => string,
  label: string,
): string[] {
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(hline(area, y(t)), text(area.left - 6, y(t) + 4, fmt(t), ' text-anchor="end"'));
  }
  const mid = (area.top + height - area.bottom) / 2;
  if (label !== "")
    parts.push(text(14, mid, label, ` text-anchor="middle" transform="rotate(-90 14 ${n(mid)})"`));
  return parts;
}

/** Each fault's window as a shaded band behind the marks, clipped to the chart, named in its title. */
export function faultBands(
  area: Area,
  height: number,
  x: Scale,
  faults: readonly FaultSpan[],
  fromMs: number,
  toMs: number,
): string[] {
  return faults.flatMap((f) => {
    const from = Math.max(fromMs, f.fromMs);
    const to = Math.min(toMs, f.toMs ?? toMs);
    if (to <= from) return [];
    const until = f.toMs === null ? "never healed" : `healed at ${seconds(f.toMs)}`;
    return [
      `<rect class="fault-window" x="${n(x(from))}" y="${n(area.top)}" width="${n(Math.max(1, x(to) - x(from)))}" height="${n(height - area.bottom - area.top)}" fill="${COLORS.fault}"><title>fault ${f.fault}: ${esc(f.description)}, from ${seconds(f.fromMs)}, ${until}</title></rect>`,
    ];
  });
}

const LABEL_ROW_PX = 13;
const CHAR_PX = 6.2;
const MAX_LABEL_ROWS = 6;

export interface MarkerLayout {
  /** Rows of labels above the plot: the plot's top margin grows by rows x 13 px. */
  rows: number;
  placed: Array<{ marker: SeriesMarker; row: number; anchorEnd: boolean }>;
}

/** Labels left to right, each on the first row where it does not overlap the previous label. */
export function layoutMarkers(
  markers: readonly SeriesMarker[],
  x: Scale,
  fromMs: number,
  toMs: number,
): MarkerLayout {
  const rowEnds: number[] = [];
  const placed: MarkerLayout["placed"] = [];
  for (const marker of markers) {
    if (marker.tMs < fromMs || marker.tMs > toMs) continue;
    const px = x(marker.tMs);
    const w = marker.label.length * CHAR_PX + 6;
    const anchorEnd = px + w > WIDTH - 4;
    const [start, end] = anchorEnd ? [px - w, px] : [px, px + w];
    let row = rowEnds.findIndex((e) => e < start);
    if (row === -1) row = rowEnds.length < MAX_LABEL_ROWS ? rowEnds.length : rowEnds.length - 1;
    rowEnds[row] = end;
    placed.push({ marker, row, anchorEnd });
  }
  return { rows: rowEnds.length, placed };
}

export const markerRowsPx = (layout: MarkerLayout): number => layout.rows * LABEL_ROW_PX;

/** A dashed line per milestone through the plot, its label in its row above it. */
export function markerLines(area: Area, height: number, x: Scale, layout: MarkerLayout): string[] {
  const labelsTop = area.top - markerRowsPx(layout);
  return layout.placed.map(({ marker, row, anchorEnd }) => {
    const px = x(marker.tMs);
    const color = MARKER_COLORS[marker.kind];
    const ly = labelsTop + row * LABEL_ROW_PX + 10;
    const lx = anchorEnd ? px - 3 : px + 3;
    return (
      `<g class="marker" data-kind="${marker.kind}"><title>${esc(marker.label)} at ${esc(seconds(marker.tMs))}</title>` +
      `<path d="M${n(px)} ${n(ly - 9)}L${n(px)} ${n(height - area.bottom)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"></path>` +
      `<text class="marker-label" x="${n(lx)}" y="${n(ly)}" font-size="11" font-weight="600" fill="${color}"${anchorEnd ? ' text-anchor="end"' : ""}>${esc(marker.label)}</text></g>`
    );
  });
}

/** A row of swatches with their names, left to right from (x, y). */
export function legend(x: number, y: number, items: ReadonlyArray<[label: string, color: string]>): string[] {
  let at = x;
  return items.map(([label, color]) => {
    const item =
      `<rect x="${n(at)}" y="${n(y - 9)}" width="10" height="10" fill="${color}"></rect>` +
      text(at + 14, y, label);
    at += 14 + label.length * CHAR_PX + 16;
    return item;
  });
}
