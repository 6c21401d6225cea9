// The notable events of a drill in time order, in words. Runs of failed probes are summarised into
// one entry so the timeline stays readable at any probe rate.
import { Events, type Op } from "../history/types.ts";
import { num, nsToRoundedMs, str, valueOf, type HistoryIndex } from "./history.ts";
import type { TimelineEntry } from "./types.ts";

function describe(op: Op): string | undefined {
  const v = valueOf(op);
  const region = str(v, "region") ?? "?";
  const fault = num(v, "fault");
  const what = str(v, "description") ?? str(v, "type") ?? "fault";
  switch (op.f) {
    case Events.faultStart:
      if (op.type === "invoke") return `fault ${fault ?? "?"} injected: ${what}`;
      if (op.type === "fail") return `fault ${fault ?? "?"} failed to apply: ${op.error ?? "unknown error"}`;
      return `fault ${fault ?? "?"} in effect`;
    case Events.faultHeal:
      if (op.type === "invoke") return `fault ${fault ?? "?"} healing: ${what}`;
      if (op.type === "fail") return `fault ${fault ?? "?"} heal failed: ${op.error ?? "unknown error"}`;
      return `fault ${fault ?? "?"} healed`;
    case Events.primaryDown:
      // A manager observed from outside says who decided (`by`) instead of counting probes.
      return str(v, "by") === undefined
        ? `controller declares ${region} down after ${num(v, "consecutiveFailures") ?? "?"} failed probes`
        : `${str(v, "by")} declares ${region} down`;
    case Events.fence:
      return `${str(v, "by") ?? "controller"} fences ${region}`;
    case Events.promote:
      return `${str(v, "by") ?? "controller"} promotes ${region}`;
    case Events.routeSwitch:
      return `${str(v, "router") ?? "router"} routes to ${region}`;
    case Events.writable:
      return `${region} writable (canary committed)`;
    case Events.dnsUpdate:
      return `DNS ${str(v, "name") ?? "?"} -> ${str(v, "address") ?? "?"} (${region})`;
    case Events.failoverFailed:
      return `failover failed: ${str(v, "error") ?? "unknown error"}`;
    case Events.roleChange: {
      // First observations are the starting roles, not news.
      const from = str(v, "from");
      return from === undefined ? undefined : `${region} observed as ${str(v, "to") ?? "?"} (was ${from})`;
    }
    case Events.authoritativeAnswer:
      return `authoritative DNS answers ${str(v, "address") ?? "?"}`;
    case Events.topologyUp:
      return "topology up";
    case Events.steadyState:
      return v.ok === false ? "steady state NOT reached" : "steady state confirmed";
    case Events.workloadStart:
      return "workload starts";
    case Events.workloadEnd:
      return "workload ends";
    case Events.healAll:
      return "runner heals all faults";
    case Events.finalRead: {
      const node = str(v, "node") ?? "?";
      return v.reachable === false
        ? `final read: ${node} unreachable`
        : `final read: ${node} (${str(v, "role") ?? "?"}) holds ${num(v, "count") ?? "?"} writes`;
    }
    default:
      return undefined;
  }
}

/** One entry per run of consecutive failed probes of a region (a run restarts when `consecutive` does). */
function probeRuns(ops: readonly Op[]): TimelineEntry[] {
  const runs: Array<{ ns: number; region: string; count: number; error: string }> = [];
  const open = new Map<string, (typeof runs)[number]>();
  for (const op of ops) {
    if (op.f !== Events.probeFail) continue;
    const v = valueOf(op);
    const region = str(v, "region") ?? "?";
    const consecutive = num(v, "consecutive") ?? 1;
    const run = open.get(region);
    if (run !== undefined && consecutive > run.count) {
      run.count = consecutive;
      continue;
    }
    const fresh = { ns: op.time, region, count: consecutive, error: str(v, "error") ?? "unknown error" };
    runs.push(fresh);
    open.set(region, fresh);
  }
  return runs.map((r) => ({
    tMs: nsToRoundedMs(r.ns),
    event: `health probes of ${r.region} start failing (${r.count} in a row; first: ${r.error})`,
  }));
}

export function buildTimeline(index: HistoryIndex, derived: readonly TimelineEntry[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const op of index.ops) {
    const event = describe(op);
    if (event !== undefined) entries.push({ tMs: nsToRoundedMs(op.time), event });
  }
  entries.push(...probeRuns(index.ops), ...derived);
  // Stable sort keeps history order for simultaneous events.
  return entries.sort((a, b) => a.tMs - b.tMs);
}
