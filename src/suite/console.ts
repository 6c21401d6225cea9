// Pure: the suite's summary for a terminal: one line per entry, then what needs attention.
import { fmtMs, fmtNumber } from "../report/format.ts";
import { attentionLines, fmtElapsed, objectiveCounts, statusText } from "./markdown.ts";
import type { SuiteResult } from "./types.ts";

export function suiteConsole(result: SuiteResult): string {
  const { objectives: o } = result;
  const runs = result.entries.flatMap((e) => e.runs).length;
  const lines = [
    `suite ${result.suite.name}: ${statusText(result.status)} (exit ${result.exitCode}) in ` +
      `${fmtElapsed(result.durationMs)}; ${result.entries.length} entries, ${runs} drill run${runs === 1 ? "" : "s"}; ` +
      `objectives ${o.met} met, ${o.missed} missed, ${o.inconclusive} inconclusive`,
  ];
  const width = Math.max(...result.entries.map((e) => e.name.length), 5);
  for (const e of result.entries) {
    const rto = e.runs.map((r) => r.figures?.rtoMaxMs).filter((v): v is number => typeof v === "number");
    const lost = e.runs.map((r) => r.figures?.lostWrites).filter((v): v is number => typeof v === "number");
    const figures =
      e.runs.length === 0
        ? ""
        : `  RTO max ${fmtMs(rto.length === 0 ? null : Math.max(...rto))}, lost ${fmtNumber(lost.length === 0 ? null : Math.max(...lost))}`;
    lines.push(
      `  ${String(e.index).padStart(2)} ${e.name.padEnd(width)} ${e.kind.padEnd(6)} ` +
        `${statusText(e.status).padEnd(12)} ${objectiveCounts(e.runs)}${figures}`,
    );
  }
  const attention = attentionLines(result);
  if (attention.length > 0) {
    lines.push("needs attention:", ...attention.map((l) => `  - ${l.replace(/\*\*|`/g, "")}`));
  }
  return lines.join("\n");
}
