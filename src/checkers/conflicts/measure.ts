// The conflicts measurement of an active-active drill: keyed writes judged against every reachable
// region's final state by the drill's strategy, the database's own conflict counts beside the
// history's, and divergence over time from the keyed monitor's samples.
import { conflictStrategy, isActiveActive, mergeFunction } from "../../drill/active-active.ts";
import { Events } from "../../history/types.ts";
import type { ConflictsMeasurement } from "../../summary/types.ts";
import type { CheckContext } from "../checker.ts";
import { eventsOf, MAX_LISTED_IDS, nsToRoundedMs, valueOf } from "../history.ts";
import { countersOutOfRange } from "./counters.ts";
import { timeToConvergeMs } from "./divergence.ts";
import { keyedWrites } from "./history.ts";
import { concurrentWrites, judgeRegisters } from "./lost.ts";
import type { CounterWrite, RegisterWrite } from "./types.ts";

const LISTED = 50;

export function measureConflicts(context: CheckContext): ConflictsMeasurement | undefined {
  const { drill, index, finalReads } = context;
  if (!isActiveActive(drill)) return undefined;
  const strategy = conflictStrategy(drill);
  const merge = strategy === "custom" ? mergeFunction(drill) : null;
  const writes = keyedWrites(index);
  const registers = writes.filter((w): w is RegisterWrite => w.kind === "set");
  const counters = writes.filter((w): w is CounterWrite => w.kind === "add");
  const m: ConflictsMeasurement = {
    ...unmeasuredConflicts(strategy, merge),
    keyedWrites: writes.length,
    acknowledged: writes.filter((w) => w.outcome === "ok").length,
    indeterminate: writes.filter((w) => w.outcome === "info" || w.outcome === "pending").length,
    // PN-counter components are never written by two regions: only registers (and plain counters) race.
    concurrentWrites: concurrentWrites(strategy === "crdt" ? registers : writes),
  };

  const reads = finalReads.filter((r) => r.reachable && r.keyed !== undefined);
  const lost = new Set<number>();
  const discarded = new Set<number>();
  let lostIncrements = 0;
  for (const read of reads) {
    const keyed = read.keyed!;
    // With data residency a region holds (and is judged on) its own jurisdiction's records only.
    const holds = (key: string): boolean => key in keyed.registers || key in keyed.counters;
    const own = <W extends { key: string }>(list: W[]): W[] => list.filter((w) => holds(w.key));
    const verdict = judgeRegisters(
      strategy,
      merge ?? "",
      own(registers),
      new Map(Object.entries(keyed.registers)),
    );
    for (const id of verdict.lost) lost.add(id);
    for (const id of verdict.discarded) discarded.add(id);
    m.overwritten = Math.max(m.overwritten, verdict.overwritten);
    for (const w of verdict.wrongKeys) m.wrongKeys.push({ region: read.node, ...w });
    let deficit = 0;
    for (const c of countersOutOfRange(own(counters), new Map(Object.entries(keyed.counters)))) {
      m.countersOutOfRange.push({ region: read.node, key: c.key, found: c.found, min: c.min, max: c.max });
      deficit += Math.max(0, c.min - c.found);
    }
    lostIncrements = Math.max(lostIncrements, deficit);
    for (const [kept, n] of Object.entries(keyed.resolved))
      m.resolvedByDatabase[kept] = (m.resolvedByDatabase[kept] ?? 0) + n;
    for (const sub of keyed.subscriptions) {
      m.applyErrors += sub.applyErrors;
      for (const [kind, n] of Object.entries(sub.conflicts))
        if (n > 0) m.databaseConflicts[kind] = (m.databaseConflicts[kind] ?? 0) + n;
    }
  }
  m.wrongKeys = m.wrongKeys.slice(0, LISTED);
  m.countersOutOfRange = m.countersOutOfRange.slice(0, LISTED);
  m.discardedDespiteRealTime = discarded.size;
  m.discardedIds = [...discarded].sort((a, b) => a - b).slice(0, MAX_LISTED_IDS);
  if (reads.length > 0) {
    m.lostUpdates = lost.size + lostIncrements;
    m.lostUpdateIds = [...lost].sort((a, b) => a - b).slice(0, MAX_LISTED_IDS);
    m.lostIncrements = lostIncrements;
  } else {
    m.reason = "no region's keyed data could be read at the end";
  }
  divergence(context, m);
  return m;
}

/** A conflicts measurement with nothing measured yet (or, with a reason, nothing measurable). */
export function unmeasuredConflicts(
  strategy: string,
  merge: string | null,
  reason?: string,
): ConflictsMeasurement {
  return {
    strategy,
    merge,
    keyedWrites: 0,
    acknowledged: 0,
    indeterminate: 0,
    lostUpdates: null,
    lostUpdateIds: [],
    lostIncrements: null,
    discardedDespiteRealTime: 0,
    discardedIds: [],
    overwritten: 0,
    wrongKeys: [],
    countersOutOfRange: [],
    concurrentWrites: 0,
    resolvedByDatabase: {},
    databaseConflicts: {},
    applyErrors: 0,
    divergentKeysMax: 0,
    divergentKeys: null,
    steadyDivergentKeys: 0,
    timeToConvergeMs: null,
    samples: 0,
    ...(reason === undefined ? {} : { reason }),
  };
}

/** Divergence over the keyed monitor's samples, and time to converge after the last heal. */
function divergence({ index }: CheckContext, m: ConflictsMeasurement): void {
  const samples = eventsOf(index, Events.divergenceSample).map((op) => ({
    atMs: nsToRoundedMs(op.time),
    divergent: Number(valueOf(op)["divergent"] ?? 0),
  }));
  m.samples = samples.length;
  if (samples.length === 0) return;
  m.divergentKeysMax = Math.max(...samples.map((s) => s.divergent));
  m.divergentKeys = samples.at(-1)!.divergent;
  // The faults' own heals; the runner's heal-all at the workload's end only counts when none healed.
  const faultHeals = eventsOf(index, Events.faultHeal);
  const heals = faultHeals.length > 0 ? faultHeals : eventsOf(index, Events.healAll);
  const lastHealMs = heals.length === 0 ? 0 : Math.max(...heals.map((op) => nsToRoundedMs(op.time)));
  // Writes in flight keep a few keys apart at any moment: converged = back to the steady state's level.
  const firstFault = eventsOf(index, Events.faultStart)[0];
  const before = samples.filter((s) => firstFault === undefined || s.atMs < nsToRoundedMs(firstFault.time));
  m.steadyDivergentKeys = before.length === 0 ? 0 : Math.max(...before.map((s) => s.divergent));
  m.timeToConvergeMs = timeToConvergeMs(lastHealMs, samples, m.steadyDivergentKeys);
}
