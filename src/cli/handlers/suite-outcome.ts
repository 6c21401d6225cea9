// After a suite: each drill's trend verdict on its newest run, the $GITHUB_STEP_SUMMARY Markdown and
// the notification, as `run` and `matrix` do for one drill (outcome.ts). Nothing here changes the exit
// code: every failure is a warning on stderr.
import path from "node:path";
import { appendStepSummary } from "../../ci/step-summary.ts";
import { notify, shouldNotify } from "../../notify/notify.ts";
import { suiteMarkdown } from "../../suite/markdown.ts";
import type { SuiteEntryResult, SuiteResult, SuiteRun } from "../../suite/types.ts";
import { describeRegression } from "../../trend/describe.ts";
import { latestVerdict } from "../../trend/latest.ts";
import { INDEX_FILE, indexRunPath, runIndexFile } from "../../trend/store.ts";
import type { CliIo } from "../io.ts";
import type { NotifyArgs } from "../notify-options.ts";
import { notifyTarget } from "./outcome.ts";

/** One run's regressions, in words. */
export interface SuiteRegression {
  run: string;
  regressions: string[];
}

/** The trend store a suite run appended to: its drill's, or its matrix cell's. */
function indexFileOf(entry: SuiteEntryResult, run: SuiteRun, suiteDir: string): string | null {
  if (run.reportDir === null) return null;
  if (entry.kind === "drill") return runIndexFile(path.join(suiteDir, run.reportDir));
  if (entry.matrixDir === undefined || run.cell === undefined) return null;
  return path.join(path.dirname(path.join(suiteDir, entry.matrixDir)), "cells", run.cell, INDEX_FILE);
}

/** Every run of the suite that its trend store flags, each store asked once about its newest run. */
export async function suiteRegressions(result: SuiteResult, suiteDir: string): Promise<SuiteRegression[]> {
  const found: SuiteRegression[] = [];
  for (const entry of result.entries) {
    for (const run of entry.runs) {
      const indexFile = indexFileOf(entry, run, suiteDir);
      if (indexFile === null || run.reportDir === null) continue;
      const { assessment } = await latestVerdict(
        indexFile,
        indexRunPath(indexFile, path.join(suiteDir, run.reportDir)),
      );
      if (assessment === null || assessment.regressions.length === 0) continue;
      found.push({
        run: run.label,
        regressions: assessment.regressions.map((r) => describeRegression(r, assessment.baseline)),
      });
    }
  }
  return found;
}

/** The suite's Markdown summary with its regressions appended. */
export function suiteOutcomeMarkdown(result: SuiteResult, regressions: SuiteRegression[]): string {
  const base = suiteMarkdown(result).trimEnd();
  if (regressions.length === 0) return `${base}\n`;
  const lines = regressions.flatMap((r) => r.regressions.map((text) => `- ${r.run}: ${text}`));
  return `${base}\n\n## Regressions\n\n${lines.join("\n")}\n`;
}

/** What the webhook gets: the suite's outcome with a Slack-compatible `text`. */
export function suiteNotification(result: SuiteResult, regressions: SuiteRegression[]) {
  const { suite, objectives: o } = result;
  const runs = result.entries.flatMap((e) => e.runs);
  const notPassed = runs.filter((r) => r.status !== "pass").map((r) => `${r.label} ${r.status}`);
  const parts = [
    `failover-drill suite ${suite.name}: ${result.status.toUpperCase()} (exit ${result.exitCode}).`,
    `${runs.length} runs; objectives ${o.met} met, ${o.missed} missed, ${o.inconclusive} inconclusive.`,
    ...(notPassed.length > 0 ? [`Not passed: ${notPassed.join(", ")}.`] : []),
    ...(regressions.length > 0 ? [`Regressions: ${regressions.map((r) => r.run).join(", ")}.`] : []),
  ];
  return {
    text: parts.join(" "),
    kind: "suite" as const,
    suite: suite.name,
    status: result.status,
    exitCode: result.exitCode,
    startedAt: result.startedAt,
    objectives: o,
    runs: runs.map((r) => ({ label: r.label, drill: r.drill, status: r.status, reportDir: r.reportDir })),
    regressions,
  };
}

export async function reportSuiteOutcome(
  io: CliIo,
  args: NotifyArgs,
  result: SuiteResult,
  suiteDir: string,
): Promise<void> {
  const regressions = await suiteRegressions(result, suiteDir);
  for (const r of regressions) io.out(`trend: ${r.run}: ${r.regressions.join("; ")}`);
  const written = await appendStepSummary(suiteOutcomeMarkdown(result, regressions));
  if (written.error !== undefined) io.err(`warning: ${written.error}`);
  const outcome = { failed: result.exitCode !== 0, regressed: regressions.length > 0 };
  if (args.notify === undefined || !shouldNotify(args.notifyOn, outcome)) return;
  const target = notifyTarget(args.notify);
  const sent = await notify(args.notify, suiteNotification(result, regressions));
  if (sent.ok) io.out(`notified ${target} (HTTP ${sent.status})`);
  else io.err(`warning: notification to ${target} failed: ${sent.error}; the suite's result stands`);
}
