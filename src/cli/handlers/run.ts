// `failover-drill run`: loads the drill, runs it and maps its outcome to the exit code. Imported only
// when the command runs, so --help and the other commands never load the runner.
import type { Platform } from "../../drill/types.ts";
import { renderConsole } from "../../report/index.ts";
import { MissingComponentsError } from "../../platform/requirements.ts";
import { OutputDirectoryError, ReportWriteError, runDrill, SteadyStateError } from "../../runner/runner.ts";
import { TopologyStartError } from "../../topology/topology.ts";
import { AbortedError } from "../../util/abort.ts";
import { notifyUrlProblem } from "../../notify/notify.ts";
import { latestVerdict } from "../../trend/latest.ts";
import { indexRunPath } from "../../trend/store.ts";
import type { RunOutcome } from "../../trend/outcome.ts";
import { parseTimeoutOption } from "../timeout-option.ts";
import { ExitCode, exitCodeForStatus } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { loadDrillOrReport } from "./load-drill.ts";
import type { NotifyArgs } from "../notify-options.ts";
import { TOXIPROXY_URL_ON_DOCKER, TOXIPROXY_URL_ON_EXTERNAL } from "../options.ts";
import { withInterruptSignal } from "../signals.ts";
import { reportRunOutcome, trendLines } from "./outcome.ts";

export interface RunArgs extends NotifyArgs {
  file: string;
  out: string;
  keep: boolean;
  toxiproxyUrl?: string;
  platform?: Platform;
  timeout?: string;
  quiet: boolean;
}

export async function handleRun(args: RunArgs, io: CliIo, setExit: (code: number) => void): Promise<void> {
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
  const drill = await loadDrillOrReport(args.file, args.platform, io);
  if (drill === undefined) {
    setExit(ExitCode.invalidInput);
    return;
  }
  if (args.toxiproxyUrl !== undefined && drill.platform !== "local") {
    io.err(`error: ${drill.platform === "docker" ? TOXIPROXY_URL_ON_DOCKER : TOXIPROXY_URL_ON_EXTERNAL}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  // Ctrl-C / SIGTERM abort the drill; the runner heals faults and stops everything it started.
  // Reported (step summary, notification) once the drill is over; not for an interrupted run.
  let outcome: RunOutcome | undefined;
  await withInterruptSignal(io, "stopping the drill, healing faults and cleaning up", async (signal) => {
    try {
      const { summary, reportDir, indexFile, indexWarning, timedOut } = await runDrill(drill, {
        out: args.out,
        keep: args.keep,
        signal,
        warn: (line) => io.err(line),
        log: args.quiet ? () => {} : (line) => io.out(line),
        ...(args.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: args.toxiproxyUrl }),
        ...(timeout.ms === undefined ? {} : { timeoutMs: timeout.ms }),
      });
      io.out(renderConsole(summary, { color: process.stdout.isTTY === true }));
      io.out(`reports: ${reportDir}`);
      if (timedOut !== undefined)
        io.err(`error: the drill ${timedOut}; everything it started has been stopped (inconclusive)`);
      if (indexWarning !== undefined) io.err(`warning: ${indexWarning}`);
      const verdict = await latestVerdict(indexFile, indexRunPath(indexFile, reportDir));
      for (const w of verdict.warnings) io.err(`warning: ${w}`);
      for (const line of trendLines(verdict.assessment, indexFile)) io.out(line);
      const exitCode = exitCodeForStatus(summary.status);
      setExit(exitCode);
      outcome = { drill: drill.name, exitCode, summary, reportDir, assessment: verdict.assessment };
    } catch (err) {
      if (err instanceof AbortedError || signal.aborted) {
        io.err("drill interrupted; everything it started has been stopped");
        setExit(ExitCode.interrupted);
      } else if (err instanceof OutputDirectoryError) {
        // Nothing was started: the --out place is unusable, as bad input is.
        io.err(`error: ${err.message}`);
        setExit(ExitCode.invalidInput);
      } else if (err instanceof ReportWriteError) {
        // The drill ran and everything was stopped, but its result could not be kept: inconclusive.
        io.err(`error: ${err.message}; everything the drill started has been stopped`);
        setExit(ExitCode.inconclusive);
        outcome = { drill: drill.name, exitCode: ExitCode.inconclusive, error: err.message };
      } else if (
        err instanceof TopologyStartError ||
        err instanceof SteadyStateError ||
        err instanceof MissingComponentsError
      ) {
        io.err(`error: ${(err as Error).message}`);
        setExit(ExitCode.infrastructure);
        outcome = { drill: drill.name, exitCode: ExitCode.infrastructure, error: (err as Error).message };
      } else {
        io.err(`error: ${(err as Error).stack ?? String(err)}`);
        setExit(ExitCode.infrastructure);
        outcome = { drill: drill.name, exitCode: ExitCode.infrastructure, error: String(err) };
      }
    }
  });
  if (outcome !== undefined) await reportRunOutcome(io, args, outcome);
}
