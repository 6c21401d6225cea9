// `failover-drill run`: loads the drill, runs it and maps its outcome to the exit code. Imported only
// when the command runs, so --help and the other commands never load the runner.
import { DrillValidationError, formatProblem, loadDrill } from "../../drill/load.ts";
import type { Platform } from "../../drill/types.ts";
import { renderConsole } from "../../report/index.ts";
import { MissingComponentsError } from "../../platform/requirements.ts";
import { runDrill, SteadyStateError } from "../../runner/runner.ts";
import { TopologyStartError } from "../../topology/topology.ts";
import { AbortedError } from "../../util/abort.ts";
import { ExitCode, exitCodeForStatus } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { TOXIPROXY_URL_ON_DOCKER, TOXIPROXY_URL_ON_EXTERNAL } from "../options.ts";
import { withInterruptSignal } from "../signals.ts";

export interface RunArgs {
  file: string;
  out: string;
  keep: boolean;
  toxiproxyUrl?: string;
  platform?: Platform;
  quiet: boolean;
}

export async function handleRun(args: RunArgs, io: CliIo, setExit: (code: number) => void): Promise<void> {
  let drill;
  try {
    drill = await loadDrill(args.file, args.platform === undefined ? {} : { platform: args.platform });
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    setExit(ExitCode.invalidInput);
    return;
  }
  if (args.toxiproxyUrl !== undefined && drill.platform !== "local") {
    io.err(`error: ${drill.platform === "docker" ? TOXIPROXY_URL_ON_DOCKER : TOXIPROXY_URL_ON_EXTERNAL}`);
    setExit(ExitCode.invalidInput);
    return;
  }
  // Ctrl-C / SIGTERM abort the drill; the runner heals faults and stops everything it started.
  await withInterruptSignal(io, "stopping the drill, healing faults and cleaning up", async (signal) => {
    try {
      const { summary, reportDir } = await runDrill(drill, {
        out: args.out,
        keep: args.keep,
        signal,
        log: args.quiet ? () => {} : (line) => io.out(line),
        ...(args.toxiproxyUrl === undefined ? {} : { toxiproxyUrl: args.toxiproxyUrl }),
      });
      io.out(renderConsole(summary, { color: process.stdout.isTTY === true }));
      io.out(`reports: ${reportDir}`);
      setExit(exitCodeForStatus(summary.status));
    } catch (err) {
      if (err instanceof AbortedError || signal.aborted) {
        io.err("drill interrupted; everything it started has been stopped");
        setExit(ExitCode.interrupted);
      } else if (
        err instanceof TopologyStartError ||
        err instanceof SteadyStateError ||
        err instanceof MissingComponentsError
      ) {
        io.err(`error: ${(err as Error).message}`);
        setExit(ExitCode.infrastructure);
      } else {
        io.err(`error: ${(err as Error).stack ?? String(err)}`);
        setExit(ExitCode.infrastructure);
      }
    }
  });
}
