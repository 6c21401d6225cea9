// One way to wait for a condition: poll a probe until it gives something truthy, within a deadline,
// abortable, and on timeout say what was awaited, for how long, and what the probe last saw.
import { AbortedError } from "./abort.ts";

/** What the probe gave last, for the timeout message. */
export interface LastProbe<T> {
  /** The last value the probe resolved with (falsy: not yet); undefined if it never resolved. */
  value: T | undefined;
  /** The error of the last probe when it threw (and `retryErrors` let the wait go on), else undefined. */
  error: unknown;
  attempts: number;
  elapsedMs: number;
}

export interface WaitOptions<T> {
  timeoutMs: number;
  /** Pause between probes. */
  intervalMs: number;
  /**
   * What is awaited: a phrase ("eu-west to leave recovery") for the default message, or the whole
   * message, built from what the probe saw last.
   */
  describe: string | ((last: LastProbe<T>) => string);
  /** The error a timeout throws, given the message; WaitTimeoutError by default. */
  error?: (message: string, last: LastProbe<T>) => Error;
  /** Aborting ends the wait with an AbortedError, also in the middle of a pause. */
  signal?: AbortSignal;
  /**
   * Ends a pause early when it settles (e.g. the awaited process exits), so the next probe comes at
   * once; later pauses are full length again.
   */
  wake?: Promise<unknown>;
  /** A throwing probe counts as "not yet" (the default); false: its error ends the wait. */
  retryErrors?: boolean;
}

export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

type Falsy = false | 0 | "" | null | undefined;

/** Resolves with the probe's first truthy value; throws when `timeoutMs` passes without one. */
export async function waitUntil<T>(
  probe: () => T | Falsy | Promise<T | Falsy>,
  options: WaitOptions<T>,
): Promise<T> {
  const { timeoutMs, intervalMs, signal } = options;
  const started = performance.now();
  const last: LastProbe<T> = { value: undefined, error: undefined, attempts: 0, elapsedMs: 0 };
  let wake = options.wake;
  let woken = false;
  wake?.then(
    () => (woken = true),
    () => (woken = true),
  );
  for (;;) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    last.attempts++;
    try {
      const value = await probe();
      if (value) return value;
      last.value = value as T | undefined;
      last.error = undefined;
    } catch (err) {
      if (options.retryErrors === false) throw err;
      last.error = err;
    }
    last.elapsedMs = performance.now() - started;
    const remaining = timeoutMs - last.elapsedMs;
    if (remaining <= 0) throw timeout(options, last);
    await pause(Math.min(intervalMs, remaining), signal, wake);
    // A settled wake would cut every later pause to nothing: it has said its piece.
    if (woken) wake = undefined;
  }
}

/** Sleeps `ms`, or less when `wake` settles first; rejects with AbortedError when `signal` aborts. */
function pause(
  ms: number,
  signal: AbortSignal | undefined,
  wake: Promise<unknown> | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(signal?.reason));
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    wake?.then(done, done);
  });
}

function timeout<T>(options: WaitOptions<T>, last: LastProbe<T>): Error {
  const message =
    typeof options.describe === "function"
      ? options.describe(last)
      : `timed out after ${options.timeoutMs} ms waiting for ${options.describe} (${lastSeen(last)})`;
  return options.error?.(message, last) ?? new WaitTimeoutError(message);
}

function lastSeen<T>(last: LastProbe<T>): string {
  if (last.error !== undefined) {
    return `last error: ${last.error instanceof Error ? last.error.message : String(last.error)}`;
  }
  return `last: ${JSON.stringify(last.value) ?? String(last.value)} after ${last.attempts} tries`;
}
