// After a run or a matrix: the trend store's verdict, the $GITHUB_STEP_SUMMARY Markdown and the
// notification. Nothing here changes the exit code: every failure is a warning on stderr.
import { appendStepSummary } from "../../ci/step-summary.ts";
import { matrixSummaryMarkdown, runSummaryMarkdown, type MatrixOutcome } from "../../ci/run-summary.ts";
import { notify, shouldNotify } from "../../notify/notify.ts";
import { matrixNotification, runNotification } from "../../notify/payload.ts";
import { describeRegression } from "../../trend/describe.ts";
import { outcomeFailed, type RunOutcome } from "../../trend/outcome.ts";
import type { RunAssessment } from "../../trend/regressions.ts";
import type { CliIo } from "../io.ts";
import type { NotifyArgs } from "../notify-options.ts";

/** Where a notification went, without its path: a webhook URL's path is its secret. */
export function notifyTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

/** The trend verdict in a line or a few, for the console after a run. */
export function trendLines(assessment: RunAssessment | null | undefined, indexFile: string): string[] {
  if (assessment === null || assessment === undefined) return [];
  if (assessment.previous === null) return [`trend: first run in ${indexFile}`];
  if (assessment.regressions.length === 0) {
    const against = assessment.baseline === null ? "the previous run" : "the previous run or the baseline";
    return [`trend: no regression against ${against} (${indexFile})`];
  }
  return [
    `trend: ${assessment.regressions.length} regression(s) against ${indexFile}:`,
    ...assessment.regressions.map((r) => `  ▲ ${describeRegression(r, assessment.baseline)}`),
  ];
}

async function deliver(
  io: CliIo,
  args: NotifyArgs,
  outcome: { failed: boolean; regressed: boolean },
  payload: () => unknown,
): Promise<void> {
  if (args.notify === undefined || !shouldNotify(args.notifyOn, outcome)) return;
  const target = notifyTarget(args.notify);
  const result = await notify(args.notify, payload());
  if (result.ok) io.out(`notified ${target} (HTTP ${result.status})`);
  else io.err(`warning: notification to ${target} failed: ${result.error}; the drill's result stands`);
}

async function stepSummary(io: CliIo, markdown: string): Promise<void> {
  const written = await appendStepSummary(markdown);
  if (written.error !== undefined) io.err(`warning: ${written.error}`);
}

export async function reportRunOutcome(io: CliIo, args: NotifyArgs, outcome: RunOutcome): Promise<void> {
  await stepSummary(io, runSummaryMarkdown(outcome));
  await deliver(
    io,
    args,
    { failed: outcomeFailed(outcome), regressed: (outcome.assessment?.regressions.length ?? 0) > 0 },
    () => runNotification(outcome),
  );
}

export async function reportMatrixOutcome(
  io: CliIo,
  args: NotifyArgs,
  outcome: MatrixOutcome,
): Promise<void> {
  await stepSummary(io, matrixSummaryMarkdown(outcome));
  await deliver(
    io,
    args,
    {
      failed: outcome.report.status !== "pass",
      regressed: Object.values(outcome.verdicts).some((v) => (v?.regressions.length ?? 0) > 0),
    },
    () => matrixNotification(outcome),
  );
}
