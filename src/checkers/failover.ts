// The failover chain: t_fault (the outage of the primary region), the controller's decision, the
// promoted region becoming writable and the DNS update; then detection and promotion durations.
import { Events, type Op } from "../history/types.ts";
import { eventsOf, num, nsToRoundedMs, str, valueOf, type HistoryIndex } from "./history.ts";
import type { DurationMeasurement } from "./types.ts";

export const NO_OUTAGE_REASON = "no outage of the primary region in this drill";

/** When the fault that took the primary region down was injected: somewhere in [invokeNs, okNs]. */
export interface FaultWindow {
  /** Index of the fault in drill.faults. */
  fault: number;
  region: string;
  description: string;
  invokeNs: number;
  okNs: number;
  /** Start of the fault's heal (fault-heal invoke), when it was healed. */
  healNs: number | null;
}

export interface FailoverEvents {
  fault: FaultWindow | null;
  primaryDownNs: number | null;
  primaryDownRegion: string | null;
  writableNs: number | null;
  /** How often the controller polled the candidate's recovery state: the promotion's uncertainty. */
  writablePollMs: number;
  promotedRegion: string | null;
  dnsUpdate: { ns: number; address: string; region: string | null } | null;
  failoverFailed: string | null;
  /** Controller decisions before the fault: false positives. */
  earlyPrimaryDowns: number;
  notes: string[];
}

export const faultUncertaintyMs = (fault: FaultWindow): number => nsToRoundedMs(fault.okNs - fault.invokeNs);

/** The first fault-start that took effect and is a region-outage of the original primary region. */
export function findPrimaryOutage(index: HistoryIndex): { fault: FaultWindow | null; notes: string[] } {
  const notes: string[] = [];
  const starts = eventsOf(index, Events.faultStart);
  for (const invoke of starts) {
    if (invoke.type !== "invoke") continue;
    const v = valueOf(invoke);
    const faultNo = num(v, "fault");
    const spec = faultNo === undefined ? undefined : index.drill.faults[faultNo];
    const type = str(v, "type") ?? spec?.type;
    const region = str(v, "region") ?? (spec?.type === "region-outage" ? spec.region : undefined);
    if (type !== "region-outage" || region === undefined || region !== index.originalPrimary) continue;
    const sameFault = (op: Op): boolean =>
      op.process === invoke.process && op.time >= invoke.time && num(valueOf(op), "fault") === faultNo;
    const completion = starts.find((op) => op.type !== "invoke" && sameFault(op));
    if (completion?.type === "fail") {
      notes.push(
        `fault ${faultNo} (${type} of ${region}) failed to apply: ${completion.error ?? "no error"}`,
      );
      continue;
    }
    if (completion === undefined) {
      notes.push(`fault ${faultNo} has no completion in the history; t_fault taken at its invoke`);
    }
    const heal = eventsOf(index, Events.faultHeal).find((op) => op.type === "invoke" && sameFault(op));
    return {
      fault: {
        fault: faultNo ?? -1,
        region,
        description: str(v, "description") ?? `${type} of ${region}`,
        invokeNs: invoke.time,
        okNs: completion?.time ?? invoke.time,
        healNs: heal?.time ?? null,
      },
      notes,
    };
  }
  return { fault: null, notes };
}

export function findFailover(index: HistoryIndex, fault: FaultWindow | null): FailoverEvents {
  const notes: string[] = [];
  const result: FailoverEvents = {
    fault,
    primaryDownNs: null,
    primaryDownRegion: null,
    writableNs: null,
    writablePollMs: 0,
    promotedRegion: null,
    dnsUpdate: null,
    failoverFailed: null,
    earlyPrimaryDowns: 0,
    notes,
  };
  if (fault === null) return result;

  const downs = eventsOf(index, Events.primaryDown);
  result.earlyPrimaryDowns = downs.filter((op) => op.time < fault.invokeNs).length;
  const down = downs.find((op) => op.time >= fault.invokeNs);
  const failed = eventsOf(index, Events.failoverFailed).find((op) => op.time >= fault.invokeNs);
  if (failed !== undefined) result.failoverFailed = str(valueOf(failed), "error") ?? "unknown error";
  if (down === undefined) return result;
  result.primaryDownNs = down.time;
  result.primaryDownRegion = str(valueOf(down), "region") ?? null;
  if (result.primaryDownRegion !== null && result.primaryDownRegion !== fault.region) {
    notes.push(
      `the controller declared ${result.primaryDownRegion} down, but the outage was of ${fault.region}`,
    );
  }

  const writable = eventsOf(index, Events.writable).find((op) => op.time >= down.time);
  if (writable === undefined) return result;
  result.writableNs = writable.time;
  result.writablePollMs = num(valueOf(writable), "pollMs") ?? 0;
  result.promotedRegion = str(valueOf(writable), "region") ?? null;

  const updates = eventsOf(index, Events.dnsUpdate).filter((op) => op.time >= down.time);
  const update = updates.find((op) => str(valueOf(op), "region") === result.promotedRegion) ?? updates.at(0);
  const address = update === undefined ? undefined : str(valueOf(update), "address");
  if (update !== undefined && address !== undefined) {
    result.dnsUpdate = { ns: update.time, address, region: str(valueOf(update), "region") ?? null };
  }
  return result;
}

export function measureDetection(f: FailoverEvents): DurationMeasurement {
  if (f.fault === null) return { ms: null, uncertaintyMs: 0, reason: NO_OUTAGE_REASON };
  const uncertaintyMs = faultUncertaintyMs(f.fault);
  if (f.primaryDownNs === null) {
    return {
      ms: null,
      uncertaintyMs,
      reason: "the controller never declared the primary down after the fault",
    };
  }
  return { ms: nsToRoundedMs(f.primaryDownNs - f.fault.invokeNs), uncertaintyMs };
}

export function measurePromotion(f: FailoverEvents): DurationMeasurement {
  if (f.fault === null) return { ms: null, uncertaintyMs: 0, reason: NO_OUTAGE_REASON };
  if (f.primaryDownNs === null) {
    return {
      ms: null,
      uncertaintyMs: 0,
      reason: "the controller never declared the primary down after the fault",
    };
  }
  if (f.writableNs === null) {
    const reason =
      f.failoverFailed !== null
        ? `failover failed: ${f.failoverFailed}`
        : "no region became writable after the primary was declared down";
    return { ms: null, uncertaintyMs: 0, reason };
  }
  // The candidate left recovery up to one poll before the controller saw it.
  return { ms: nsToRoundedMs(f.writableNs - f.primaryDownNs), uncertaintyMs: f.writablePollMs };
}

/** The region that ends the drill as primary: the last one made writable, else the original primary. */
export function finalPrimaryRegion(index: HistoryIndex): string | null {
  const writables = eventsOf(index, Events.writable);
  const last = writables.at(-1);
  return (last === undefined ? undefined : str(valueOf(last), "region")) ?? index.originalPrimary;
}
