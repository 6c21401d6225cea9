// report.json: the summary as is, with the drill embedded so the report stands on its own.
import type { Summary } from "../checkers/types.ts";

export function renderJson(s: Summary): string {
  return JSON.stringify(s, null, 2) + "\n";
}

export function parseSummaryJson(json: string): Summary {
  return JSON.parse(json) as Summary;
}
