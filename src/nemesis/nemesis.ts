// Faults with their heals. Each fault is injected as a nemesis op pair (invoke, ok) in the history so
// the checkers know when it took effect, and returns a heal that undoes exactly what it did. The
// scheduler guarantees every injected fault is healed once, on every exit path.
import type {
  Fault,
  LatencyFault,
  LinkDirection,
  LinkSelector,
  LinkToxicFault,
  LinkToxicType,
} from "../drill/types.ts";
import { Events, Processes } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import type { ProxyControl, ToxicSpec } from "../toxiproxy/client.ts";
import {
  linksBetween,
  linksTouchingRegion,
  type LinkInfo,
  type RunningTopology,
} from "../topology/topology.ts";
import { LINK_KINDS } from "../drill/types.ts";

/** The parts of a running topology the nemesis acts on. */
export type NemesisTopology = Pick<RunningTopology, "proxies" | "layout" | "injectRegionOutage">;

export interface NemesisContext {
  topology: NemesisTopology;
  history: HistoryRecorder;
}

/** Toxiproxy's own type name for each link fault. */
export const TOXIPROXY_TYPES: Record<LatencyFault["type"] | LinkToxicType, string> = {
  latency: "latency",
  bandwidth: "bandwidth",
  blackhole: "timeout",
  "reset-peer": "reset_peer",
  "slow-close": "slow_close",
  "limit-data": "limit_data",
  slicer: "slicer",
};

type Stream = ToxicSpec["stream"];

export interface InjectedFault {
  fault: Fault;
  index: number;
  description: string;
  /** Undo the fault; safe to call once. */
  heal(): Promise<void>;
}

export function describeFault(f: Fault): string {
  switch (f.type) {
    case "region-outage":
      return `region-outage of ${f.region} (${f.mode})`;
    case "partition":
      return `partition between ${f.between[0]} and ${f.between[1]}`;
    case "latency":
      return `latency ${f.latencyMs}ms±${f.jitterMs}ms on ${describeLinks(f)}`;
    case "bandwidth":
      return `bandwidth limited to ${f.attributes["rate"]} KB/s on ${describeLinks(f)}`;
    case "blackhole": {
      const after = f.attributes["timeout"] ?? 0;
      const close = after === 0 ? "connections stay open" : `connections close after ${after}ms`;
      return `blackhole (data swallowed, ${close}) on ${describeLinks(f)}`;
    }
    case "reset-peer":
      return `reset-peer (TCP RST after ${f.attributes["timeout"] ?? 0}ms) on ${describeLinks(f)}`;
    case "slow-close":
      return `slow-close (close delayed ${f.attributes["delay"]}ms) on ${describeLinks(f)}`;
    case "limit-data":
      return `limit-data (close after ${f.attributes["bytes"]} bytes) on ${describeLinks(f)}`;
    case "slicer": {
      const a = f.attributes;
      const size = `${a["average_size"]}±${a["size_variation"] ?? 0} bytes`;
      return `slicer (${size} slices, ${a["delay"] ?? 0}us apart) on ${describeLinks(f)}`;
    }
  }
}

/** "us-east client+app-db links, upstream, toxicity 0.5" (direction and toxicity only when not the default). */
function describeLinks(f: { target: LinkSelector; direction: LinkDirection; toxicity: number }): string {
  const where = `${f.target.region ?? "all regions"} ${(f.target.links ?? LINK_KINDS).join("+")} links`;
  const direction = f.direction === "both" ? "" : `, ${f.direction} only`;
  const toxicity = f.toxicity === 1 ? "" : `, toxicity ${f.toxicity}`;
  return `${where}${direction}${toxicity}`;
}

/** The links a link fault applies to: those touching the region (all when absent) of the selected kinds. */
export function linkTargets(links: LinkInfo[], target: LinkSelector): LinkInfo[] {
  return links.filter(
    (l) =>
      (target.region === undefined || l.from === target.region || l.to === target.region) &&
      (target.links === undefined || target.links.includes(l.kind)),
  );
}

/** Toxiproxy streams for a direction: both = one toxic per stream. */
export function streamsOf(direction: LinkDirection): Stream[] {
  return direction === "both" ? ["upstream", "downstream"] : [direction];
}

/** The toxics a link fault puts on each of its proxies; names are unique per fault and stream. */
export function toxicsFor(fault: LatencyFault | LinkToxicFault, index: number): ToxicSpec[] {
  const attributes =
    fault.type === "latency"
      ? { latency: Math.round(fault.latencyMs), jitter: Math.round(fault.jitterMs) }
      : fault.attributes;
  return streamsOf(fault.direction).map((stream) => ({
    toxic: `fault-${index}-${fault.type}-${stream}`,
    type: TOXIPROXY_TYPES[fault.type],
    stream,
    toxicity: fault.toxicity,
    attributes,
  }));
}

export async function injectFault(fault: Fault, index: number, ctx: NemesisContext): Promise<InjectedFault> {
  const { history, topology } = ctx;
  const description = describeFault(fault);
  const value = {
    fault: index,
    type: fault.type,
    description,
    ...(fault.type === "region-outage" ? { region: fault.region } : {}),
    ...(fault.type === "partition" ? { between: fault.between } : {}),
  };
  history.append(Processes.nemesis, "invoke", Events.faultStart, value);
  let heal: () => Promise<void>;
  try {
    heal = await apply(fault, index, topology);
  } catch (err) {
    history.append(Processes.nemesis, "fail", Events.faultStart, value, (err as Error).message);
    throw err;
  }
  history.append(Processes.nemesis, "ok", Events.faultStart, value);

  let healed = false;
  return {
    fault,
    index,
    description,
    heal: async () => {
      if (healed) return;
      healed = true;
      const healValue = { fault: index, type: fault.type, description };
      history.append(Processes.nemesis, "invoke", Events.faultHeal, healValue);
      try {
        await heal();
        history.append(Processes.nemesis, "ok", Events.faultHeal, healValue);
      } catch (err) {
        history.append(Processes.nemesis, "fail", Events.faultHeal, healValue, (err as Error).message);
        throw err;
      }
    },
  };
}

async function apply(fault: Fault, index: number, topology: NemesisTopology): Promise<() => Promise<void>> {
  const proxies = topology.proxies;
  const layout = topology.layout;
  const reason = `fault-${index}`;
  switch (fault.type) {
    case "region-outage": {
      // Network first (the region drops off the net), then its processes die. A frozen region
      // keeps its connections open (they stall), so pause leaves the links alone.
      const links = fault.mode === "pause" ? [] : linksTouchingRegion(layout, fault.region);
      await Promise.all(links.map((l) => proxies.disable(l.proxy, reason)));
      let healRegion: () => Promise<void>;
      try {
        healRegion = await topology.injectRegionOutage(fault.region, fault.mode);
      } catch (err) {
        await Promise.allSettled(links.map((l) => proxies.enable(l.proxy, reason)));
        throw err;
      }
      return async () => {
        await healRegion();
        await Promise.all(links.map((l) => proxies.enable(l.proxy, reason)));
      };
    }
    case "partition": {
      const links = linksBetween(layout, fault.between[0], fault.between[1]);
      await Promise.all(links.map((l) => proxies.disable(l.proxy, reason)));
      return async () => {
        await Promise.all(links.map((l) => proxies.enable(l.proxy, reason)));
      };
    }
    case "latency":
    case "bandwidth":
    case "blackhole":
    case "reset-peer":
    case "slow-close":
    case "limit-data":
    case "slicer":
      return applyToxics(proxies, linkTargets(layout.links, fault.target), toxicsFor(fault, index));
  }
}

/**
 * Puts every toxic on every link and returns the heal that removes exactly those. If adding one fails,
 * the ones already added are removed before the error is rethrown: a fault that did not start leaves
 * nothing behind.
 */
async function applyToxics(
  proxies: ProxyControl,
  links: LinkInfo[],
  toxics: ToxicSpec[],
): Promise<() => Promise<void>> {
  const added: Array<{ proxy: string; toxic: string }> = [];
  const heal = async (): Promise<void> => {
    const results = await Promise.allSettled(added.map((a) => proxies.removeToxic(a.proxy, a.toxic)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw failed[0]?.reason as Error;
  };
  // Proxies in parallel (ProxyControl serialises calls per proxy), so all links turn bad together;
  // settled, not Promise.all, so nothing is still being added when a failed start cleans up.
  const results = await Promise.allSettled(
    links.map(async (l) => {
      for (const spec of toxics) {
        await proxies.addToxic(l.proxy, spec);
        added.push({ proxy: l.proxy, toxic: spec.toxic });
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) {
    await heal().catch(() => undefined);
    throw failed.reason as Error;
  }
  return heal;
}
