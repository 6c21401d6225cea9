// `failover-drill matrix`: loads the matrix, lists it (--dry-run) or runs every cell. Imported only
// when the command runs.
import path from "node:path";
import { MissingComponentsError, missingRequirements } from "../../platform/requirements.ts";
import { drillRequirements } from "../../runner/requirements.ts";
import { formatProblem } from "../../drill/load.ts";
import type { Platform } from "../../drill/types.ts";
import { cellLabel, loadMatrix, MatrixValidationError, showValue } from "../../matrix/load.ts";
import { progressOutcome, progressPrefix } from "../../matrix/progress.ts";
import { runMatrix } from "../../matrix/run.ts";
import type { MatrixPlan } from "../../matrix/types.ts";
import { notifyUrlProblem } from "../../notify/notify.ts";
import { latestVerdict } from "../../trend/latest.ts";
import type { RunAssessment } from "../../trend/regressions.ts";
import { indexRunPath, matrixCellIndexFile } from "../../trend/store.ts";
import type { MatrixReport } from "../../matrix/types.ts";
import { parseTimeoutOption } from "../timeout-option.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import type { NotifyArgs } from "../notify-options.ts";
import { TOXIPROXY_URL_ON_DOCKER } from "../options.ts";
import { withInterruptSignal } from "../signals.ts";
import { reportMatrixOutcome } from "./outcome.ts";

export interface MatrixArgs extends NotifyArgs {
  file: string;
  out: string;
  keep: boolean;
  toxiproxyUrl?: string;
  platform?: Platform;
  timeout?: string;
  verbose: boolean;
  dryRun: boolean;
}

export async function handleMatrix(
  args: MatrixArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const timeout = parseTimeoutOption(args.timeout);
  if (timeout.problem !== undefined) {
    io.err(`error: ${timeout.problem}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  const badUrl = args.notify === undefined ? null : notifyUrlProblem(args.notify);
  if (badUrl !== null) {
    io.err(`error: ${badUrl}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  let plan: MatrixPlan;
  try {
    plan = await loadMatrix(args.file, args.platform === undefined ? {} : { platform: args.platform });
  } catch (err) {
    if (!(err instanceof MatrixValidationError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    setExit(ExitCode.invalidInput);
    return;
  }
  if (args.toxiproxyUrl !== undefined && plan.cells.some((cell) => cell.drill.platform === "docker")) {
    io.err(`error: ${TOXIPROXY_URL_ON_DOCKER}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  const missing = missingRequirements(plan.cells.flatMap((cell) => drillRequirements(cell.drill)));
  if (missing.length > 0 && !args.dryRun) {
    io.err(`error: ${new MissingComponentsError(plan.spec.name, missing).message}`);
    setExit(ExitCode.infrastructure);
    return;
  }
  const runs = plan.cells.length * plan.spec.repeat;
  io.out(
    `matrix ${plan.spec.name}: ${plan.cells.length} cells × ${plan.spec.repeat} ` +
      `run${plan.spec.repeat === 1 ? "" : "s"} = ${runs} runs of ${plan.baseDrill.name}`,
  );
  const fixed = Object.entries(plan.fixed).map(([k, v]) => `${k}=${showValue(v)}`);
  if (fixed.length > 0) io.out(`set in every cell: ${fixed.join(", ")}`);
  if (args.dryRun) {
    for (const cell of plan.cells) io.out(`  ${cellLabel(cell, plan.columns)} -> cells/${cell.slug}`);
    setExit(ExitCode.ok);
    return;
  }

  // On a terminal the line starts when the run does and is finished when it ends.
  const partial = process.stdout.isTTY === true && !args.verbose;
  // Ctrl-C / SIGTERM abort the running drill (which heals and stops everything it started);
  // the report of the runs done so far is written before exiting.
  const stopping = "stopping the running drill; the report will hold the runs done so far";
  await withInterruptSignal(io, stopping, async (signal) => {
    const { report, dir } = await runMatrix(plan, {
      out: args.out,
      keep: args.keep,
      signal,
      ...(args.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: args.toxiproxyUrl }),
      ...(timeout.ms === undefined ? {} : { timeoutMs: timeout.ms }),
      ...(args.verbose ? { log: (line: string) => io.out(`    ${line}`) } : {}),
      onProgress: (event) => {
        const prefix = progressPrefix(event, plan.columns);
        if (event.type === "run-start") {
          if (partial) process.stdout.write(prefix);
          else if (args.verbose) io.out(prefix);
        } else {
          const outcome = progressOutcome(event.record, event.etaMs);
          if (partial) process.stdout.write(`${outcome}\n`);
          else io.out(prefix + outcome);
        }
      },
    });
    io.out(`matrix ${report.status}: ${report.runsDone} of ${report.runsPlanned} runs done`);
    io.out(`reports: ${dir}/matrix.md`);
    if (report.interrupted) io.err("matrix interrupted; the report holds the runs done so far");
    setExit(report.exitCode);
    if (!report.interrupted) {
      const verdicts = await cellVerdicts(args.out, dir, report);
      await reportMatrixOutcome(io, args, { report, dir, verdicts });
    }
  });
}

/** Each cell's trend verdict on its newest run (the cell's store: src/trend/store.ts). */
async function cellVerdicts(
  out: string,
  dir: string,
  report: MatrixReport,
): Promise<Record<string, RunAssessment | null>> {
  const verdicts: Record<string, RunAssessment | null> = {};
  for (const cell of report.cells) {
    const last = cell.runs.at(-1);
    if (last?.reportDir === null || last?.reportDir === undefined || last.figures === null) {
      verdicts[cell.slug] = null;
      continue;
    }
    const indexFile = matrixCellIndexFile(out, report.matrix.name, cell.slug);
    const run = indexRunPath(indexFile, path.join(dir, last.reportDir));
    verdicts[cell.slug] = (await latestVerdict(indexFile, run)).assessment;
  }
  return verdicts;
}
