// Keyed writes of an active-active drill (issue 14): every region takes writes to a bounded key space,
// registers (set key to value) and counters (add delta to key), each stamped with its client's clock.
// The checkers here are pure: they read these records and the regions' final states, nothing else.

export type KeyedOutcome = "ok" | "fail" | "info" | "pending";

interface KeyedWriteBase {
  id: number;
  client: number;
  /** The region whose database took the write. */
  region: string;
  key: string;
  /**
   * The stamp the region's app gave the write (what last-writer-wins compares), in ms; +Infinity when
   * unknown (an indeterminate write: it may beat anything).
   */
  stampMs: number;
  /** The version (stamp, region) the write replaced, as the app saw it; absent when unknown. */
  prev?: [number, string];
  outcome: KeyedOutcome;
  /** The runner's monotonic clock: real-time order, whatever the clients' clocks say. */
  invokeNs: number;
  completeNs: number | null;
}

export interface RegisterWrite extends KeyedWriteBase {
  kind: "set";
  value: string;
}

export interface CounterWrite extends KeyedWriteBase {
  kind: "add";
  delta: number;
}

export type KeyedWrite = RegisterWrite | CounterWrite;

/** One region's final values: key -> register value or counter total. */
export type RegionState = ReadonlyMap<string, string | number>;
