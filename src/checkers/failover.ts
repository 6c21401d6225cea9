// The failover chain: t_fault (the outage of the primary region), the controller's decision, the
// promoted region becoming writable and the DNS update; then detection and promotion durations.
// Without a manager's `writable` event (a manager that reports no steps, e.g. external: something else
// promotes) the promotion is taken from the database monitor's role-change events instead.
import { Events, type Op } from "../history/types.ts";
import {
  eventsOf,
  num,
  nsToRoundedMs,
  roundMs,
  str,
  topologyRegions,
  valueOf,
  type HistoryIndex,
} from "./history.ts";
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
  /** The drill's failover manager is external: the drill only injects and observes. */
  external: boolean;
  primaryDownNs: number | null;
  primaryDownRegion: string | null;
  /** How often a manager observed from outside was polled (its `primary-down` pollMs); else 0. */
  primaryDownPollMs: number;
  writableNs: number | null;
  /** How often the controller polled the candidate's recovery state: the promotion's uncertainty. */
  writablePollMs: number;
  promotedRegion: string | null;
  /** The promoted region's address from topology-up, when listed. */
  promotedAddress: string | null;
  /** controller = its writable event (canary committed); observed = a standby -> primary role change. */
  writableSource: "controller" | "observed" | null;
  dnsUpdate: { ns: number; address: string; region: string | null } | null;
  failoverFailed: string | null;
  /** Controller decisions before the fault: false positives. */
  earlyPrimaryDowns: number;
  notes: string[];
}

export const faultUncertaintyMs = (fault: FaultWindow): number => nsToRoundedMs(fault.okNs - fault.invokeNs);

/** The first fault-start that took effect and is a region-outage of the original primary region. */
export function findPrimaryOutage(index: HistoryIndex): { fault: FaultWindow | null; notes: string[] } {
  return findFault(
    index,
    (type, region) => type === "region-outage" && region !== undefined && region === index.originalPrimary,
  );
}

/** The first fault of any kind that took effect (its region is "" when it has none). */
export function findFirstFault(index: HistoryIndex): FaultWindow | null {
  return findFault(index, () => true).fault;
}

function findFault(
  index: HistoryIndex,
  accept: (type: string | undefined, region: string | undefined) => boolean,
): { fault: FaultWindow | null; notes: string[] } {
  const notes: string[] = [];
  const starts = eventsOf(index, Events.faultStart);
  for (const invoke of starts) {
    if (invoke.type !== "invoke") continue;
    const v = valueOf(invoke);
    const faultNo = num(v, "fault");
    const spec = faultNo === undefined ? undefined : index.drill.faults[faultNo];
    const type = str(v, "type") ?? spec?.type;
    const region = str(v, "region") ?? (spec?.type === "region-outage" ? spec.region : undefined);
    if (!accept(type, region)) continue;
    const sameFault = (op: Op): boolean =>
      op.process === invoke.process && op.time >= invoke.time && num(valueOf(op), "fault") === faultNo;
    const completion = starts.find((op) => op.type !== "invoke" && sameFault(op));
    if (completion?.type === "fail") {
      notes.push(
        `fault ${faultNo} (${type}${region === undefined ? "" : ` of ${region}`}) failed to apply: ` +
          (completion.error ?? "no error"),
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
        region: region ?? "",
        description:
          str(v, "description") ?? `${type ?? "fault"}${region === undefined ? "" : ` of ${region}`}`,
        invokeNs: invoke.time,
        okNs: completion?.time ?? invoke.time,
        healNs: heal?.time ?? null,
      },
      notes,
    };
  }
  return { fault: null, notes };
}

/** A standby -> primary change the database monitor saw. */
export interface ObservedPromotion {
  ns: number;
  region: string;
  /** The monitor's sample interval: the change happened up to this long before it was recorded. */
  sampleMs: number;
}

export function observedPromotions(index: HistoryIndex): ObservedPromotion[] {
  return eventsOf(index, Events.roleChange).flatMap((op) => {
    const v = valueOf(op);
    const region = str(v, "region");
    if (region === undefined || str(v, "from") !== "standby" || str(v, "to") !== "primary") return [];
    return [{ ns: op.time, region, sampleMs: num(v, "sampleMs") ?? 0 }];
  });
}

/** A region's address as topology-up listed it. */
function regionAddress(index: HistoryIndex, region: string): string | null {
  const address = topologyRegions(index.ops).find((r) => r.name === region)?.address;
  return typeof address === "string" ? address : null;
}

export function findFailover(index: HistoryIndex, fault: FaultWindow | null): FailoverEvents {
  const notes: string[] = [];
  const result: FailoverEvents = {
    fault,
    external: index.drill.controller.mode === "external",
    primaryDownNs: null,
    primaryDownRegion: null,
    primaryDownPollMs: 0,
    writableNs: null,
    writablePollMs: 0,
    promotedRegion: null,
    promotedAddress: null,
    writableSource: null,
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
  if (down === undefined) return withObservedPromotion(index, result, fault.invokeNs);
  result.primaryDownNs = down.time;
  result.primaryDownRegion = str(valueOf(down), "region") ?? null;
  result.primaryDownPollMs = num(valueOf(down), "pollMs") ?? 0;
  if (result.primaryDownRegion !== null && result.primaryDownRegion !== fault.region) {
    notes.push(
      `the controller declared ${result.primaryDownRegion} down, but the outage was of ${fault.region}`,
    );
  }

  const writable = eventsOf(index, Events.writable).find((op) => op.time >= down.time);
  if (writable === undefined) return withObservedPromotion(index, result, down.time);
  result.writableNs = writable.time;
  result.writablePollMs = num(valueOf(writable), "pollMs") ?? 0;
  result.promotedRegion = str(valueOf(writable), "region") ?? null;
  result.promotedAddress =
    result.promotedRegion === null ? null : regionAddress(index, result.promotedRegion);
  result.writableSource = "controller";
  findDnsUpdate(index, result, down.time);
  return result;
}

/** No controller `writable`: the first standby -> primary role change at or after `fromNs`, if any. */
function withObservedPromotion(index: HistoryIndex, result: FailoverEvents, fromNs: number): FailoverEvents {
  const observed = observedPromotions(index).find((p) => p.ns >= fromNs);
  if (observed === undefined) return result;
  result.writableNs = observed.ns;
  result.writablePollMs = observed.sampleMs;
  result.promotedRegion = observed.region;
  result.promotedAddress = regionAddress(index, observed.region);
  result.writableSource = "observed";
  findDnsUpdate(index, result, fromNs);
  return result;
}

function findDnsUpdate(index: HistoryIndex, result: FailoverEvents, fromNs: number): void {
  const updates = eventsOf(index, Events.dnsUpdate).filter((op) => op.time >= fromNs);
  const update = updates.find((op) => str(valueOf(op), "region") === result.promotedRegion) ?? updates.at(0);
  const address = update === undefined ? undefined : str(valueOf(update), "address");
  if (update !== undefined && address !== undefined) {
    result.dnsUpdate = { ns: update.time, address, region: str(valueOf(update), "region") ?? null };
  }
}

export const OBSERVED_PROMOTION_NOTE =
  "observed from database roles; detection not observable in external mode";

export function measureDetection(f: FailoverEvents): DurationMeasurement {
  if (f.fault === null) return { ms: null, uncertaintyMs: 0, reason: NO_OUTAGE_REASON };
  // A manager watched from outside (Patroni) decided up to one poll before the event was recorded.
  const uncertaintyMs = roundMs(faultUncertaintyMs(f.fault) + f.primaryDownPollMs);
  if (f.primaryDownNs === null) {
    const reason = f.external
      ? "detection not observable in external mode (no controller decision in the history)"
      : "the controller never declared the primary down after the fault";
    return { ms: null, uncertaintyMs, reason };
  }
  return { ms: nsToRoundedMs(f.primaryDownNs - f.fault.invokeNs), uncertaintyMs };
}

export function measurePromotion(f: FailoverEvents): DurationMeasurement {
  if (f.fault === null) return { ms: null, uncertaintyMs: 0, reason: NO_OUTAGE_REASON };
  if (f.writableSource === "observed" && f.writableNs !== null) {
    // No decision to start from without a controller: measured from t_fault, so the fault injection's
    // span adds to the monitor's sample interval.
    const fromNs = f.primaryDownNs ?? f.fault.invokeNs;
    const injectionMs = f.primaryDownNs === null ? faultUncertaintyMs(f.fault) : 0;
    const note =
      f.primaryDownNs === null
        ? `${OBSERVED_PROMOTION_NOTE}: fault -> ${f.promotedRegion ?? "?"} seen leaving recovery, ` +
          `± ${f.writablePollMs} ms sample interval`
        : `observed from database roles: declared down -> ${f.promotedRegion ?? "?"} seen leaving ` +
          `recovery (the controller never reported it writable), ± ${f.writablePollMs} ms sample interval`;
    return {
      ms: nsToRoundedMs(f.writableNs - fromNs),
      uncertaintyMs: roundMs(f.writablePollMs + injectionMs),
      basis: "database-roles",
      note,
    };
  }
  if (f.primaryDownNs === null) {
    if (f.external) {
      return {
        ms: null,
        uncertaintyMs: 0,
        reason: "external mode: no standby was observed becoming primary after the fault",
      };
    }
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

/**
 * The region that ends the drill as primary: the last one the controller made writable; without any,
 * the last standby the database monitor saw become primary; else the original primary.
 */
export function finalPrimaryRegion(index: HistoryIndex): string | null {
  const writables = eventsOf(index, Events.writable);
  const last = writables.at(-1);
  const controllers = last === undefined ? undefined : str(valueOf(last), "region");
  if (controllers !== undefined) return controllers;
  return observedPromotions(index).at(-1)?.region ?? index.originalPrimary;
}
