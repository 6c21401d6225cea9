// report.json: the summary as is (formatVersion first), with the drill embedded so the report stands
// on its own and `failover-drill check` can re-run the checkers from it.
import type { Summary } from "../checkers/types.ts";
import { REPORT_FORMAT_VERSION } from "../summary/types.ts";
import { checkFormatVersion, FormatError, isRecord, parseJson } from "../util/format-version.ts";

export function renderJson(s: Summary): string {
  return JSON.stringify(s, null, 2) + "\n";
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
