// DNS switch: when the authoritative server and then each client started using the new primary's
// address, relative to t_writable (the earliest moment the switch could usefully happen).
import { Events } from "../history/types.ts";
import { NO_OUTAGE_REASON, type FailoverEvents } from "./failover.ts";
import { eventsOf, num, nsToRoundedMs, str, valueOf, type HistoryIndex } from "./history.ts";
import type { DnsSwitchMeasurement } from "./types.ts";

export function measureDnsSwitch(index: HistoryIndex, f: FailoverEvents): DnsSwitchMeasurement {
  const base: DnsSwitchMeasurement = {
    authoritativeMs: null,
    clientFirstMs: null,
    clientLastMs: null,
    clientsSwitched: 0,
    clientsNotSwitched: 0,
    uncertaintyMs: index.opIntervalMs,
    authoritativeUncertaintyMs: 0,
    faultToClientLastMs: null,
    newAddress: null,
    perClient: [],
  };
  if (f.fault === null) return { ...base, reason: NO_OUTAGE_REASON };
  const notSwitched = {
    clientsNotSwitched: index.clients.length,
    perClient: index.clients.map((client) => ({ client, switchMs: null })),
  };
  if (f.writableNs === null) return { ...base, ...notSwitched, reason: "no region became writable" };
  // Observed (external) failover: whatever moved DNS left no event, so look for the promoted address.
  const address =
    f.dnsUpdate?.address ?? (f.writableSource === "observed" ? f.promotedAddress : null) ?? null;
  if (address === null) {
    const reason =
      f.writableSource === "observed"
        ? `the promoted region ${f.promotedRegion ?? "?"} has no known address`
        : "the controller never updated DNS";
    return { ...base, ...notSwitched, reason };
  }
  const writableNs = f.writableNs;
  const faultNs = f.fault.invokeNs;
  const sinceWritable = (ns: number): number => nsToRoundedMs(ns - writableNs);

  const answers = eventsOf(index, Events.authoritativeAnswer).filter((op) => op.time >= faultNs);
  const answer = answers.find((op) => str(valueOf(op), "address") === address);
  const pollMs = answer === undefined ? undefined : num(valueOf(answer), "pollMs");

  const first = index.resolves.firstLookups(faultNs, address);
  const firstNs = index.clients.map((client) => first.get(client) ?? null);
  const perClient = index.clients.map((client, i) => {
    const ns = firstNs[i] ?? null;
    return { client, switchMs: ns === null ? null : sinceWritable(ns) };
  });
  const switchedNs = firstNs.filter((ns): ns is number => ns !== null);
  const clientsNotSwitched = perClient.length - switchedNs.length;
  // The last switch is unknown while some client never switched: a number would lie to an objective.
  const lastNs = switchedNs.length > 0 && clientsNotSwitched === 0 ? Math.max(...switchedNs) : null;
  if (f.dnsUpdate === null && answer === undefined && switchedNs.length === 0) {
    // Nothing in the drill moves DNS in external mode; without evidence it moved, there is no switch.
    const reason = `DNS never moved to the promoted region's address ${address} (no DNS update in the history)`;
    return { ...base, ...notSwitched, reason };
  }
  return {
    ...base,
    authoritativeMs: answer === undefined ? null : sinceWritable(answer.time),
    authoritativeUncertaintyMs: pollMs ?? 0,
    clientFirstMs: switchedNs.length > 0 ? sinceWritable(Math.min(...switchedNs)) : null,
    clientLastMs: lastNs === null ? null : sinceWritable(lastNs),
    clientsSwitched: switchedNs.length,
    clientsNotSwitched,
    faultToClientLastMs: lastNs === null ? null : nsToRoundedMs(lastNs - faultNs),
    newAddress: address,
    perClient,
  };
}
