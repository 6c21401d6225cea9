// How a command that takes one drill file loads it: on bad input every problem is printed (file,
// field, what is expected) and the caller exits 2.
import { DrillValidationError, formatProblem, loadDrill } from "../../drill/load.ts";
import type { Drill, Platform } from "../../drill/types.ts";
import type { CliIo } from "../io.ts";

/** The drill in `file` (with --platform when given), or undefined after printing why it is invalid. */
export async function loadDrillOrReport(
  file: string,
  platform: Platform | undefined,
  io: CliIo,
): Promise<Drill | undefined> {
  try {
    return await loadDrill(file, platform === undefined ? {} : { platform });
  } catch (err) {
    if (!(err instanceof DrillValidationError)) throw err;
    for (const p of err.problems) io.err(formatProblem(p));
    return undefined;
  }
}
