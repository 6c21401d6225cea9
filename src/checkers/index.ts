// analyze(): history + final reads + drill -> Summary. Pure: no I/O, no clock, same input same output.
import type { Drill } from "../drill/types.ts";
import type { FinalRead, Op } from "../history/types.ts";
import { evaluateObjectives, verdict } from "../objectives/evaluate.ts";
import { measureRto } from "./availability.ts";
import { measureDnsSwitch } from "./dns-switch.ts";
import {
  findFailover,
  findFirstFault,
  findPrimaryOutage,
  finalPrimaryRegion,
  measureDetection,
  measurePromotion,
  type FailoverEvents,
} from "./failover.ts";
import { indexHistory, nsToRoundedMs, roundMs } from "./history.ts";
import { measureWriteLatency } from "./latency.ts";
import { measureRpo } from "./lost-writes.ts";
import { summariseNodes } from "./nodes.ts";
import { predict } from "./predicted.ts";
import { measureReplication } from "./replication.ts";
import { detectSplitBrain } from "./split-brain.ts";
import { measureThroughput } from "./throughput.ts";
import { buildTimeline } from "./timeline.ts";
import type { Measurements, Summary, TimelineEntry } from "./types.ts";

export type * from "./types.ts";

export interface AnalyzeInput {
  drill: Drill;
  history: readonly Op[];
  finalReads: readonly FinalRead[];
  startedAt: string;
}

export function analyze(input: AnalyzeInput): Summary {
  const { drill, finalReads, startedAt } = input;
  const index = indexHistory(drill, input.history);
  const outage = findPrimaryOutage(index);
  const failover = findFailover(index, outage.fault);
  const survivingPrimary = finalPrimaryRegion(index);
  const measurements: Measurements = {
    detection: measureDetection(failover),
    promotion: measurePromotion(failover),
    dnsSwitch: measureDnsSwitch(index, failover),
    rto: measureRto(index, outage.fault),
    rpo: measureRpo(index, finalReads, survivingPrimary),
    splitBrain: detectSplitBrain(index),
    throughput: measureThroughput(index, outage.fault),
    // Latency phases hinge on any fault (a brownout has no outage); the failover only on the outage.
    writeLatency: measureWriteLatency(index, outage.fault ?? findFirstFault(index), failover),
    replication: measureReplication(index, outage.fault, failover),
  };
  const objectives = evaluateObjectives(drill.objectives, measurements);
  return {
    drill,
    status: verdict(objectives),
    startedAt,
    durationMs: nsToRoundedMs(index.endNs),
    measurements,
    predicted: predict(drill),
    objectives,
    timeline: buildTimeline(index, derivedTimeline(measurements, failover)),
    nodes: summariseNodes(finalReads, survivingPrimary, drill.database.engine),
    notes: [
      ...index.notes,
      ...outage.notes,
      ...failover.notes,
      ...measurementNotes(measurements, failover),
      ...(drill.objectives.length === 0 ? ["the drill has no objectives, so its pass is vacuous"] : []),
    ],
  };
}

/** Client-side milestones that are not single history events. */
function derivedTimeline(m: Measurements, f: FailoverEvents): TimelineEntry[] {
  return [
    ...firstAndLastClient(
      f.writableNs === null ? null : nsToRoundedMs(f.writableNs),
      m.dnsSwitch.perClient.map((c) => ({ client: c.client, ms: c.switchMs })),
      m.dnsSwitch.clientsNotSwitched === 0,
      (which, client) => `${which} client (${client}) resolves the new address`,
    ),
    ...firstAndLastClient(
      f.fault === null ? null : nsToRoundedMs(f.fault.invokeNs),
      m.rto.perClient.map((c) => ({ client: c.client, ms: c.rtoMs })),
      m.rto.clientsNotRecovered === 0,
      (which, client) =>
        `${which} client (${client}) write acknowledged after the fault` +
        (which === "last" ? ": all clients recovered" : ""),
    ),
  ];
}

/**
 * The first client to reach a milestone `ms` after `fromMs`, and the last one when every client
 * reached it (otherwise the last is unknown).
 */
function firstAndLastClient(
  fromMs: number | null,
  perClient: ReadonlyArray<{ client: number; ms: number | null }>,
  everyClient: boolean,
  event: (which: "first" | "last", client: number) => string,
): TimelineEntry[] {
  const reached = perClient
    .flatMap((c) => (c.ms === null ? [] : [{ client: c.client, ms: c.ms }]))
    .sort((a, b) => a.ms - b.ms);
  const first = reached[0];
  const last = reached.at(-1);
  if (fromMs === null || first === undefined) return [];
  const entries = [{ tMs: roundMs(fromMs + first.ms), event: event("first", first.client) }];
  if (last !== undefined && last !== first && everyClient)
    entries.push({ tMs: roundMs(fromMs + last.ms), event: event("last", last.client) });
  return entries;
}

const listHead = (ids: readonly number[], max = 20): string =>
  ids.slice(0, max).join(", ") + (ids.length > max ? `, ... (${ids.length - max} more listed)` : "");

function measurementNotes(m: Measurements, f: FailoverEvents): string[] {
  const notes: string[] = [];
  if (f.fault === null) notes.push("no outage of the primary region in this drill: failover figures are n/a");
  if (f.earlyPrimaryDowns > 0) {
    notes.push(
      `the controller declared the primary down ${f.earlyPrimaryDowns} time(s) before the fault (false positive)`,
    );
  }
  for (const [name, d] of [
    ["detection", m.detection],
    ["promotion", m.promotion],
  ] as const) {
    if (f.fault !== null && d.reason !== undefined) notes.push(`${name}: ${d.reason}`);
    if (f.fault !== null && d.note !== undefined) notes.push(`${name}: ${d.note}`);
  }
  if (f.fault !== null && m.dnsSwitch.reason !== undefined) notes.push(`DNS switch: ${m.dnsSwitch.reason}`);
  if (f.fault !== null && m.dnsSwitch.newAddress !== null && m.dnsSwitch.clientsNotSwitched > 0) {
    const never = m.dnsSwitch.perClient.filter((c) => c.switchMs === null).map((c) => c.client);
    notes.push(
      `${never.length} client(s) never resolved the new address ${m.dnsSwitch.newAddress} ` +
        `(clients ${never.join(", ")}): the last client switch is unknown`,
    );
  }
  if (f.fault !== null && m.rto.clientsNotRecovered > 0) {
    const never = m.rto.perClient.filter((c) => c.rtoMs === null).map((c) => c.client);
    notes.push(
      `${never.length} client(s) never completed a write after the fault (clients ${never.join(", ")}): ` +
        "RTO is inconclusive",
    );
  }
  const rpo = m.rpo;
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
  if (m.splitBrain.detected) {
    notes.push(
      `SPLIT BRAIN: ${m.splitBrain.writes} write(s) acknowledged by a superseded primary ` +
        `(${m.splitBrain.regions.join(" and ")} overlapping for ${m.splitBrain.overlapMs} ms)`,
    );
  }
  if (m.splitBrain.unattributedWrites > 0) {
    notes.push(
      `${m.splitBrain.unattributedWrites} acknowledged write(s) named no region, so split brain could not be ` +
        "judged for them",
    );
  }
  const wal = m.replication.atFailover;
  const sampleMs = m.replication.sampleMs ?? 0;
  if (wal !== null && sampleMs > 0 && wal.sampledMsBeforeFault > 2 * sampleMs) {
    notes.push(
      `the last replication sample of ${wal.standby} before the fault is ${wal.sampledMsBeforeFault} ms old ` +
        "(a missed sample): the WAL distance at failover understates what was written since",
    );
  }
  if (m.throughput.pending > 0) {
    notes.push(
      `${m.throughput.pending} write(s) never completed before the run ended (counted as indeterminate)`,
    );
  }
  return notes;
}
