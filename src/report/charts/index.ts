// report.html's charts, in reading order, each drawn from the summary alone (its `series` and
// measurements) or, where the data is missing, a sentence saying why there is no chart.
import type { Summary } from "../../summary/types.ts";
import { latencyChart, samplingNote } from "./latency.ts";
import { phaseChart } from "./phases.ts";
import { replicationChart } from "./replication.ts";
import { rtoChart } from "./rto.ts";
import { throughputChart } from "./throughput.ts";
import { markerCaption } from "./time-frame.ts";

export interface ChartBlock {
  id: "phases" | "throughput" | "latency" | "replication-lag" | "rto-distribution";
  heading: string;
  /** How to read it, in one line under the heading. */
  caption: string;
  /** The inline SVG, or null with `missing` saying why there is none. */
  svg: string | null;
  missing: string;
}

const NO_SERIES =
  "This report.json was written before reports had charts: `failover-drill check` on the run's " +
  "directory re-analyses its history and draws them.";

const NO_WRITES = "No write completed in this run, so there is nothing to draw.";

export function chartBlocks(s: Summary): ChartBlock[] {
  const m = s.measurements;
  const series = s.series;
  const lag = series?.replicationLag;
  return [
    {
      id: "phases",
      heading: "Failover phases",
      caption:
        "Time after the fault, split at each milestone: measured above, what the drill's parameters predict below.",
      svg: phaseChart(s),
      missing: `No failover to split into phases: ${m.detection.reason ?? m.promotion.reason ?? "nothing was detected or promoted"}.`,
    },
    {
      id: "throughput",
      heading: "Throughput",
      caption:
        `Writes completed per second in ${series?.throughput.bucketMs ?? "?"} ms buckets, stacked ok / fail / info.` +
        (series === undefined ? "" : markerCaption(series)),
      svg: series === undefined ? null : throughputChart(series),
      missing: series === undefined ? NO_SERIES : NO_WRITES,
    },
    {
      id: "latency",
      heading: "Write latency",
      caption:
        "Each write at its invoke time against its latency (log scale), coloured by outcome" +
        (series === undefined ? "." : `; showing ${samplingNote(series)}.`),
      svg: series === undefined ? null : latencyChart(series),
      missing: series === undefined ? NO_SERIES : NO_WRITES,
    },
    {
      id: "replication-lag",
      heading: "Replication lag",
      caption:
        "Each standby's replay lag (ms) and WAL not yet replayed (bytes), as its primary reported them to the database monitor.",
      svg: series === undefined ? null : replicationChart(series),
      missing:
        lag === undefined
          ? NO_SERIES
          : lag.samples === 0
            ? "The database monitor took no replication samples in this run, so there is no lag to draw."
            : `None of the database monitor's ${lag.samples} samples listed a standby (none was running or connected), so there is no lag to draw.`,
    },
    {
      id: "rto-distribution",
      heading: "Client RTO distribution",
      caption:
        "Clients by RTO (fault → their first acknowledged write), over the predicted range; below, each profile's range with its measured p50 and max.",
      svg: rtoChart(m.rto),
      missing:
        m.rto.reason === undefined
          ? "No client recovered after the fault, so there is no distribution to draw."
          : `No RTO distribution to draw: ${m.rto.reason}.`,
    },
  ];
}
