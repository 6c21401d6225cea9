import type { CliIo } from "./io.ts";

const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Runs `work` with a signal that Ctrl-C / SIGTERM abort, so the work can heal faults and stop what
 * it started before the command exits. The first signal prints `${signal}: ${stopping}`; a repeated
 * one only says cleanup is still going on, rather than killing the process half-way through it.
 * The handlers are removed when `work` settles, however it settles.
 */
export async function withInterruptSignal<T>(
  io: CliIo,
  stopping: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      io.err(`${signal} again: still cleaning up, please wait`);
      return;
    }
    io.err(`${signal}: ${stopping}`);
    abort.abort(signal);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  try {
    return await work(abort.signal);
  } finally {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  }
}
