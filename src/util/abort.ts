// Abortable waiting, so Ctrl-C interrupts a drill promptly at any point.

export class AbortedError extends Error {
  override name = "AbortedError";
  constructor(reason?: unknown) {
    super(typeof reason === "string" ? reason : "aborted");
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(signal.reason));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError(signal?.reason));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

/** Like sleep, but an abort ends the wait early instead of throwing: for loops that check the signal. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch((err: unknown) => {
    if (!(err instanceof AbortedError)) throw err;
  });
}
