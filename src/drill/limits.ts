// Upper bounds a drill, matrix or suite file may ask for, each with the reason it exists; the
// problems quote the reason so a refused value explains itself. docs/drill-format.md lists them.

/**
 * Every duration in a drill (workload, faults, waits, latency, timeouts): 24 h. A drill measures a
 * failover that takes seconds to minutes; its history grows with its length (2000 ops/s for 24 h is
 * 170 million ops), and Node timers cannot wait beyond 24.8 days at all (they fire at once).
 */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;
export const MAX_DURATION_REASON = "a drill's history and timers are sized for hours, not days";

/** Runs of one matrix (cells x repeat) and of one suite: 1000, about 11 hours at 40 s a run. */
export const MAX_RUNS = 1000;
/** Runs per matrix cell: enough for a distribution, and far below MAX_RUNS. */
export const MAX_REPEAT = 100;
/** Entries in one suite file. */
export const MAX_SUITE_ENTRIES = 100;
export const MAX_RUNS_REASON = "about 11 hours at 40 s a run; split it into several files";
