// Replication as the database monitor sampled it: lag per standby over the drill, and how far the
// failover candidate was behind the primary just before the fault (the WAL the failover could lose),
// to be read beside the lost writes. All byte distances come from pg_wal_lsn_diff in the samples.
import { Events } from "../history/types.ts";
import { nearestRank } from "./availability.ts";
import type { FailoverEvents, FaultWindow } from "./failover.ts";
import { eventsOf, num, nsToRoundedMs, str, valueOf, type HistoryIndex } from "./history.ts";
import type { ReplicationMeasurement, StandbyLag, WalAtFailover } from "./types.ts";

export interface Standby {
  name: string;
  state: string;
  syncState: string | null;
  replayLagMs: number | null;
  flushLagBytes: number | null;
  replayLagBytes: number | null;
}

export interface Sample {
  ns: number;
  primary: string | null;
  standbys: Standby[];
  sampleMs: number | null;
}

export function samplesOf(index: HistoryIndex): Sample[] {
  return eventsOf(index, Events.replicationSample).map((op) => {
    const v = valueOf(op);
    const listed = Array.isArray(v.standbys) ? (v.standbys as unknown[]) : [];
    const standbys = listed.flatMap((raw): Standby[] => {
      const s = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
      const name = str(s, "name");
      if (name === undefined) return [];
      return [
        {
          name,
          state: str(s, "state") ?? "unknown",
          syncState: str(s, "syncState") ?? null,
          replayLagMs: num(s, "replayLagMs") ?? null,
          flushLagBytes: num(s, "flushLagBytes") ?? null,
          replayLagBytes: num(s, "replayLagBytes") ?? null,
        },
      ];
    });
    return {
      ns: op.time,
      primary: str(v, "primary") ?? null,
      standbys,
      sampleMs: num(v, "sampleMs") ?? null,
    };
  });
}

const p50 = (xs: number[]): number | null => (xs.length === 0 ? null : nearestRank(xs, 50));
const max = (xs: number[]): number | null => (xs.length === 0 ? null : Math.max(...xs));
const present = (xs: Array<number | null>): number[] => xs.filter((x): x is number => x !== null);

function perStandby(samples: readonly Sample[]): StandbyLag[] {
  const pairs = new Map<string, { primary: string; standby: string; entries: Standby[] }>();
  for (const sample of samples) {
    if (sample.primary === null) continue;
    for (const s of sample.standbys) {
      const key = JSON.stringify([sample.primary, s.name]);
      const pair = pairs.get(key) ?? { primary: sample.primary, standby: s.name, entries: [] };
      pair.entries.push(s);
      pairs.set(key, pair);
    }
  }
  return [...pairs.values()].map(({ primary, standby, entries }) => {
    const ms = present(entries.map((e) => e.replayLagMs));
    const bytes = present(entries.map((e) => e.replayLagBytes));
    return {
      primary,
      standby,
      samples: entries.length,
      streamingSamples: entries.filter((e) => e.state === "streaming").length,
      syncStates: [...new Set(entries.flatMap((e) => (e.syncState === null ? [] : [e.syncState])))].sort(),
      replayLagMsP50: p50(ms),
      replayLagMsMax: max(ms),
      replayLagBytesP50: p50(bytes),
      replayLagBytesMax: max(bytes),
    };
  });
}

/** Replay distance, or the flush distance when the replay position was not known. */
function distance(s: Standby): { lagBytes: number | null; basis: WalAtFailover["basis"] } {
  if (s.replayLagBytes !== null) return { lagBytes: s.replayLagBytes, basis: "replay" };
  if (s.flushLagBytes !== null) return { lagBytes: s.flushLagBytes, basis: "flush" };
  return { lagBytes: null, basis: null };
}

/**
 * The newest sample before t_fault that lists the promoted region (or, without a promotion, the
 * standby closest to the primary in the newest sample that lists any).
 */
function atFailover(
  samples: readonly Sample[],
  fault: FaultWindow,
  candidate: string | null,
): WalAtFailover | null {
  const before = samples.filter((s) => s.ns < fault.invokeNs && s.primary !== null);
  for (let i = before.length - 1; i >= 0; i--) {
    const sample = before[i] as Sample;
    let standby: Standby | undefined;
    if (candidate !== null) {
      standby = sample.standbys.find((s) => s.name === candidate);
    } else {
      const closest = (s: Standby): number => distance(s).lagBytes ?? Infinity;
      standby = [...sample.standbys].sort((a, b) => closest(a) - closest(b))[0];
    }
    if (standby === undefined) continue;
    return {
      standby: standby.name,
      primary: sample.primary as string,
      promoted: candidate !== null,
      ...distance(standby),
      lagMs: standby.replayLagMs,
      state: standby.state,
      sampledMsBeforeFault: nsToRoundedMs(fault.invokeNs - sample.ns),
    };
  }
  return null;
}

export function measureReplication(
  index: HistoryIndex,
  outage: FaultWindow | null,
  failover: FailoverEvents,
): ReplicationMeasurement {
  const samples = samplesOf(index);
  const empty: ReplicationMeasurement = {
    samples: 0,
    sampleMs: null,
    perStandby: [],
    maxReplayLagMs: null,
    maxReplayLagBytes: null,
    atFailover: null,
  };
  if (samples.length === 0) {
    return { ...empty, reason: "no replication samples in the history (the database monitor did not run)" };
  }
  const lags = perStandby(samples);
  const candidate = failover.fault === outage ? failover.promotedRegion : null;
  return {
    samples: samples.length,
    sampleMs: samples.find((s) => s.sampleMs !== null)?.sampleMs ?? null,
    perStandby: lags,
    maxReplayLagMs: max(present(lags.map((l) => l.replayLagMsMax))),
    maxReplayLagBytes: max(present(lags.map((l) => l.replayLagBytesMax))),
    atFailover: outage === null ? null : atFailover(samples, outage, candidate),
  };
}
