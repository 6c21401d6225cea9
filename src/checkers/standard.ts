// The checkers every drill runs, in the order their notes read in the summary. Each wraps one
// measure* function; its `inconclusive` measurement is what the report shows when that function threw.
import { measureRto } from "./availability.ts";
import type { AnyChecker, Checker, MeasurementName } from "./checker.ts";
import { measureDnsSwitch } from "./dns-switch.ts";
import { findFirstFault, measureDetection, measurePromotion } from "./failover.ts";
import { assertHooksHeld } from "./hooks.ts";
import { measureWriteLatency } from "./latency.ts";
import { measureRpo } from "./lost-writes.ts";
import {
  dnsSwitchNotes,
  durationNotes,
  replicationNotes,
  rpoNotes,
  rtoNotes,
  splitBrainNotes,
  throughputNotes,
} from "./notes.ts";
import { measureReplication } from "./replication.ts";
import { rtoDistribution } from "./rto-distribution.ts";
import { detectSplitBrain } from "./split-brain.ts";
import { measureThroughput } from "./throughput.ts";
import { measureConflicts, unmeasuredConflicts } from "./conflicts/measure.ts";
import { conflictsNotes, residencyNotes } from "./conflicts/notes.ts";
import { measureResidency } from "./conflicts/residency.ts";

const checker = <K extends MeasurementName>(c: Checker<K>): Checker<K> => c;

const unmeasuredDuration = (reason: string) => ({ ms: null, uncertaintyMs: 0, reason });

export const detectionChecker = checker({
  name: "detection",
  check: ({ index, failover }) => {
    assertHooksHeld(index, failover, "detection");
    const measurement = measureDetection(failover);
    if (measurement.ms === null && failover.earlyPrimaryDowns > 0) {
      // The failover this run went through was not the fault's: its RTO and loss describe another event.
      throw new Error(
        `the controller declared the primary down ${failover.earlyPrimaryDowns} time(s) before the fault ` +
          `(a false positive, e.g. health probes timing out on a saturated machine) and never after it, ` +
          `so this run measured that failover, not the fault's`,
      );
    }
    return { measurement, notes: durationNotes("detection", measurement, failover) };
  },
  inconclusive: unmeasuredDuration,
});

export const promotionChecker = checker({
  name: "promotion",
  check: ({ index, failover }) => {
    assertHooksHeld(index, failover, "promotion");
    const measurement = measurePromotion(failover);
    return { measurement, notes: durationNotes("promotion", measurement, failover) };
  },
  inconclusive: unmeasuredDuration,
});

export const dnsSwitchChecker = checker({
  name: "dnsSwitch",
  check: ({ index, failover }) => {
    const measurement = measureDnsSwitch(index, failover);
    return { measurement, notes: dnsSwitchNotes(measurement, failover) };
  },
  inconclusive: (reason) => ({
    authoritativeMs: null,
    clientFirstMs: null,
    clientLastMs: null,
    clientsSwitched: 0,
    clientsNotSwitched: 0,
    uncertaintyMs: 0,
    authoritativeUncertaintyMs: 0,
    faultToClientLastMs: null,
    newAddress: null,
    perClient: [],
    reason,
  }),
});

export const rtoChecker = checker({
  name: "rto",
  check: ({ index, outage, failover }) => {
    assertHooksHeld(index, failover, "rto");
    const measured = measureRto(index, outage);
    const measurement = { ...measured, ...rtoDistribution(index, failover, measured.perClient) };
    return { measurement, notes: rtoNotes(measurement, failover) };
  },
  inconclusive: (reason) => ({
    p50Ms: null,
    p90Ms: null,
    p99Ms: null,
    maxMs: null,
    gapMaxMs: null,
    gapP50Ms: null,
    perClient: [],
    clientsRecovered: 0,
    clientsNotRecovered: 0,
    uncertaintyMs: 0,
    histogram: [],
    predictedRangeMs: null,
    byProfile: [],
    outside: [],
    clientsOutside: 0,
    reason,
  }),
});

export const rpoChecker = checker({
  name: "rpo",
  check: ({ index, failover, finalReads, survivingPrimary }) => {
    assertHooksHeld(index, failover, "rpo");
    const measurement = measureRpo(index, finalReads, survivingPrimary);
    return { measurement, notes: rpoNotes(measurement) };
  },
  inconclusive: (reason) => ({
    ackedWrites: 0,
    lostWrites: null,
    lostWindowMs: null,
    unexpectedWrites: null,
    indeterminateWrites: 0,
    recoveredWrites: null,
    failedButPresent: null,
    lostIds: [],
    lostIdsTruncated: false,
    unexpectedIds: [],
    failedButPresentIds: [],
    survivingPrimary: null,
    survivingPrimaryRole: null,
    lostByRegion: {},
    divergedWrites: 0,
    divergedIds: [],
    divergedOn: {},
    reason,
  }),
});

export const splitBrainChecker = checker({
  name: "splitBrain",
  check: ({ index }) => {
    const measurement = detectSplitBrain(index);
    return { measurement, notes: splitBrainNotes(measurement) };
  },
  inconclusive: (reason) => ({
    detected: false,
    writes: 0,
    ids: [],
    regions: [],
    overlapFromMs: null,
    overlapToMs: null,
    overlapMs: null,
    unattributedWrites: 0,
    reason,
  }),
});

export const throughputChecker = checker({
  name: "throughput",
  check: ({ index, outage }) => {
    const measurement = measureThroughput(index, outage);
    return { measurement, notes: throughputNotes(measurement, index.drill) };
  },
  inconclusive: (reason) => ({
    ackedPerSecond: 0,
    askedPerSecond: 0,
    achievedPerSecond: 0,
    attempted: 0,
    ok: 0,
    fail: 0,
    info: 0,
    pending: 0,
    windowMs: 0,
    phases: [],
    reason,
  }),
});

export const writeLatencyChecker = checker({
  name: "writeLatency",
  // Latency phases hinge on any fault (a brownout has no outage); the failover only on the outage.
  check: ({ index, outage, failover }) => ({
    measurement: measureWriteLatency(index, outage ?? findFirstFault(index), failover),
    notes: [],
  }),
  inconclusive: (reason) => ({
    phases: [],
    overall: { count: 0, p50Ms: null, p99Ms: null, maxMs: null },
    beforeP50Ms: null,
    duringEndsAt: null,
    reason,
  }),
});

export const replicationChecker = checker({
  name: "replication",
  check: ({ index, outage, failover }) => {
    const measurement = measureReplication(index, outage, failover);
    return { measurement, notes: replicationNotes(measurement) };
  },
  inconclusive: (reason) => ({
    samples: 0,
    sampleMs: null,
    perStandby: [],
    maxReplayLagMs: null,
    maxReplayLagBytes: null,
    atFailover: null,
    reason,
  }),
});

/** Active-active drills only: undefined (absent from the report) for every other drill. */
export const conflictsChecker = checker({
  name: "conflicts",
  check: (context) => {
    const measurement = measureConflicts(context);
    return { measurement, notes: measurement === undefined ? [] : conflictsNotes(measurement) };
  },
  inconclusive: (reason) => unmeasuredConflicts("unknown", null, reason),
});

/** Drills with data residency only. */
export const residencyChecker = checker({
  name: "residency",
  check: (context) => {
    const measurement = measureResidency(context);
    return { measurement, notes: measurement === undefined ? [] : residencyNotes(measurement) };
  },
  inconclusive: (reason) => ({
    outOfJurisdictionRows: null,
    refusedWrites: 0,
    refusals: [],
    unavailable: [],
    auditedCrossRegion: 0,
    auditedRefused: 0,
    reason,
  }),
});

/** In the order their notes read; report.json lists the measurements in MEASUREMENT_NAMES order. */
export const STANDARD_CHECKERS: readonly AnyChecker[] = [
  detectionChecker,
  promotionChecker,
  dnsSwitchChecker,
  rtoChecker,
  rpoChecker,
  splitBrainChecker,
  replicationChecker,
  throughputChecker,
  writeLatencyChecker,
  conflictsChecker,
  residencyChecker,
];
