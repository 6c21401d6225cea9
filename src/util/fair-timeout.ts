// A deadline that counts only the time in which the runner could have seen an answer. When the event
// loop stalls, a plain setTimeout declares "no answer within 500 ms" although the request may not even
// have been written yet (the connect event waits for the loop) or the answer has been sitting in the
// socket. A real health checker or client on its own machine would not have stalled, so the stalled
// part of the window is given back (up to MAX_STRETCH times the deadline in wall time), and the verdict
// waits one setImmediate so answers already received are read first.
import { stalledMsWithin, watchLoopStalls } from "./loop-stalls.ts";

export interface FairTimeout {
  clear(): void;
}

/** Past this many times the deadline in wall time, the timeout fires however much the loop stalled. */
const MAX_STRETCH = 4;

export function fairTimeout(onTimeout: () => void, ms: number): FairTimeout {
  watchLoopStalls();
  const armedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let cleared = false;
  const check = (): void => {
    const now = performance.now();
    const responsiveMs = now - armedAt - stalledMsWithin(armedAt, now);
    if (responsiveMs < ms && now - armedAt < ms * MAX_STRETCH) {
      timer = setTimeout(check, Math.max(1, ms - responsiveMs));
      return;
    }
    immediate = setImmediate(() => {
      if (!cleared) onTimeout();
    });
  };
  timer = setTimeout(check, ms);
  return {
    clear(): void {
      cleared = true;
      clearTimeout(timer);
      if (immediate !== undefined) clearImmediate(immediate);
    },
  };
}
