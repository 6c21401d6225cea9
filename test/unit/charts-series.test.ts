// The charts' series (src/checkers/series.ts) against literal histories: buckets, sampling, lag lines
// and markers follow by hand from the times written here. The golden outage (golden-outage.ts): east
// killed at 5 s, declared down at 7.5 s, west writable at 7.9 s, clients back at 9.05 s and 9.7 s.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import {
  BUCKET_WIDTHS_MS,
  faultSpans,
  latencySeries,
  MAX_BUCKETS,
  thinLag,
  throughputSeries,
} from "../../src/checkers/series.ts";
import { indexHistory } from "../../src/checkers/history.ts";
import { Events, Processes, type SampledStandby } from "../../src/history/types.ts";
import { parseSummaryJson, renderJson } from "../../src/report/json.ts";
import type { LagPoint } from "../../src/summary/series.ts";
import { outageHistory, outageReads, outageSummary } from "./golden-outage.ts";

type Outcome = "ok" | "fail" | "info";
const write = (id: number, outcome: Outcome, invokeMs: number, completeMs: number) => ({
  id,
  outcome,
  invokeNs: invokeMs * 1e6,
  completeNs: completeMs * 1e6,
});

const standby = (
  name: string,
  replayLagMs: number | null,
  replayLagBytes: number | null,
): SampledStandby => ({
  name,
  state: "streaming",
  syncState: "async",
  writeLagMs: null,
  flushLagMs: null,
  replayLagMs,
  sentLagBytes: replayLagBytes,
  flushLagBytes: replayLagBytes,
  replayLagBytes,
});

describe("chart series", () => {
  const golden = outageSummary({});
  const series = golden.series!;

  it("runs the charts' x axis over the workload's window", () => {
    assert.deepEqual([series.fromMs, series.toMs], [100, 12_100]);
  });

  it("counts completed writes per 250 ms bucket by outcome, at their completion time", () => {
    const t = series.throughput;
    assert.equal(t.bucketMs, 250);
    assert.equal(t.ok.length, 48);
    const nonZero = (xs: number[]) => xs.flatMap((v, i) => (v === 0 ? [] : [[i, v]]));
    // ok at 110, 210 (bucket 0), 4910, 5003 (19), 9050 (35), 9700 (38); fail at 5050; info at 6100.
    assert.deepEqual(nonZero(t.ok), [
      [0, 2],
      [19, 2],
      [35, 1],
      [38, 1],
    ]);
    assert.deepEqual(nonZero(t.fail), [[19, 1]]);
    assert.deepEqual(nonZero(t.info), [[24, 1]]);
  });

  it("widens the buckets on long runs so there are at most MAX_BUCKETS", () => {
    const writes = [write(1, "ok", 0, 10), write(2, "fail", 599_000, 599_990)];
    const t = throughputSeries(writes, 0, 600_000);
    assert.equal(t.bucketMs, 5000);
    assert.ok(t.ok.length <= MAX_BUCKETS);
    assert.equal(t.fail.at(-1), 1, "a write completing in the last bucket counts in it");
    assert.equal(throughputSeries(writes, 0, 60_000).bucketMs, BUCKET_WIDTHS_MS[0]);
  });

  it("lists every write's invoke time and latency when there are few, by outcome", () => {
    const l = series.latency;
    assert.deepEqual([l.total, l.kept, l.every], [8, 8, 1]);
    assert.deepEqual(l.fail, [[5010, 40]]);
    assert.deepEqual(l.info, [[5100, 1000]]);
    assert.deepEqual(l.ok[3], [4990, 13]);
  });

  it("samples every n-th write of each outcome above the limit, the same way every time", () => {
    const writes = [
      ...Array.from({ length: 7 }, (_, i) => write(i + 1, "ok", i * 100, i * 100 + 5)),
      write(8, "fail", 50, 51),
      write(9, "fail", 150, 152),
    ].sort((a, b) => a.invokeNs - b.invokeNs);
    const l = latencySeries(writes, 3);
    assert.equal(l.every, 3);
    assert.deepEqual(
      l.ok.map((p) => p[0]),
      [0, 300, 600],
    );
    assert.deepEqual(l.fail, [[50, 1]], "the rarer outcome keeps its own count: its first write stays");
    assert.equal(l.kept, 4);
    assert.deepEqual(latencySeries(writes, 3), l);
  });

  it("draws a lag line per standby and breaks it where a sample stops listing the standby", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 10, "ok", 20, "east")
      .event(100, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [standby("west", 12.34, 800), standby("north", null, 0)],
        nodes: [],
        sampleMs: 200,
      })
      .event(300, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [standby("north", 3, 100)],
        nodes: [],
        sampleMs: 200,
      })
      .event(500, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [standby("west", 40, 2048), standby("north", 4, 120)],
        nodes: [],
        sampleMs: 200,
      })
      .runner(600, Events.workloadEnd)
      .build();
    const lag = analyze({
      drill: sampleDrill({ faults: [] }),
      history,
      finalReads: [],
      startedAt: "2026-01-01T00:00:00.000Z",
    }).series!.replicationLag;
    assert.equal(lag.samples, 3);
    assert.equal(lag.sampleMs, 200);
    assert.deepEqual(lag.standbys, [
      {
        standby: "west",
        points: [
          [100, 12.3, 800],
          [300, null, null],
          [500, 40, 2048],
        ],
      },
      {
        standby: "north",
        points: [
          [100, null, 0],
          [300, 3, 100],
          [500, 4, 120],
        ],
      },
    ]);
  });

  it("thins a long lag line to its most-behind sample per group, keeping every gap", () => {
    const points: LagPoint[] = [
      [0, 1, 10],
      [1, 2, 50],
      [2, 3, 20],
      [3, null, null],
      [4, 5, 5],
      [5, 6, 60],
      [6, 7, 70],
    ];
    assert.deepEqual(thinLag(points, 4), [
      [1, 2, 50],
      [2, 3, 20],
      [3, null, null],
      [5, 6, 60],
      [6, 7, 70],
    ]);
    assert.deepEqual(thinLag(points, 7), points);
  });

  it("shades each fault that took effect until its heal, and skips one that failed to apply", () => {
    const history = new HistoryBuilder()
      .faultStart(0, 1000, 1010, { type: "region-outage", region: "east", description: "outage of east" })
      .faultStart(1, 2000, 2005, { type: "partition", description: "partition" }, "refused")
      .faultStart(2, 3000, 3001, { type: "latency", description: "slow links" })
      .faultHeal(0, 4000, 4100, { type: "region-outage", description: "outage of east" })
      .build();
    assert.deepEqual(faultSpans(indexHistory(sampleDrill(), history)), [
      { fault: 0, description: "outage of east", fromMs: 1000, toMs: 4000 },
      { fault: 2, description: "slow links", fromMs: 3000, toMs: null },
    ]);
  });

  it("marks the fault, detection, writable, the DNS switch and the first and last client back", () => {
    assert.deepEqual(
      series.markers.map((m) => [m.kind, m.tMs, m.label]),
      [
        ["fault", 5000, "fault"],
        ["detection", 7500, "detected"],
        ["writable", 7900, "writable (west)"],
        // writable + authoritativeMs (the answer changed at 7.92 s).
        ["dns", 7920, "DNS switched"],
        // the fault + the clients' RTOs, 4.05 s and 4.7 s.
        ["first-client", 9050, "first client back"],
        ["last-client", 9700, "last client back"],
      ],
    );
  });

  it("leaves the last client out while a client never recovered", () => {
    // Client 1's only write after the failover (#8) removed: it never recovered.
    const history = outageHistory.filter((op) => (op.value as { id?: number } | undefined)?.id !== 8);
    const s = analyze({
      drill: sampleDrill(),
      history,
      finalReads: outageReads,
      startedAt: golden.startedAt,
    });
    assert.equal(s.measurements.rto.clientsNotRecovered, 1);
    const kinds = s.series!.markers.map((m) => m.kind);
    assert.deepEqual(kinds, ["fault", "detection", "writable", "dns", "first-client"]);
  });

  it("marks a controller decision that was not the fault's failover under its region", () => {
    // A false positive: east declared down and west made writable at 2 s and 2.3 s, before the fault.
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 10, "ok", 20, "east")
      .controller(2000, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
      .controller(2300, Events.writable, { region: "west" })
      .faultStart(0, 5000, 5004, { type: "region-outage", region: "east", description: "outage of east" })
      .runner(6000, Events.workloadEnd)
      .build();
    const s = analyze({ drill: sampleDrill(), history, finalReads: [], startedAt: golden.startedAt });
    assert.deepEqual(
      s.series!.markers.map((m) => [m.kind, m.tMs, m.label]),
      [
        ["detection", 2000, "declared down (east)"],
        ["writable", 2300, "writable (west)"],
        ["fault", 5000, "fault"],
      ],
    );
  });

  it("marks only the fault when nothing failed over", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 10, "ok", 20, "east")
      .faultStart(0, 1000, 1001, { type: "latency", description: "slow links" })
      .write(0, 2, 1100, "ok", 1400, "east")
      .runner(2000, Events.workloadEnd)
      .build();
    const s = analyze({
      drill: sampleDrill({ faults: [] }),
      history,
      finalReads: [],
      startedAt: "2026-01-01T00:00:00.000Z",
    });
    assert.deepEqual(
      s.series!.markers.map((m) => [m.kind, m.tMs]),
      [["fault", 1000]],
    );
  });

  it("travels in report.json after everything else, each list on one line, and reads back equal", () => {
    const json = renderJson(golden);
    assert.deepEqual(parseSummaryJson(json), JSON.parse(JSON.stringify(golden)));
    const keys = Object.keys(JSON.parse(json) as object);
    assert.equal(keys.at(-1), "series");
    assert.match(json, /\n {6}"ok": \[2,0,0,/);
    assert.match(json, /\n {6}"fail": \[\[5010,40\]\],\n/);
    // The rest keeps its one-value-a-line layout.
    assert.match(json, /\n {2}"formatVersion": 1,\n/);
    const { series: _dropped, ...older } = golden;
    assert.equal(renderJson(older), JSON.stringify(older, null, 2) + "\n");
  });
});
