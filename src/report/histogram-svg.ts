// The RTO histogram as inline SVG for report.html: one bar per bucket of clients, the predicted range
// as a shaded band behind them. Self-contained (no script, no fonts to fetch), readable without colour:
// the axis says the times and each bar's title the count.
import type { RtoMeasurement } from "../summary/types.ts";
import { fmtMs } from "./format.ts";

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 36, right: 12, top: 10, bottom: 34 };

const esc = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

export function rtoHistogramSvg(rto: RtoMeasurement): string | null {
  const buckets = rto.histogram;
  if (buckets.length === 0) return null;
  const range = rto.predictedRangeMs;
  const lo = Math.min(buckets[0]!.fromMs, range?.[0] ?? Infinity);
  const hi = Math.max(
    buckets.at(-1)!.toMs,
    range === null ? -Infinity : Math.min(range[1], buckets.at(-1)!.toMs * 2),
  );
  const x = (ms: number): number => PAD.left + ((ms - lo) / (hi - lo || 1)) * (WIDTH - PAD.left - PAD.right);
  const top = Math.max(...buckets.map((b) => b.clients));
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (n: number): number => PAD.top + plotH - (n / top) * plotH;
  const parts: string[] = [];
  if (range !== null) {
    const from = x(Math.max(lo, range[0]));
    const to = x(Math.min(hi, range[1]));
    parts.push(
      `<rect x="${from.toFixed(1)}" y="${PAD.top}" width="${Math.max(1, to - from).toFixed(1)}" height="${plotH}" fill="#ddf4ff"><title>predicted ${esc(fmtMs(range[0]))} – ${esc(fmtMs(range[1]))}</title></rect>`,
    );
  }
  for (const b of buckets) {
    const bx = x(b.fromMs) + 1;
    const bw = Math.max(1, x(b.toMs) - x(b.fromMs) - 2);
    parts.push(
      `<rect class="bar" x="${bx.toFixed(1)}" y="${y(b.clients).toFixed(1)}" width="${bw.toFixed(1)}" height="${(PAD.top + plotH - y(b.clients)).toFixed(1)}" fill="#0969da"><title>${b.clients} client(s): ${esc(fmtMs(b.fromMs))} – ${esc(fmtMs(b.toMs))}</title></rect>`,
    );
  }
  const axisY = PAD.top + plotH;
  parts.push(
    `<rect x="${PAD.left}" y="${axisY}" width="${WIDTH - PAD.left - PAD.right}" height="1" fill="#57606a"></rect>`,
  );
  for (const ms of [lo, (lo + hi) / 2, hi]) {
    parts.push(
      `<text x="${x(ms).toFixed(1)}" y="${axisY + 16}" font-size="11" text-anchor="middle" fill="#57606a">${esc(fmtMs(Math.round(ms)))}</text>`,
    );
  }
  parts.push(`<text x="4" y="${PAD.top + 10}" font-size="11" fill="#57606a">${top}</text>`);
  parts.push(
    `<text x="${WIDTH / 2}" y="${HEIGHT - 2}" font-size="11" text-anchor="middle" fill="#57606a">RTO per client (bars: clients; band: predicted range)</text>`,
  );
  // Lower-case attributes only (no viewBox): the page stays plain HTML that any checker can walk.
  return `<svg class="histogram" role="img" aria-label="RTO per client" width="${WIDTH}" height="${HEIGHT}">${parts.join("")}</svg>`;
}
