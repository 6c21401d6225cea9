// `failover-drill check`: reads a stored run, re-runs every checker on it, writes fresh reports and
// maps the status to the exit code as `run` does. Starts nothing. Imported only when the command runs.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Summary } from "../../checkers/types.ts";
import { renderConsole } from "../../report/index.ts";
import { reportTimestamp, writeReportFiles } from "../../runner/run-files.ts";
import { changedMeasurements, readStoredRun, recheckRun, type StoredRun } from "../../runner/stored-run.ts";
import { FormatError } from "../../util/format-version.ts";
import { ExitCode, exitCodeForStatus } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";

export interface CheckArgs {
  dir: string;
  out?: string;
}

export async function handleCheck(
  args: CheckArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  const refuse = (message: string): void => {
    io.err(`error: ${message}`);
    setExit(ExitCode.invalidInput);
  };
  const out = args.out ?? path.join(args.dir, `check-${reportTimestamp(new Date())}`);
  if (path.resolve(out) === path.resolve(args.dir)) {
    refuse("--out names the run's own directory: the fresh reports would overwrite the stored ones");
    return;
  }
  let run: StoredRun;
  try {
    run = await readStoredRun(args.dir);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    refuse(err.message);
    return;
  }
  let summary: Summary;
  try {
    summary = recheckRun(run);
  } catch (err) {
    // The checkers turn anomalies into notes; an exception means the files do not fit together.
    refuse(`${run.dir}: the stored run cannot be analysed: ${(err as Error).message}`);
    return;
  }
  try {
    await mkdir(out, { recursive: true });
    await writeReportFiles(out, summary);
  } catch (err) {
    refuse(`cannot write the reports to ${out}: ${(err as Error).message}`);
    return;
  }
  io.out(renderConsole(summary, { color: process.stdout.isTTY === true }));
  const changed = changedMeasurements(summary, run.report);
  io.out(
    changed.length === 0
      ? "measurements: the same as the stored report.json"
      : `measurements that differ from the stored report.json: ${changed.join(", ")} ` +
          "(checkers changed since the run, or the files were edited)",
  );
  if (summary.status !== run.report.status)
    io.out(`status: ${summary.status} (stored: ${run.report.status})`);
  io.out(`reports: ${out}`);
  setExit(exitCodeForStatus(summary.status));
}
