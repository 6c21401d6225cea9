// The per-client RTO distribution: a histogram of the clients' recovery times over the range the
// drill's parameters predict (shaded), and below it each resolver x connection profile's predicted
// range with its measured p50 and max, so a profile that missed its prediction stands out.
import type { RtoMeasurement, RtoProfile } from "../../summary/types.ts";
import { fmtMs } from "../format.ts";
import {
  chart,
  COLORS,
  esc,
  legend,
  linear,
  n,
  niceTicks,
  coveringTicks,
  text,
  yAxis,
  WIDTH,
  type Area,
} from "./svg.ts";

const PLOT_HEIGHT = 150;
const ROW_PX = 18;
const BAR_COLOR = "#0969da";
const RANGE_COLOR = "#54aeff";

const profileName = (p: RtoProfile): string => `${p.resolver} · ${p.connections}`;

function profileRow(
  p: RtoProfile,
  i: number,
  top: number,
  x: (ms: number) => number,
  hiMs: number,
  area: Area,
): string {
  const y = top + i * ROW_PX + ROW_PX / 2;
  const parts = [text(area.left - 8, y + 4, profileName(p), ' text-anchor="end"')];
  const range = p.predictedRangeMs;
  if (range !== null) {
    const to = Math.min(range[1], hiMs);
    parts.push(
      `<path class="range" d="M${n(x(range[0]))} ${n(y)}L${n(x(to))} ${n(y)}" stroke="${RANGE_COLOR}" stroke-width="6"><title>${esc(`${profileName(p)}: predicted ${fmtMs(range[0])} – ${fmtMs(range[1])}`)}</title></path>`,
    );
    if (range[1] > hiMs) parts.push(text(x(to) + 4, y + 4, `→ ${fmtMs(range[1])}`));
  }
  const measured = `${profileName(p)}: ${p.recovered} of ${p.clients} recovered, p50 ${fmtMs(p.p50Ms)}, max ${fmtMs(p.maxMs)}`;
  if (p.p50Ms !== null)
    parts.push(
      `<circle class="p50" cx="${n(x(Math.min(p.p50Ms, hiMs)))}" cy="${n(y)}" r="4" fill="${BAR_COLOR}"><title>${esc(measured)}</title></circle>`,
    );
  if (p.maxMs !== null) {
    const mx = x(Math.min(p.maxMs, hiMs));
    parts.push(
      `<rect class="max" x="${n(mx - 1.5)}" y="${n(y - 7)}" width="3" height="14" fill="#1f2328"><title>${esc(measured)}</title></rect>`,
    );
  }
  return `<g class="profile">${parts.join("")}</g>`;
}

/** The chart, or null when no client recovered (nothing to draw). */
export function rtoChart(rto: RtoMeasurement): string | null {
  const buckets = rto.histogram;
  if (buckets.length === 0) return null;
  const range = rto.predictedRangeMs;
  const lastTo = buckets.at(-1)!.toMs;
  const profiles = rto.byProfile;
  const lo = Math.min(
    buckets[0]!.fromMs,
    range?.[0] ?? Infinity,
    ...profiles.map((p) => p.predictedRangeMs?.[0] ?? Infinity),
  );
  // A predicted range far beyond every client (a 30 s fixed cache) is cut at twice the slowest bucket.
  const hi = Math.max(lastTo, range === null ? -Infinity : Math.min(range[1], lastTo * 2));
  const area: Area = { left: 170, right: 16, top: 10, bottom: 0 };
  const axisY = area.top + PLOT_HEIGHT;
  const rowsTop = axisY + 40;
  const height = rowsTop + profiles.length * ROW_PX + 28;
  area.bottom = height - axisY;
  const x = linear(lo, hi, area.left, WIDTH - area.right);
  const top = Math.max(...buckets.map((b) => b.clients));
  const yTicks = coveringTicks(Math.max(top, 4), 4);
  const y = linear(0, yTicks.at(-1) ?? 1, axisY, area.top);
  const parts: string[] = [];
  if (range !== null) {
    const from = x(Math.max(lo, range[0]));
    const to = x(Math.min(hi, range[1]));
    parts.push(
      `<rect class="predicted" x="${n(from)}" y="${area.top}" width="${n(Math.max(1, to - from))}" height="${PLOT_HEIGHT}" fill="${COLORS.predicted}"><title>predicted ${esc(fmtMs(range[0]))} – ${esc(fmtMs(range[1]))}</title></rect>`,
    );
  }
  parts.push(...yAxis(area, height, y, yTicks, String, "clients"));
  for (const t of niceTicks(lo, hi, 8)) {
    parts.push(text(x(t), axisY + 14, fmtMs(t), ' text-anchor="middle"'));
  }
  parts.push(
    `<path d="M${area.left} ${axisY}L${WIDTH - area.right} ${axisY}" stroke="${COLORS.axis}"></path>`,
    text(
      (area.left + WIDTH - area.right) / 2,
      axisY + 30,
      "RTO per client (fault → its first acknowledged write)",
      ' text-anchor="middle"',
    ),
  );
  const bars = buckets.map((b) => {
    const bx = x(b.fromMs) + 1;
    const bw = Math.max(1, x(b.toMs) - x(b.fromMs) - 2);
    return `<rect class="bar" x="${n(bx)}" y="${n(y(b.clients))}" width="${n(bw)}" height="${n(axisY - y(b.clients))}" fill="${BAR_COLOR}"><title>${b.clients} client(s): ${esc(fmtMs(b.fromMs))} – ${esc(fmtMs(b.toMs))}</title></rect>`;
  });
  parts.push(`<g class="marks">${bars.join("")}</g>`);
  parts.push(...profiles.map((p, i) => profileRow(p, i, rowsTop, x, hi, area)));
  parts.push(
    ...legend(area.left, height - 8, [
      ["clients per bucket", BAR_COLOR],
      ["predicted range (all clients)", COLORS.predicted],
      ["predicted range per profile", RANGE_COLOR],
    ]),
    text(WIDTH - area.right, height - 8, "● p50   ▮ max (measured)", ' text-anchor="end"'),
  );
  const desc =
    `The RTO of each of the ${rto.clientsRecovered} recovered client(s) as a histogram` +
    (range === null ? "" : `, over the predicted range ${fmtMs(range[0])} – ${fmtMs(range[1])} (shaded)`) +
    (rto.clientsNotRecovered > 0
      ? `; ${rto.clientsNotRecovered} client(s) never recovered and are not drawn`
      : "") +
    ". Below, each resolver and connection profile's predicted range with its measured p50 (dot) and max (bar).";
  return chart("rto histogram", height, "Client RTO distribution against the predicted range", desc, parts);
}
