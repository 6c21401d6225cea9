// analyze(): history + final reads + drill -> Summary. Pure: no I/O, no clock, same input same output.
import { redactDrill } from "../drill/redact.ts";
import type { Drill } from "../drill/types.ts";
import type { FinalRead, Op } from "../history/types.ts";
import { drillStatus, evaluateObjectives } from "../objectives/evaluate.ts";
import type { AnyChecker, CheckContext } from "./checker.ts";
import { composeCheckers } from "./compose.ts";
import { findFailover, findPrimaryOutage, finalPrimaryRegion, type FailoverEvents } from "./failover.ts";
import { indexHistory, nsToRoundedMs, roundMs, type HistoryIndex } from "./history.ts";
import { failoverNotes } from "./notes.ts";
import { summariseNodes } from "./nodes.ts";
import { summarisePopulation } from "./population.ts";
import { predict } from "./predicted.ts";
import { routingNotes } from "./routing.ts";
import { chartSeries } from "./series.ts";
import { STANDARD_CHECKERS } from "./standard.ts";
import { buildTimeline } from "./timeline.ts";
import { REPORT_FORMAT_VERSION } from "../summary/types.ts";
import type { Measurements, Summary, TimelineEntry } from "./types.ts";

export type * from "./types.ts";

export interface AnalyzeInput {
  drill: Drill;
  history: readonly Op[];
  finalReads: readonly FinalRead[];
  startedAt: string;
  /** The checkers to run; STANDARD_CHECKERS unless a test swaps one. */
  checkers?: readonly AnyChecker[];
}

/** analyze() on a history already indexed (a run's, streamed from its file: src/history/index-file.ts). */
export type AnalyzeIndexInput = Omit<AnalyzeInput, "history"> & { index: HistoryIndex };

const standardComposition = composeCheckers(STANDARD_CHECKERS);

export function analyze(input: AnalyzeInput): Summary {
  const { history, ...rest } = input;
  return analyzeIndex({ ...rest, index: indexHistory(input.drill, history) });
}

export function analyzeIndex(input: AnalyzeIndexInput): Summary {
  const { drill, finalReads, startedAt, index } = input;
  const outage = findPrimaryOutage(index);
  const failover = findFailover(index, outage.fault);
  const survivingPrimary = finalPrimaryRegion(index);
  const context: CheckContext = {
    drill,
    index,
    finalReads,
    outage: outage.fault,
    failover,
    survivingPrimary,
  };
  const check = input.checkers === undefined ? standardComposition : composeCheckers(input.checkers);
  const { measurements, notes, failures } = check(context);
  const objectives = evaluateObjectives(drill.objectives, measurements, failures);
  const predicted = predict(drill);
  const charts = chartSeries(context, measurements);
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    // Reports travel further than the drill file: no app.env value and no password in them.
    drill: redactDrill(drill),
    status: drillStatus(objectives, failures),
    startedAt,
    durationMs: nsToRoundedMs(index.endNs),
    measurements,
    predicted,
    population: summarisePopulation(index),
    objectives,
    timeline: buildTimeline(index, derivedTimeline(measurements, failover)),
    nodes: summariseNodes(finalReads, survivingPrimary, drill.database.engine),
    notes: [
      ...index.notes,
      ...outage.notes,
      ...failover.notes,
      ...failoverNotes(failover),
      ...routingNotes(index, failover, predicted),
      ...notes,
      ...(drill.objectives.length === 0 ? ["the drill has no objectives, so its pass is vacuous"] : []),
      ...charts.notes,
    ],
    ...(charts.series === undefined ? {} : { series: charts.series }),
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
