// A checker fills one measurement of the summary from the analysed history, like a Jepsen checker:
// checkers know nothing of each other and are run together by composeCheckers (compose.ts).
import type { Drill } from "../drill/types.ts";
import type { FinalRead } from "../history/types.ts";
import type { Measurements } from "../summary/types.ts";
import type { FailoverEvents, FaultWindow } from "./failover.ts";
import type { HistoryIndex } from "./history.ts";

export type MeasurementName = keyof Measurements;

/** The measurements in the order report.json lists them. */
export const MEASUREMENT_NAMES = [
  "detection",
  "promotion",
  "dnsSwitch",
  "rto",
  "rpo",
  "splitBrain",
  "throughput",
  "writeLatency",
  "replication",
  "conflicts",
  "residency",
] as const satisfies readonly MeasurementName[];

// Fails to compile when a measurement is added to Measurements but not to MEASUREMENT_NAMES.
const everyMeasurementListed: Exclude<MeasurementName, (typeof MEASUREMENT_NAMES)[number]> extends never
  ? true
  : never = true;
void everyMeasurementListed;

/** What every checker reads: the indexed history and the failover found in it, computed once. */
export interface CheckContext {
  drill: Drill;
  index: HistoryIndex;
  finalReads: readonly FinalRead[];
  /** The outage of the original primary region, when the drill had one. */
  outage: FaultWindow | null;
  failover: FailoverEvents;
  /** The region that was primary at the end, by the controller's events. */
  survivingPrimary: string | null;
}

export interface CheckResult<M> {
  measurement: M;
  /** Sentences for the summary's notes, in the order they should read. */
  notes: string[];
}

export interface Checker<K extends MeasurementName> {
  /** The measurement it fills; also how notes name the checker. */
  name: K;
  check: (context: CheckContext) => CheckResult<Measurements[K]>;
  /** The measurement to report when check threw: nothing measured, `reason` saying why. */
  inconclusive: (reason: string) => Measurements[K];
}

/** Any one checker: the list composeCheckers takes mixes measurements. */
export type AnyChecker = { [K in MeasurementName]: Checker<K> }[MeasurementName];
