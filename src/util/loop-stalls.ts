// When the runner's own event loop stalls (a saturated machine, a long garbage collection), every
// timer in it fires late and every answer waits unread: a deadline measured across the stall measures
// the runner, not the system under test. A heartbeat every TICK_MS records each gap much longer than
// a tick as a stall, so a deadline can count only the time in which the runner could have seen an
// answer (fair-timeout.ts) and a report can say how much the runner itself stalled.

const TICK_MS = 20;
/** A gap this much longer than a tick is a stall (timers are never exact to the millisecond). */
const STALL_SLACK_MS = 30;
const KEPT = 512;

export interface Stall {
  /** performance.now() of the last tick before the stall, and of the first one after it. */
  from: number;
  to: number;
}

const stalls: Stall[] = [];
let lastTick = 0;
let heartbeat: NodeJS.Timeout | undefined;
let totalStalls = 0;
let longestMs = 0;
const listeners = new Set<(stall: Stall) => void>();

function tick(): void {
  const now = performance.now();
  const gap = now - lastTick;
  if (gap > TICK_MS + STALL_SLACK_MS) {
    stalls.push({ from: lastTick, to: now });
    if (stalls.length > KEPT) stalls.shift();
    totalStalls += 1;
    longestMs = Math.max(longestMs, gap);
    const stall = { from: lastTick, to: now };
    for (const listener of listeners) listener(stall);
  }
  lastTick = now;
}

/** Starts the heartbeat (idempotent; unref'd, so it never keeps the process alive). */
export function watchLoopStalls(): void {
  if (heartbeat !== undefined) return;
  lastTick = performance.now();
  heartbeat = setInterval(tick, TICK_MS);
  heartbeat.unref();
}

/** Milliseconds of [from, to] (performance.now() times) during which the event loop was stalled. */
export function stalledMsWithin(from: number, to: number): number {
  let total = 0;
  const overlap = (a: number, b: number): number => Math.max(0, Math.min(b, to) - Math.max(a, from));
  for (const s of stalls) if (s.to > from) total += overlap(s.from, s.to);
  // A stall still going on (this very callback may be the first thing to run after it).
  if (heartbeat !== undefined && to - lastTick > TICK_MS + STALL_SLACK_MS) total += overlap(lastTick, to);
  return total;
}

/** Stalls seen since the heartbeat started: how many, and the longest gap in ms. */
export function loopStallSummary(): { count: number; longestMs: number } {
  return { count: totalStalls, longestMs };
}

/** Calls `listener` after each stall (starting the heartbeat); returns the unsubscribe function. */
export function onLoopStall(listener: (stall: Stall) => void): () => void {
  watchLoopStalls();
  listeners.add(listener);
  return () => listeners.delete(listener);
}
