// Pure: the one progress line per run that the whole matrix shares.
import { fmtMs, fmtNumber, NA } from "../report/format.ts";
import { columnValue } from "./load.ts";
import type { CellSpec, RunRecord } from "./types.ts";

export interface RunPosition {
  cell: CellSpec;
  cellCount: number;
  /** 1-based within the cell. */
  run: number;
  repeat: number;
  /** 1-based over the whole matrix. */
  runNumber: number;
  runCount: number;
}

export type MatrixProgress =
  | ({ type: "run-start" } & RunPosition)
  | ({
      type: "run-end";
      record: RunRecord;
      /** Estimated time left, from the mean run so far. */ etaMs: number;
    } & RunPosition);

/** `[3/12] database.replication=sync controller.mode=dns  run 2/3 ...` */
export function progressPrefix(p: RunPosition, columns: readonly string[]): string {
  const values = columns.map((c) => `${c}=${columnValue(p.cell.assignments, c)}`);
  const where = `[${p.cell.index}/${p.cellCount}]${values.length > 0 ? ` ${values.join(" ")}` : ""}`;
  return `${where}  run ${p.run}/${p.repeat} ...`;
}

/** ` PASS lost 0, RTO max 5.1 s (38 s; about 4m left)` */
export function progressOutcome(record: RunRecord, etaMs: number | null): string {
  const f = record.figures;
  const figures =
    f === null
      ? ""
      : ` lost ${f.lostWrites === null ? NA : fmtNumber(f.lostWrites)}, RTO max ${fmtMs(f.rtoMaxMs)}`;
  const missed = record.missed.length > 0 ? ` (missed ${record.missed.join(", ")})` : "";
  const error = record.error === undefined ? "" : `: ${record.error.split("\n")[0] ?? ""}`;
  const left = etaMs === null || etaMs <= 0 ? "" : `; about ${fmtEta(etaMs)} left`;
  return ` ${record.status.toUpperCase()}${figures}${missed}${error} (${fmtEta(record.durationMs)}${left})`;
}

function fmtEta(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m}m` : `${Math.floor(m / 60)}h ${m % 60}m`;
}
