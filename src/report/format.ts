// Number and value formatting shared by the renderers, so every format says the same thing.
import type { ObjectiveResult } from "../objectives/evaluate.ts";
import type { MetricUnit } from "../objectives/metrics.ts";

export const NA = "n/a";

/** 850 ms -> "850 ms", 12345 ms -> "12.35 s"; null -> "n/a". */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return NA;
  if (Math.abs(ms) < 1000) return `${trim(ms.toFixed(Math.abs(ms) < 10 ? 2 : 1))} ms`;
  return `${trim((ms / 1000).toFixed(2))} s`;
}

/** "1.23 s ± 20 ms"; the ± part is left out when the uncertainty is zero. */
export function fmtMsPm(ms: number | null | undefined, uncertaintyMs: number): string {
  if (ms === null || ms === undefined) return NA;
  return uncertaintyMs > 0 ? `${fmtMs(ms)} ± ${fmtMs(uncertaintyMs)}` : fmtMs(ms);
}

/** A point on the drill clock, to the millisecond: 5004 -> "5.004 s". */
export function fmtClock(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

export function fmtNumber(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined) return NA;
  return Number.isInteger(n) ? String(n) : trim(n.toFixed(digits));
}

export function fmtValue(value: number | boolean | null, unit: MetricUnit | null): string {
  if (value === null) return NA;
  if (typeof value === "boolean") return value ? "yes" : "no";
  switch (unit) {
    case "ms":
      return fmtMs(value);
    case "per-second":
      return `${fmtNumber(value)}/s`;
    case "boolean":
      return value === 0 ? "no" : "yes";
    default:
      return fmtNumber(value);
  }
}

export function objectiveLabel(o: ObjectiveResult): string {
  return `${o.name} ${o.limit}`;
}

export function objectiveOutcome(o: ObjectiveResult): "met" | "missed" | "inconclusive" {
  return o.met === null ? "inconclusive" : o.met ? "met" : "missed";
}

/** "1, 2, 3, ... (+7 more)" */
export function idsHead(ids: readonly number[], total: number, max: number): string {
  if (total === 0) return "none";
  const shown = ids.slice(0, max);
  const rest = total - shown.length;
  return shown.join(", ") + (rest > 0 ? `, ... (+${rest} more)` : "");
}

/** 512 -> "512 B", 40960 -> "40 KiB", 3.5 MiB -> "3.5 MiB"; exact below 10 KiB, where every byte is legible. */
export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return NA;
  const abs = Math.abs(n);
  if (abs < 10 * 1024) return `${n} B`;
  if (abs < 10 * 1024 * 1024) return `${trim((n / 1024).toFixed(1))} KiB`;
  return `${trim((n / (1024 * 1024)).toFixed(1))} MiB`;
}

function trim(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
