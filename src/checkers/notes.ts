// The sentences each measurement adds to the summary's notes: what a reader needs to know to trust
// (or distrust) the figure. Pure.
import type { Drill } from "../drill/types.ts";
import type {
  DnsSwitchMeasurement,
  DurationMeasurement,
  ReplicationMeasurement,
  RpoMeasurement,
  RtoMeasurement,
  SplitBrainMeasurement,
  ThroughputMeasurement,
} from "../summary/types.ts";
import type { FailoverEvents } from "./failover.ts";

const listHead = (ids: readonly number[], max = 20): string =>
  ids.slice(0, max).join(", ") + (ids.length > max ? `, ... (${ids.length - max} more listed)` : "");

/** About the failover itself, before any measurement's notes. */
export function failoverNotes(f: FailoverEvents): string[] {
  const notes: string[] = [];
  if (f.fault === null) notes.push("no outage of the primary region in this drill: failover figures are n/a");
  if (f.earlyPrimaryDowns > 0) {
    notes.push(
      `the controller declared the primary down ${f.earlyPrimaryDowns} time(s) before the fault (false positive)`,
    );
  }
  return notes;
}

export function durationNotes(
  name: "detection" | "promotion",
  d: DurationMeasurement,
  f: FailoverEvents,
): string[] {
  if (f.fault === null) return [];
  return [
    ...(d.reason === undefined ? [] : [`${name}: ${d.reason}`]),
    ...(d.note === undefined ? [] : [`${name}: ${d.note}`]),
  ];
}

export function dnsSwitchNotes(m: DnsSwitchMeasurement, f: FailoverEvents): string[] {
  const notes: string[] = [];
  if (f.fault !== null && m.reason !== undefined) notes.push(`DNS switch: ${m.reason}`);
  if (f.fault !== null && m.newAddress !== null && m.clientsNotSwitched > 0) {
    const never = m.perClient.filter((c) => c.switchMs === null).map((c) => c.client);
    notes.push(
      `${never.length} client(s) never resolved the new address ${m.newAddress} ` +
        `(clients ${never.join(", ")}): the last client switch is unknown`,
    );
  }
  return notes;
}

export function rtoNotes(m: RtoMeasurement, f: FailoverEvents): string[] {
  if (f.fault === null || m.clientsNotRecovered <= 0) return [];
  const never = m.perClient.filter((c) => c.rtoMs === null).map((c) => c.client);
  return [
    `${never.length} client(s) never completed a write after the fault (clients ${never.join(", ")}): ` +
      "RTO is inconclusive",
  ];
}

export function rpoNotes(rpo: RpoMeasurement): string[] {
  const notes: string[] = [];
  if (rpo.lostWrites === null) notes.push(`RPO inconclusive: ${rpo.reason ?? "unknown reason"}`);
  if (
    rpo.survivingPrimaryRole !== null &&
    rpo.survivingPrimaryRole !== "primary" &&
    rpo.lostWrites !== null
  ) {
    notes.push(
      `the surviving primary ${rpo.survivingPrimary} read as ${rpo.survivingPrimaryRole} at the end`,
    );
  }
  if ((rpo.failedButPresent ?? 0) > 0) {
    notes.push(
      `BUG: ${rpo.failedButPresent} write(s) reported to clients as failed are present on the surviving ` +
        `primary (ids ${listHead(rpo.failedButPresentIds)}): the app or the outcome classification is wrong`,
    );
  }
  if ((rpo.unexpectedWrites ?? 0) > 0) {
    notes.push(
      `${rpo.unexpectedWrites} write(s) on the surviving primary were never attempted by any client ` +
        `(ids ${listHead(rpo.unexpectedIds)})`,
    );
  }
  if (rpo.divergedWrites > 0) {
    const where = Object.entries(rpo.divergedOn)
      .map(([node, n]) => `${node}: ${n}`)
      .join(", ");
    notes.push(`${rpo.divergedWrites} lost write(s) still exist on other nodes (diverged history; ${where})`);
  }
  if ((rpo.recoveredWrites ?? 0) > 0) {
    notes.push(
      `${rpo.recoveredWrites} write(s) with unknown outcome turned out to have happened (recovered)`,
    );
  }
  return notes;
}

export function splitBrainNotes(m: SplitBrainMeasurement): string[] {
  const notes: string[] = [];
  if (m.detected) {
    notes.push(
      `SPLIT BRAIN: ${m.writes} write(s) acknowledged by a superseded primary ` +
        `(${m.regions.join(" and ")} overlapping for ${m.overlapMs} ms)`,
    );
  }
  if (m.unattributedWrites > 0) {
    notes.push(
      `${m.unattributedWrites} acknowledged write(s) named no region, so split brain could not be ` +
        "judged for them",
    );
  }
  return notes;
}

export function replicationNotes(m: ReplicationMeasurement): string[] {
  const wal = m.atFailover;
  const sampleMs = m.sampleMs ?? 0;
  if (wal === null || sampleMs <= 0 || wal.sampledMsBeforeFault <= 2 * sampleMs) return [];
  return [
    `the last replication sample of ${wal.standby} before the fault is ${wal.sampledMsBeforeFault} ms old ` +
      "(a missed sample): the WAL distance at failover understates what was written since",
  ];
}

/** Below this share of the asked rate the report says the workload fell short. */
export const RATE_SHORTFALL = 0.9;

export function throughputNotes(m: ThroughputMeasurement, drill: Drill): string[] {
  const notes: string[] = [];
  if (m.pending > 0)
    notes.push(`${m.pending} write(s) never completed before the run ended (counted as indeterminate)`);
  if (m.askedPerSecond > 0 && m.achievedPerSecond < RATE_SHORTFALL * m.askedPerSecond) {
    const share = Math.round((m.achievedPerSecond / m.askedPerSecond) * 100);
    const clients = drill.workload.clients;
    notes.push(
      `the workload sent ${m.achievedPerSecond}/s of the asked ${m.askedPerSecond}/s before the fault ` +
        `(${share}%): with ${clients} client(s) and one write in flight each, a write may take at most ` +
        `${Math.round((clients * 1000 * 10) / m.askedPerSecond) / 10} ms on average to keep the rate; ` +
        "add clients, lower the rate, or look at the write latency (figures per client are coarser)",
    );
  }
  const stalls = m.runnerStalls;
  if (stalls !== undefined) {
    notes.push(
      `the runner itself stalled ${stalls.count} time(s) for 100 ms or more (longest ${stalls.longestMs} ms, ` +
        `${stalls.totalMs} ms in all: a saturated machine): its deadlines discount the stalls, but every ` +
        `timing it took is coarser by up to ${stalls.longestMs} ms`,
    );
  }
  return notes;
}
