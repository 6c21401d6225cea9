// `failover-drill validate`: checks drill (and suite) files, starting nothing. Imported only when the command runs.
import { formatProblem } from "../../drill/load.ts";
import type { Platform } from "../../drill/types.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliIo } from "../io.ts";
import { loadDrillOrReport } from "./load-drill.ts";
import { isSuiteFile, loadSuite, plannedRuns, SuiteValidationError } from "../../suite/load.ts";

export interface ValidateArgs {
  files: string[];
  platform?: Platform;
}

export async function handleValidate(
  args: ValidateArgs,
  io: CliIo,
  setExit: (code: number) => void,
): Promise<void> {
  let failed = false;
  for (const file of args.files) {
    if (await isSuiteFile(file)) {
      failed = !(await validateSuite(file, args, io)) || failed;
      continue;
    }
    const drill = await loadDrillOrReport(file, args.platform, io);
    if (drill === undefined) {
      failed = true;
      continue;
    }
    io.out(
      `${file}: ok (${drill.name}: ${drill.regions.length} regions, ${drill.faults.length} faults, ` +
        `platform ${drill.platform})`,
    );
  }
  setExit(failed ? ExitCode.invalidInput : ExitCode.ok);
}

/** A suite file: every entry checked with its overrides, nothing started; false after printing why not. */
async function validateSuite(file: string, args: ValidateArgs, io: CliIo): Promise<boolean> {
  try {
    const plan = await loadSuite(file, args.platform === undefined ? {} : { platform: args.platform });
    io.out(
      `${file}: ok (suite ${plan.spec.name}: ${plan.entries.length} entries, ${plannedRuns(plan)} drill runs)`,
    );
    return true;
  } catch (err) {
    if (!(err instanceof SuiteValidationError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    return false;
  }
}
