// Pure: suite.md (and what a CI step summary shows) from a suite's result: one row per entry, what
// needs attention (missed objectives with measured value and limit, inconclusive ones, runs that
// failed to run), then one row per drill run with a link to its report.
import { showValue } from "../matrix/cells.ts";
import { fmtMs, fmtNumber, fmtValue, NA } from "../report/format.ts";
import type { EntryStatus, SuiteEntryResult, SuiteResult, SuiteRun } from "./types.ts";

const escape = (s: string): string => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]): string => `| ${cells.map(escape).join(" | ")} |`;
  return [line(header), `|${header.map(() => "---").join("|")}|`, ...rows.map(line)];
}

/** 4 m 12 s, 38 s. */
export function fmtElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

export function statusText(status: EntryStatus): string {
  return status === "not-run" ? "not run" : status.toUpperCase();
}

/** `2 of 3 met`, `1 missed`, ... over some runs. */
export function objectiveCounts(runs: readonly SuiteRun[]): string {
  const all = runs.flatMap((r) => r.objectives);
  if (all.length === 0) return NA;
  const met = all.filter((o) => o.met === true).length;
  const missed = all.filter((o) => o.met === false).length;
  const inconclusive = all.length - met - missed;
  const parts = [`${met} of ${all.length} met`];
  if (missed > 0) parts.push(`${missed} missed`);
  if (inconclusive > 0) parts.push(`${inconclusive} inconclusive`);
  return parts.join(", ");
}

/** The largest value of a figure over runs that measured it. */
function worst(runs: readonly SuiteRun[], pick: (r: SuiteRun) => number | null | undefined): number | null {
  const values = runs.map(pick).filter((v): v is number => typeof v === "number");
  return values.length === 0 ? null : Math.max(...values);
}

function entryLink(e: SuiteEntryResult): string {
  if (e.matrixDir !== undefined) return `[matrix](${e.matrixDir}/matrix.md)`;
  const run = e.runs[0];
  return run === undefined ? "" : runLink(run);
}

function runLink(run: SuiteRun): string {
  if (run.reportDir === null) return "";
  // Only a run that reached its checkers wrote report.md; otherwise its directory holds the evidence.
  return run.objectives.length > 0 || run.figures !== null
    ? `[report](${run.reportDir}/report.md)`
    : `[run directory](${run.reportDir}/)`;
}

function overridesText(e: SuiteEntryResult): string {
  const pairs = Object.entries(e.overrides).map(([k, v]) => `${k}=${showValue(v)}`);
  return pairs.length === 0 ? "" : pairs.join(", ");
}

/** Missed and inconclusive objectives and runs that did not finish, one line each. */
export function attentionLines(result: SuiteResult): string[] {
  const lines: string[] = [];
  for (const e of result.entries) {
    if (e.status === "not-run") {
      lines.push(`**${e.name}**: not run (the suite was interrupted before it)`);
      continue;
    }
    for (const run of e.runs) {
      if (run.status === "error")
        lines.push(`**${run.label}**: failed to run: ${run.error ?? "unknown error"}`);
      if (run.status === "interrupted") lines.push(`**${run.label}**: interrupted`);
      for (const note of run.failedCheckers) lines.push(`**${run.label}**: inconclusive: ${note}`);
      for (const o of run.objectives) {
        if (o.met === false) {
          lines.push(
            `**${run.label}**: missed \`${o.name} ${o.limit}\`, measured ${fmtValue(o.measured, o.unit)}`,
          );
        } else if (o.met === null) {
          lines.push(
            `**${run.label}**: \`${o.name} ${o.limit}\` inconclusive: ${o.reason ?? "not measured"}`,
          );
        }
      }
    }
  }
  return lines;
}

export function suiteMarkdown(result: SuiteResult): string {
  const { suite, objectives: o } = result;
  const runs = result.entries.flatMap((e) => e.runs);
  const lines = [`# Drill suite ${suite.name}: ${statusText(result.status)}`, ""];
  if (suite.description !== "") lines.push(suite.description, "");
  if (!result.complete) {
    const done = result.entries.filter((e) => e.status !== "not-run").length;
    lines.push(
      `> **INCOMPLETE** (${result.interrupted ? "interrupted" : "still running"}): ${done} of ` +
        `${result.entries.length} entries done.`,
      "",
    );
  }
  lines.push(
    `- Suite file: \`${suite.file}\``,
    `- Started ${result.startedAt}, took ${fmtElapsed(result.durationMs)}; ${result.entries.length} ` +
      `entries, ${runs.length} drill run${runs.length === 1 ? "" : "s"}`,
    `- Objectives: ${o.met} met, ${o.missed} missed, ${o.inconclusive} inconclusive`,
    `- Status: **${statusText(result.status)}** (exit ${result.exitCode})`,
    "",
  );
  lines.push(
    ...table(
      ["#", "entry", "kind", "set", "status", "objectives", "RTO max", "lost writes", "took", "report"],
      result.entries.map((e) => [
        String(e.index),
        e.name,
        e.kind === "matrix" ? `matrix (${e.runsPlanned} runs)` : "drill",
        overridesText(e),
        statusText(e.status),
        objectiveCounts(e.runs),
        fmtMs(worst(e.runs, (r) => r.figures?.rtoMaxMs)),
        fmtNumber(worst(e.runs, (r) => r.figures?.lostWrites)),
        e.status === "not-run" ? "" : fmtElapsed(e.durationMs),
        entryLink(e),
      ]),
    ),
    "",
  );
  const attention = attentionLines(result);
  if (attention.length > 0) lines.push("## Needs attention", "", ...attention.map((l) => `- ${l}`), "");
  if (runs.length > 0) {
    lines.push(
      "## Runs",
      "",
      "RTO max and lost writes are the worst over an entry's runs above, each run's own here.",
      "",
      ...table(
        ["run", "status", "objectives", "detection", "RTO max", "lost writes", "took", "report"],
        runs.map((r) => [
          r.label,
          statusText(r.status),
          objectiveCounts([r]),
          fmtMs(r.figures?.detectionMs),
          fmtMs(r.figures?.rtoMaxMs),
          fmtNumber(r.figures?.lostWrites),
          fmtElapsed(r.durationMs),
          runLink(r),
        ]),
      ),
      "",
    );
  }
  return lines.join("\n");
}
