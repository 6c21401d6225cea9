// The command-line entry. The parser is built here and only executed from bin/, so tests can drive
// main() in-process and check exit codes and output.
import yargs, { type Argv } from "yargs";
import { checkCommand } from "./check.ts";
import { cleanupCommand } from "./cleanup.ts";
import { compareCommand } from "./compare.ts";
import { doctorCommand } from "./doctor.ts";
import { ExitCode } from "./exit-codes.ts";
import { processIo, type CliIo } from "./io.ts";
import { matrixCommand } from "./matrix.ts";
import { planCommand } from "./plan.ts";
import { runCommand } from "./run.ts";
import { suiteCommand } from "./suite.ts";
import { toxiproxyCommand } from "./toxiproxy.ts";
import { trendCommand } from "./trend.ts";
import { validateCommand } from "./validate.ts";
import { ownVersion } from "./version.ts";

/** A command line yargs refused: unknown option, missing argument, bad choice. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type { CliIo } from "./io.ts";

export function buildParser(argv: string[], io: CliIo, setExit: (code: number) => void): Argv {
  return (
    yargs(argv)
      .scriptName("failover-drill")
      .usage("$0 <command> [options]")
      .command(runCommand(io, setExit))
      .command(validateCommand(io, setExit))
      .command(planCommand(io, setExit))
      .command(matrixCommand(io, setExit))
      .command(suiteCommand(io, setExit))
      .command(checkCommand(io, setExit))
      .command(toxiproxyCommand(io, setExit))
      .command(doctorCommand(io, setExit))
      .command(trendCommand(io, setExit))
      .command(compareCommand(io, setExit))
      .command(cleanupCommand(io, setExit))
      .demandCommand(
        1,
        "name a command: run, validate, plan, matrix, suite, check, trend, compare, toxiproxy, doctor or cleanup",
      )
      .strict()
      .help()
      .version(ownVersion())
      .epilogue(
        "Exit codes: 0 objectives met, 1 objective missed, 2 invalid input, 3 inconclusive, 4 infrastructure failed, 130 interrupted.",
      )
      // Throwing is what stops yargs: with exitProcess(false) a failure that only printed would
      // still run the command's handler (and, for `run`, start a drill).
      .fail((msg, err) => {
        if (err) throw err;
        throw new UsageError(msg);
      })
      .exitProcess(false)
  );
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let code: number = ExitCode.ok;
  const parser = buildParser(argv, io, (c) => {
    code = c;
  });
  try {
    await parser.parseAsync();
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    if (err instanceof UsageError) io.err("run with --help for usage");
    return ExitCode.invalidInput;
  }
  return code;
}
