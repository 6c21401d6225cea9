// report.json: the summary as is (formatVersion first), with the drill embedded so the report stands
// on its own and `failover-drill check` can re-run the checkers from it.
import type { Summary } from "../checkers/types.ts";
import { REPORT_FORMAT_VERSION } from "../summary/types.ts";
import { checkFormatVersion, FormatError, isRecord, parseJson } from "../util/format-version.ts";

export function renderJson(s: Summary): string {
  if (s.series === undefined) return JSON.stringify(s, null, 2) + "\n";
  // The charts' series last, each list of numbers on one line: thousands of points stay thousands
  // of bytes, not thousands of lines.
  const rest = JSON.stringify({ ...s, series: undefined }, null, 2);
  return `${rest.slice(0, -2)},\n  "series": ${compactJson(s.series, "  ")}\n}\n`;
}

const flat = (x: unknown): boolean => x === null || typeof x !== "object";

/** Objects indented key by key; a list of scalars, or of lists of scalars, on one line. */
function compactJson(value: unknown, indent: string): string {
  if (flat(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.every((v) => flat(v) || (Array.isArray(v) && v.every(flat)))) return JSON.stringify(value);
    const inner = indent + "  ";
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const inner = indent + "  ";
  const lines = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`);
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/**
 * The summary in a report.json, after checking its formatVersion and the parts a re-check reads (the
 * embedded drill, startedAt, the measurements). Measurements are taken as written: this version's
 * checkers, not the reader, decide what they should be.
 */
export function parseSummaryJson(json: string, file = "report.json"): Summary {
  const doc = parseJson(json, file);
  if (!isRecord(doc)) throw new FormatError(file, "expected an object (a drill summary)");
  checkFormatVersion(doc.formatVersion, REPORT_FORMAT_VERSION, file);
  const wrong = (problem: string): FormatError => new FormatError(file, problem);
  if (typeof doc.startedAt !== "string") throw wrong("startedAt must be the run's start time (ISO 8601)");
  if (!isRecord(doc.measurements)) throw wrong("measurements must be an object");
  const drill = doc.drill;
  if (!isRecord(drill)) throw wrong("drill must be the drill the run ran (an object)");
  if (typeof drill.name !== "string") throw wrong("drill.name must be a string");
  for (const key of ["regions", "faults", "objectives"]) {
    if (!Array.isArray(drill[key])) throw wrong(`drill.${key} must be a list`);
  }
  for (const key of ["database", "network", "controller", "dns", "workload", "recovery"]) {
    if (!isRecord(drill[key])) throw wrong(`drill.${key} must be an object`);
  }
  return doc as unknown as Summary;
}
