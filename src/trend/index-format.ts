// One line of a trend store (index.jsonl): a run's key figures and outcome, small enough to keep
// hundreds of runs in a CI cache. Versioned like the other stored files; a reader refuses a newer
// version and skips a line that is not JSON at all (a run killed while appending leaves a torn line).
import { exitCodeForStatus } from "../cli/exit-codes.ts";
import type { DrillStatus, Summary } from "../summary/types.ts";
import { checkFormatVersion, FormatError, isRecord } from "../util/format-version.ts";
import { drillDigest } from "./digest.ts";
import { FIGURES, summaryFigures, type Figures, type Outcome } from "./figures.ts";

/** Bump when a reader of the previous version would misread a line. */
export const INDEX_FORMAT_VERSION = 1;

export interface IndexObjective {
  /** The metric, e.g. "rto.max". */
  name: string;
  /** As written in the drill, e.g. "< 20s". */
  limit: string;
  measured: number | boolean | null;
  outcome: Outcome;
}

export interface IndexEntry {
  formatVersion: number;
  /** The run's directory relative to the index's directory, with "/" (a plain run: its timestamp). */
  run: string;
  startedAt: string;
  status: DrillStatus;
  exitCode: number;
  durationMs: number;
  drill: string;
  /** drillDigest(drill): changes when the drill's definition does. */
  drillDigest: string;
  figures: Figures;
  objectives: IndexObjective[];
}

export function indexEntry(summary: Summary, run: string): IndexEntry {
  return {
    formatVersion: INDEX_FORMAT_VERSION,
    run,
    startedAt: summary.startedAt,
    status: summary.status,
    exitCode: exitCodeForStatus(summary.status),
    durationMs: summary.durationMs,
    drill: summary.drill.name,
    drillDigest: drillDigest(summary.drill),
    figures: summaryFigures(summary),
    objectives: summary.objectives.map((o) => ({
      name: o.name,
      limit: o.limit,
      measured: o.measured,
      outcome: o.met === null ? "inconclusive" : o.met ? "met" : "missed",
    })),
  };
}

/** The entry as one line, newline included. */
export function renderIndexLine(entry: IndexEntry): string {
  return JSON.stringify(entry) + "\n";
}

export interface ParsedIndex {
  entries: IndexEntry[];
  /** Lines skipped, each naming the file and line: torn lines from runs killed while appending. */
  warnings: string[];
}

const STATUSES: readonly string[] = ["pass", "fail", "inconclusive"];
const OUTCOMES: readonly string[] = ["met", "missed", "inconclusive"];

/**
 * Every entry of an index file's text. A line that is not JSON is skipped with a warning; a JSON line
 * that is not an entry (or is from a newer version) is a FormatError naming the file, line and field.
 */
export function parseIndex(text: string, file: string): ParsedIndex {
  const entries: IndexEntry[] = [];
  const warnings: string[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      warnings.push(`${file}:${i + 1}: skipped a line that is not JSON (a run killed while writing it?)`);
      continue;
    }
    entries.push(checkEntry(doc, file, i + 1));
  }
  return { entries, warnings };
}

function checkEntry(doc: unknown, file: string, line: number): IndexEntry {
  const wrong = (problem: string): FormatError => new FormatError(file, problem, line);
  if (!isRecord(doc)) throw wrong("expected an object (one run of the trend store)");
  checkFormatVersion(doc.formatVersion, INDEX_FORMAT_VERSION, file, line);
  for (const key of ["run", "startedAt", "drill", "drillDigest"] as const) {
    if (typeof doc[key] !== "string") throw wrong(`${key} must be a string`);
  }
  if (typeof doc.status !== "string" || !STATUSES.includes(doc.status)) {
    throw wrong(`status must be one of ${STATUSES.join(", ")}, got ${JSON.stringify(doc.status)}`);
  }
  for (const key of ["exitCode", "durationMs"] as const) {
    if (typeof doc[key] !== "number") throw wrong(`${key} must be a number`);
  }
  const figures = doc.figures;
  if (!isRecord(figures)) throw wrong("figures must be an object");
  for (const { key } of FIGURES) {
    const v = figures[key];
    // A figure a later version added is absent from older lines: read as not measured.
    if (v !== undefined && v !== null && typeof v !== "number") {
      throw wrong(`figures.${key} must be a number or null, got ${JSON.stringify(v)}`);
    }
    figures[key] = v ?? null;
  }
  if (!Array.isArray(doc.objectives)) throw wrong("objectives must be a list");
  for (const [k, o] of (doc.objectives as unknown[]).entries()) {
    if (!isRecord(o) || typeof o.name !== "string" || typeof o.limit !== "string") {
      throw wrong(`objectives[${k}] must have a name and a limit (strings)`);
    }
    if (typeof o.outcome !== "string" || !OUTCOMES.includes(o.outcome)) {
      throw wrong(`objectives[${k}].outcome must be one of ${OUTCOMES.join(", ")}`);
    }
  }
  return doc as unknown as IndexEntry;
}
