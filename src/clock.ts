// One monotonic clock per drill, injected wherever time matters, so timing logic is testable.

export interface Clock {
  /** Nanoseconds since the clock's start. */
  now(): number;
  /** Wall-clock time at start, ISO 8601, to map server timestamps onto the monotonic timeline. */
  readonly startedAt: string;
}

export class MonotonicClock implements Clock {
  readonly startedAt = new Date().toISOString();
  private readonly origin = process.hrtime.bigint();

  now(): number {
    return Number(process.hrtime.bigint() - this.origin);
  }
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  readonly startedAt = "2026-01-01T00:00:00.000Z";
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  advanceMs(ms: number): void {
    this.current += Math.round(ms * 1e6);
  }
}

export const nsToMs = (ns: number): number => ns / 1e6;
export const msToNs = (ms: number): number => Math.round(ms * 1e6);
