// The phase bar: the failover split into detection | promotion | DNS propagation | client recovery,
// measured (fault -> the last client's recovery) above what the drill's parameters predict, on one
// axis of time after the fault. Each phase has its milestone's colour from the time charts.
import type { Summary } from "../../summary/types.ts";
import { fmtMs } from "../format.ts";
import { chart, COLORS, esc, legend, linear, MARKER_COLORS, n, niceTicks, text, WIDTH } from "./svg.ts";

export type Phase = "detection" | "promotion" | "dns" | "recovery";

export interface Segment {
  phase: Phase;
  fromMs: number;
  toMs: number;
  /** Written on the segment when it is wide enough. */
  label: string;
  /** Its title: the figure and what it rests on. */
  detail: string;
  /** Not predicted: the measured value stands in, drawn grey. */
  notPredicted?: boolean;
  /** A predicted range for the segment's end, drawn as a whisker. */
  rangeMs?: [number, number];
}

export interface PhaseRows {
  measured: Segment[];
  /** null when the failover is not the drill's to predict (external manager). */
  predicted: Segment[] | null;
  /** The clients' predicted RTO range (fault -> recovered), drawn as its own row. */
  rtoRangeMs: [number, number] | null;
  rtoMaxMs: number | null;
}

export const PHASE_COLORS: Record<Phase, string> = {
  detection: MARKER_COLORS.detection,
  promotion: MARKER_COLORS.writable,
  dns: MARKER_COLORS.dns,
  recovery: MARKER_COLORS["last-client"],
};

const PHASE_NAMES: Record<Phase, string> = {
  detection: "detection",
  promotion: "promotion",
  dns: "DNS propagation",
  recovery: "client recovery",
};

/** The rows of the phase bar, or null without a measured failover (no detection, no promotion). */
export function phaseRows(s: Summary): PhaseRows | null {
  const m = s.measurements;
  const p = s.predicted;
  const det = m.detection.ms;
  const prom = m.promotion.ms;
  if (det === null && prom === null) return null;
  const measured: Segment[] = [];
  let end = 0;
  const push = (row: Segment[], seg: Omit<Segment, "fromMs" | "toMs">, ms: number): void => {
    row.push({ ...seg, fromMs: end, toMs: end + Math.max(0, ms) });
    end += Math.max(0, ms);
  };
  if (det !== null)
    push(
      measured,
      {
        phase: "detection",
        label: `detection ${fmtMs(det)}`,
        detail: `fault → primary declared down: ${fmtMs(det)}`,
      },
      det,
    );
  if (prom !== null)
    push(
      measured,
      det === null
        ? {
            phase: "promotion",
            label: `fault → writable ${fmtMs(prom)}`,
            detail: `fault → writable (detection not observable): ${fmtMs(prom)}`,
          }
        : {
            phase: "promotion",
            label: `promotion ${fmtMs(prom)}`,
            detail: `declared down → writable: ${fmtMs(prom)}`,
          },
      prom,
    );
  const dnsMs = prom === null ? null : m.dnsSwitch.clientLastMs;
  if (dnsMs !== null)
    push(
      measured,
      {
        phase: "dns",
        label: `DNS ${fmtMs(dnsMs)}`,
        detail: `writable → last client resolved the new address: ${fmtMs(dnsMs)}`,
      },
      dnsMs,
    );
  const rtoMax = m.rto.maxMs;
  if (rtoMax !== null && prom !== null)
    push(
      measured,
      {
        phase: "recovery",
        label: `recovery ${fmtMs(Math.max(0, rtoMax - end))}`,
        detail: `until the last client's first acknowledged write after the fault (RTO max ${fmtMs(rtoMax)})`,
      },
      rtoMax - end,
    );

  let predicted: Segment[] | null = null;
  if (s.drill.controller.mode !== "external") {
    predicted = [];
    end = 0;
    push(
      predicted,
      {
        phase: "detection",
        label: `detection ${fmtMs(p.detectionMs)}`,
        detail: `interval × threshold: ${fmtMs(p.detectionMs)} (range ${fmtMs(p.detectionRangeMs[0])} – ${fmtMs(p.detectionRangeMs[1])})`,
        rangeMs: p.detectionRangeMs,
      },
      p.detectionMs,
    );
    if (p.writableRangeMs !== undefined) {
      push(
        predicted,
        {
          phase: "promotion",
          label: "promotion",
          detail: `writable ${fmtMs(p.writableRangeMs[0])} – ${fmtMs(p.writableRangeMs[1])} after the fault (the manager's timers)`,
          rangeMs: p.writableRangeMs,
        },
        p.writableRangeMs[1] - end,
      );
    } else if (prom !== null) {
      push(
        predicted,
        {
          phase: "promotion",
          label: "not predicted",
          detail: `promotion is not predicted; the measured ${fmtMs(prom)} stands in`,
          notPredicted: true,
        },
        prom,
      );
    }
    const viaDns = s.drill.controller.mode !== "client";
    if (viaDns)
      push(
        predicted,
        {
          phase: "dns",
          label: `≤ TTL ${fmtMs(p.ttlMs)}`,
          detail: `a client's cached answer lives at most the TTL: ${fmtMs(p.ttlMs)}`,
        },
        p.ttlMs,
      );
    const recovery = p.clientOpIntervalMs + s.drill.workload.requestTimeoutMs;
    push(
      predicted,
      {
        phase: "recovery",
        label: `≤ ${fmtMs(recovery)}`,
        detail: `one write interval (${fmtMs(p.clientOpIntervalMs)}) and one request timeout (${fmtMs(s.drill.workload.requestTimeoutMs)})`,
      },
      recovery,
    );
  }
  return { measured, predicted, rtoRangeMs: m.rto.predictedRangeMs, rtoMaxMs: rtoMax };
}

const ROW_H = 26;
const ROW_GAP = 14;
const LEFT = 120;
const CHAR_PX = 6.2;

/** The chart, or null without a measured failover. */
export function phaseChart(s: Summary): string | null {
  const rows = phaseRows(s);
  if (rows === null) return null;
  const all = [...rows.measured, ...(rows.predicted ?? [])];
  const maxMs = Math.max(
    1,
    ...all.map((seg) => Math.max(seg.toMs, seg.rangeMs?.[1] ?? 0)),
    rows.rtoRangeMs?.[1] ?? 0,
    rows.rtoMaxMs ?? 0,
  );
  const x = linear(0, maxMs * 1.02, LEFT, WIDTH - 16);
  const named: Array<[string, Segment[] | "rto"]> = [["measured", rows.measured]];
  if (rows.predicted !== null) named.push(["predicted", rows.predicted]);
  if (rows.rtoRangeMs !== null) named.push(["predicted RTO", "rto"]);
  const top = 8;
  const axisY = top + named.length * (ROW_H + ROW_GAP);
  const height = axisY + 58;
  const parts: string[] = [];
  for (const t of niceTicks(0, maxMs * 1.02, 8)) {
    parts.push(
      `<path d="M${n(x(t))} ${top}L${n(x(t))} ${axisY}" stroke="${COLORS.grid}"></path>`,
      text(x(t), axisY + 14, fmtMs(t), ' text-anchor="middle"'),
    );
  }
  parts.push(
    `<path d="M${LEFT} ${axisY}L${WIDTH - 16} ${axisY}" stroke="${COLORS.axis}"></path>`,
    text((LEFT + WIDTH - 16) / 2, axisY + 30, "time after the fault", ' text-anchor="middle"'),
  );
  named.forEach(([name, row], i) => {
    const y = top + i * (ROW_H + ROW_GAP);
    parts.push(text(LEFT - 8, y + ROW_H / 2 + 4, name, ' text-anchor="end" font-weight="600"'));
    if (row === "rto") {
      const [lo, hi] = rows.rtoRangeMs as [number, number];
      parts.push(
        `<rect class="rto-range" x="${n(x(lo))}" y="${n(y + 4)}" width="${n(Math.max(1, x(hi) - x(lo)))}" height="${ROW_H - 8}" fill="${COLORS.predicted}" stroke="#54aeff"><title>${esc(`the clients' predicted RTO: ${fmtMs(lo)} – ${fmtMs(hi)}`)}</title></rect>`,
        text(x(lo) + 4, y + ROW_H / 2 + 4, `${fmtMs(lo)} – ${fmtMs(hi)}`),
      );
      if (rows.rtoMaxMs !== null)
        parts.push(
          `<rect class="rto-max" x="${n(x(rows.rtoMaxMs) - 1.5)}" y="${n(y)}" width="3" height="${ROW_H}" fill="#1f2328"><title>${esc(`measured RTO max ${fmtMs(rows.rtoMaxMs)}`)}</title></rect>`,
        );
      return;
    }
    const predicted = name === "predicted";
    parts.push(`<g class="phases ${name}">${row.map((seg) => segment(seg, y, x, predicted)).join("")}</g>`);
  });
  parts.push(
    ...legend(
      LEFT,
      height - 8,
      (Object.keys(PHASE_NAMES) as Phase[]).map((ph): [string, string] => [
        PHASE_NAMES[ph],
        PHASE_COLORS[ph],
      ]),
    ),
    text(WIDTH - 16, height - 8, "grey: not predicted (measured shown)", ' text-anchor="end"'),
  );
  const words = (row: Segment[]): string =>
    row.map((seg) => `${PHASE_NAMES[seg.phase]} ${fmtMs(seg.toMs - seg.fromMs)}`).join(", ");
  const desc =
    `The failover's phases after the fault. Measured: ${words(rows.measured)}.` +
    (rows.predicted === null
      ? " Not predicted: the failover manager is external."
      : ` Predicted: ${words(rows.predicted)}.`) +
    (rows.rtoRangeMs === null
      ? ""
      : ` The clients' predicted RTO is ${fmtMs(rows.rtoRangeMs[0])} – ${fmtMs(rows.rtoRangeMs[1])}.`);
  return chart("phases", height, "Failover phases: measured against predicted", desc, parts);
}

function segment(seg: Segment, y: number, x: (ms: number) => number, predicted: boolean): string {
  const x0 = x(seg.fromMs);
  const w = Math.max(seg.toMs > seg.fromMs ? 1 : 0, x(seg.toMs) - x0);
  const color = seg.notPredicted === true ? "#d0d7de" : PHASE_COLORS[seg.phase];
  const fill = `fill="${color}"${predicted && seg.notPredicted !== true ? ' fill-opacity="0.45"' : ""}`;
  const textColor = predicted ? "#1f2328" : "#ffffff";
  const parts = [
    `<rect class="phase ${seg.phase}" x="${n(x0)}" y="${n(y)}" width="${n(w)}" height="${ROW_H}" ${fill} stroke="#ffffff"><title>${esc(`${PHASE_NAMES[seg.phase]}: ${seg.detail}`)}</title></rect>`,
  ];
  if (seg.label.length * CHAR_PX + 8 < w)
    parts.push(
      `<text x="${n(x0 + 4)}" y="${n(y + ROW_H / 2 + 4)}" font-size="11" fill="${textColor}">${esc(seg.label)}</text>`,
    );
  if (seg.rangeMs !== undefined) {
    const [a, b] = seg.rangeMs.map(x) as [number, number];
    const cy = y + ROW_H + 4;
    parts.push(
      `<path class="whisker" d="M${n(a)} ${n(cy - 3)}V${n(cy + 3)}M${n(a)} ${n(cy)}H${n(b)}M${n(b)} ${n(cy - 3)}V${n(cy + 3)}" stroke="${PHASE_COLORS[seg.phase]}" fill="none"><title>${esc(`range ${fmtMs(seg.rangeMs[0])} – ${fmtMs(seg.rangeMs[1])}`)}</title></path>`,
    );
  }
  return parts.join("");
}
