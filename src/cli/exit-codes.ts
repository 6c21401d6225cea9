// The exit-code contract CI pipelines rely on. Documented in the README; never renumber.
import type { DrillStatus } from "../summary/types.ts";

export const ExitCode = {
  /** Every objective met. */
  ok: 0,
  /** At least one objective missed. */
  objectiveMissed: 1,
  /** Invalid drill file or command-line usage; nothing was started. */
  invalidInput: 2,
  /** A checker could not decide (e.g. the surviving primary was unreachable) or failed; none missed. */
  inconclusive: 3,
  /** The topology failed to start or the drill aborted on an infrastructure error. */
  infrastructure: 4,
  /** Interrupted by SIGINT/SIGTERM after cleaning up (128 + SIGINT). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a drill that ran to the end. */
export function exitCodeForStatus(status: DrillStatus): ExitCodeValue {
  switch (status) {
    case "pass":
      return ExitCode.ok;
    case "fail":
      return ExitCode.objectiveMissed;
    case "inconclusive":
      return ExitCode.inconclusive;
  }
}
