// Faults with their heals. Each fault is injected as a nemesis op pair (invoke, ok) in the history so
// the checkers know when it took effect, and returns a heal that undoes exactly what it did. The
// scheduler guarantees every injected fault is healed once, on every exit path.
import type { Fault, LinkKind } from "../drill/types.ts";
import { Events, Processes } from "../history/types.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { linksBetween, linksTouchingRegion, type LinkInfo } from "../topology/topology.ts";
import type { LocalTopology } from "../topology/local.ts";
import { LINK_KINDS } from "../drill/types.ts";

export interface NemesisContext {
  topology: LocalTopology;
  history: HistoryRecorder;
}

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
    case "latency": {
      const where = [f.target.region ?? "all regions", (f.target.links ?? LINK_KINDS).join("+")].join(" ");
      return `latency ${f.latencyMs}ms±${f.jitterMs}ms on ${where} links`;
    }
  }
}

/** The proxies a latency fault applies to. */
export function latencyTargets(links: LinkInfo[], region: string | undefined, kinds: LinkKind[] | undefined) {
  return links.filter(
    (l) =>
      (region === undefined || l.from === region || l.to === region) &&
      (kinds === undefined || kinds.includes(l.kind)),
  );
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
  const reason = `fault-${index}`;
  history.append(Processes.nemesis, "invoke", Events.faultStart, value);
  let heal: () => Promise<void>;
  try {
    heal = await apply(fault, reason, topology);
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

async function apply(fault: Fault, reason: string, topology: LocalTopology): Promise<() => Promise<void>> {
  const proxies = topology.proxies;
  const layout = topology.layout;
  switch (fault.type) {
    case "region-outage": {
      // Network first (the region drops off the net), then its processes die.
      const links = linksTouchingRegion(layout, fault.region);
      await Promise.all(links.map((l) => proxies.disable(l.proxy, reason)));
      await topology.stopRegionProcesses(fault.region, fault.mode);
      return async () => {
        await topology.restartRegionProcesses(fault.region);
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
    case "latency": {
      const links = latencyTargets(layout.links, fault.target.region, fault.target.links);
      const toxic = (stream: string): string => `${reason}-latency-${stream}`;
      for (const l of links) {
        for (const stream of ["upstream", "downstream"] as const) {
          await proxies.addLatency(l.proxy, {
            toxic: toxic(stream),
            latencyMs: fault.latencyMs,
            jitterMs: fault.jitterMs,
            stream,
          });
        }
      }
      return async () => {
        for (const l of links) {
          for (const stream of ["upstream", "downstream"]) await proxies.removeToxic(l.proxy, toxic(stream));
        }
      };
    }
  }
}
