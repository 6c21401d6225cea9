// `--timeout DURATION`, shared by run, matrix and suite (per drill run): the maximum wall time of a
// drill, after which it heals, cleans up and ends inconclusive (src/runner/guard.ts).
import { DURATION_EXAMPLE, parseDuration, UnitError } from "../drill/duration.ts";
import { TIMEOUT_FORMULA } from "../drill/timeout.ts";

export const TIMEOUT_OPTION = {
  type: "string",
  describe:
    "maximum wall time of each drill run (e.g. 10m); then it heals, cleans up and exits 3. " +
    `Default: ${TIMEOUT_FORMULA}`,
} as const;

/** The --timeout value in ms (undefined: the drill's default), or why it is not a usable duration. */
export function parseTimeoutOption(text: string | undefined): { ms?: number; problem?: string } {
  if (text === undefined) return {};
  try {
    const ms = parseDuration(text);
    if (ms <= 0) return { problem: `--timeout: expected a positive duration, got "${text}"` };
    return { ms };
  } catch (err) {
    if (!(err instanceof UnitError)) throw err;
    return { problem: `--timeout: expected ${DURATION_EXAMPLE.replace(/, or 0$/, "")}, got "${text}"` };
  }
}
