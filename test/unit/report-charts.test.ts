// report.html's charts as SVG text, without a browser: the marks each chart must have, markers at the
// x their time maps to, the log scale's ticks, and the sentence drawn instead of a chart whose data is
// missing. The golden outage (golden-outage.ts): workload 0.1 s .. 12.1 s, east killed at 5 s,
// declared down at 7.5 s, west writable at 7.9 s, the clients back at 9.05 s and 9.7 s.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { latencySeries } from "../../src/checkers/series.ts";
import { Events, Processes } from "../../src/history/types.ts";
import { chartBlocks } from "../../src/report/charts/index.ts";
import { latencyChart } from "../../src/report/charts/latency.ts";
import { phaseChart, phaseRows } from "../../src/report/charts/phases.ts";
import { replicationChart } from "../../src/report/charts/replication.ts";
import { coveringTicks, logTicks, niceTicks } from "../../src/report/charts/svg.ts";
import { throughputChart } from "../../src/report/charts/throughput.ts";
import { renderHtml } from "../../src/report/index.ts";
import type { RunSeries } from "../../src/summary/series.ts";
import type { Summary } from "../../src/summary/types.ts";
import { outageSummary } from "./golden-outage.ts";

const golden = outageSummary({});
const series = golden.series as RunSeries;

/** The time charts' x: 64 px at the workload's start (0.1 s) to 944 px at its end (12.1 s). */
const xOf = (ms: number): number => Math.round((64 + ((ms - 100) / 12_000) * 880) * 10) / 10;

const count = (svg: string, re: RegExp): number => [...svg.matchAll(re)].length;

function assertAccessible(svg: string, title: string): void {
  assert.match(
    svg,
    new RegExp(`^<svg class="chart [^"]+" role="img" [^>]*><title>${title}</title><desc>[^<]+</desc>`),
  );
}

/** Each marker's kind, the x of its dashed line and its label. */
function markers(svg: string): Array<[string, number, string]> {
  return [
    ...svg.matchAll(
      /<g class="marker" data-kind="([a-z-]+)">.*?<path d="M([\d.]+) .*?<text class="marker-label"[^>]*>([^<]+)<\/text><\/g>/g,
    ),
  ].map((m) => [m[1] as string, Number(m[2]), m[3] as string]);
}

const EXPECTED_MARKERS: Array<[string, number, string]> = [
  ["fault", xOf(5000), "fault"],
  ["detection", xOf(7500), "detected"],
  ["writable", xOf(7900), "writable (west)"],
  ["dns", xOf(7920), "DNS switched"],
  ["first-client", xOf(9050), "first client back"],
  ["last-client", xOf(9700), "last client back"],
];

describe("report charts", () => {
  describe("throughput", () => {
    const svg = throughputChart(series) as string;

    it("is an accessible SVG with its axes labelled", () => {
      assertAccessible(svg, "Throughput over time");
      assert.ok(svg.includes(">writes per second</text>"));
      assert.ok(svg.includes(">drill clock (completion time)</text>"));
    });

    it("stacks a bar per outcome in every bucket that had completions", () => {
      // ok in buckets 0, 19, 35, 38; fail in 19; info in 24.
      assert.equal(count(svg, /<g class="bucket">/g), 5);
      assert.equal(count(svg, /<rect class="bar ok"/g), 4);
      assert.equal(count(svg, /<rect class="bar fail"/g), 1);
      assert.equal(count(svg, /<rect class="bar info"/g), 1);
      const bucket19 =
        /<g class="bucket"><title>4\.85 s – 5\.1 s: 2 ok, 1 fail, 0 info \(12\/s\)<\/title>(.*?)<\/g>/.exec(
          svg,
        )?.[1];
      assert.ok(bucket19 !== undefined, "bucket 19's title says what it holds");
      const [ok, fail] = [...bucket19.matchAll(/y="([\d.]+)" [^>]*height="([\d.]+)"/g)].map((m) => [
        Number(m[1]),
        Number(m[2]),
      ]);
      assert.ok(ok !== undefined && fail !== undefined);
      assert.ok(
        Math.abs((fail[0] as number) + (fail[1] as number) - (ok[0] as number)) < 0.2,
        "fail sits on ok",
      );
    });

    it("draws each milestone as a labelled dashed line at the x of its time", () => {
      assert.deepEqual(markers(svg), EXPECTED_MARKERS);
    });

    it("shades the fault window from the fault to its heal", () => {
      const band = /<rect class="fault-window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
      assert.ok(band !== null);
      assert.equal(Number(band[1]), xOf(5000));
      assert.ok(Math.abs(Number(band[1]) + Number(band[2]) - xOf(11_000)) < 0.2);
    });
  });

  describe("write latency", () => {
    const svg = latencyChart(series) as string;

    it("draws every write as a point in its outcome's group", () => {
      assertAccessible(svg, "Write latency over time");
      const group = (o: string): number =>
        count(new RegExp(`<g class="points ${o}"[^>]*>.*?</g>`).exec(svg)?.[0] ?? "", /<circle /g);
      assert.deepEqual([group("ok"), group("fail"), group("info")], [6, 1, 1]);
      assert.deepEqual(markers(svg), EXPECTED_MARKERS);
      assert.ok(svg.includes("showing all 8 completed writes"));
    });

    it("puts the latencies on a log scale: each decade the same height, 2 and 5 between", () => {
      const ticks = [...svg.matchAll(/<text x="58" y="([\d.]+)"[^>]*>([^<]+)<\/text>/g)].map(
        (m) => [m[2] as string, Number(m[1])] as const,
      );
      assert.deepEqual(
        ticks.map((t) => t[0]),
        ["10 ms", "20 ms", "50 ms", "100 ms", "200 ms", "500 ms", "1 s"],
      );
      const y = Object.fromEntries(ticks);
      const decade = (y["10 ms"] as number) - (y["100 ms"] as number);
      assert.ok(decade > 50);
      assert.ok(Math.abs((y["100 ms"] as number) - (y["1 s"] as number) - decade) < 0.2);
      assert.ok(Math.abs((y["10 ms"] as number) - (y["20 ms"] as number) - decade * Math.log10(2)) < 0.2);
      assert.ok(svg.includes(">latency (log scale)</text>"));
    });

    it("says on the chart when it shows a sample of the writes", () => {
      const writes = Array.from({ length: 9 }, (_, i) => ({
        id: i,
        outcome: "ok" as const,
        invokeNs: i * 1e9,
        completeNs: i * 1e9 + 5e6,
      }));
      const sampled = latencyChart({ ...series, latency: latencySeries(writes, 3) }) as string;
      assert.ok(sampled.includes("showing every 3rd write of each outcome: 3 of 9 completed writes"));
      assert.equal(count(sampled, /<circle /g), 3);
    });
  });

  it("picks round ticks, and covers the largest value with the top one", () => {
    assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(coveringTicks(523, 4), [0, 200, 400, 600]);
    assert.deepEqual(logTicks(0.1, 1000), [0.1, 1, 10, 100, 1000]);
    assert.deepEqual(logTicks(1, 100), [1, 2, 5, 10, 20, 50, 100]);
  });

  describe("replication lag", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 10, "ok", 20, "east")
      .event(100, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [
          { name: "west", state: "streaming", syncState: "async", replayLagMs: 12, replayLagBytes: 800 },
        ],
        nodes: [],
        sampleMs: 200,
      })
      .event(300, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [],
        nodes: [],
        sampleMs: 200,
      })
      .event(500, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [
          { name: "west", state: "streaming", syncState: "async", replayLagMs: 40, replayLagBytes: 2048 },
        ],
        nodes: [],
        sampleMs: 200,
      })
      .event(700, Processes.dbMonitor, Events.replicationSample, {
        primary: "east",
        standbys: [
          { name: "west", state: "streaming", syncState: "async", replayLagMs: 30, replayLagBytes: 1024 },
        ],
        nodes: [],
        sampleMs: 200,
      })
      .runner(1000, Events.workloadEnd)
      .build();
    const summary = analyze({
      drill: sampleDrill({ faults: [] }),
      history,
      finalReads: [],
      startedAt: "2026-01-01T00:00:00.000Z",
    });

    it("draws a line per standby in ms and in bytes, broken where the standby was not listed", () => {
      const svg = replicationChart(summary.series as RunSeries) as string;
      assertAccessible(svg, "Replication lag over time per standby");
      const paths = [...svg.matchAll(/<path class="lag-line" d="([^"]+)"/g)].map((m) => m[1] as string);
      assert.equal(paths.length, 2, "one line in each panel");
      for (const d of paths) assert.equal(count(d, /M/g), 2, `a gap at 300 ms in ${d}`);
      assert.equal(count(svg, /<circle /g), 6, "a dot per sample in each panel");
      assert.ok(svg.includes(">replay lag</text>") && svg.includes(">WAL behind</text>"));
      assert.ok(svg.includes(">west</text>"), "the legend names the standby");
    });

    it("says why instead of drawing an empty frame when no standby was sampled", () => {
      assert.equal(replicationChart(series), null);
      const block = chartBlocks(golden).find((b) => b.id === "replication-lag");
      assert.equal(block?.svg, null);
      assert.match(block?.missing ?? "", /^The database monitor took no replication samples/);
    });
  });

  describe("phase bar", () => {
    it("splits the failover into its phases, measured against predicted", () => {
      const rows = phaseRows(golden);
      assert.ok(rows !== null && rows.predicted !== null);
      const spans = (row: typeof rows.measured) => row.map((s) => [s.phase, s.fromMs, s.toMs]);
      assert.deepEqual(spans(rows.measured), [
        ["detection", 0, 2500],
        ["promotion", 2500, 2900],
        ["dns", 2900, 4600],
        ["recovery", 4600, 4700],
      ]);
      // 3 x 1 s probes; promotion not predicted (the measured 400 ms stands in, grey); TTL 2 s; one
      // write interval (200 ms) and one request timeout (1 s).
      assert.deepEqual(spans(rows.predicted), [
        ["detection", 0, 3000],
        ["promotion", 3000, 3400],
        ["dns", 3400, 5400],
        ["recovery", 5400, 6600],
      ]);
      assert.equal(rows.predicted[1]?.notPredicted, true);
      assert.deepEqual(rows.predicted[0]?.rangeMs, [2000, 3500]);
      const svg = phaseChart(golden) as string;
      assertAccessible(svg, "Failover phases: measured against predicted");
      assert.equal(count(svg, /<rect class="phase /g), 8);
      assert.ok(svg.includes(">detection 2.5 s</text>") && svg.includes(">time after the fault</text>"));
      assert.ok(svg.includes("<title>the clients&#39; predicted RTO: 2.4 s – 7.11 s</title>"));
    });

    it("predicts nothing for an external manager, and draws no bar without a failover", () => {
      const external: Summary = {
        ...golden,
        drill: { ...golden.drill, controller: { ...golden.drill.controller, mode: "external" } },
      };
      assert.equal(phaseRows(external)?.predicted, null);
      const noFault = analyze({
        drill: sampleDrill({ faults: [] }),
        history: new HistoryBuilder()
          .runner(0, Events.workloadStart)
          .write(0, 1, 10, "ok", 20, "east")
          .build(),
        finalReads: [],
        startedAt: "2026-01-01T00:00:00.000Z",
      });
      assert.equal(phaseChart(noFault), null);
      assert.match(chartBlocks(noFault)[0]?.missing ?? "", /^No failover to split into phases: /);
    });
  });

  describe("in the page", () => {
    it("puts every chart under the Charts heading, each with a title and a description", () => {
      const html = renderHtml(golden);
      const section = /<section id="charts">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
      assert.deepEqual(
        [...section.matchAll(/<svg class="chart ([a-z-]+)/g)].map((m) => m[1]),
        ["phases", "throughput", "latency", "rto"],
      );
      assert.equal(count(section, /<svg [^>]*><title>[^<]+<\/title><desc>[^<]+<\/desc>/g), 4);
      assert.ok(section.includes('<p class="no-chart">The database monitor took no replication samples'));
    });

    it("names in the caption and the descriptions only the milestones the run had", () => {
      const full = chartBlocks(golden).find((b) => b.id === "throughput")?.caption ?? "";
      assert.match(
        full,
        / Shaded: the fault window\. Dashed: the fault, the primary declared down, the promoted region writable, the DNS switch, the first client back, the last client back\.$/,
      );
      const brownout = analyze({
        drill: sampleDrill({ faults: [] }),
        history: new HistoryBuilder()
          .runner(0, Events.workloadStart)
          .write(0, 1, 10, "ok", 20, "east")
          .faultStart(0, 100, 101, { type: "latency", description: "slow links" })
          .write(0, 2, 200, "ok", 400, "east")
          .runner(1000, Events.workloadEnd)
          .build(),
        finalReads: [],
        startedAt: "2026-01-01T00:00:00.000Z",
      });
      const caption = chartBlocks(brownout).find((b) => b.id === "throughput")?.caption ?? "";
      assert.match(caption, /\. Shaded: the fault window\. Dashed: the fault\.$/);
      assert.match(
        latencyChart(brownout.series as RunSeries) ?? "",
        /<desc>[^<]*Dashed: the fault\.<\/desc>/,
      );
    });

    it("says how to draw the charts of a report written before they existed", () => {
      const { series: _none, ...older } = golden;
      const html = renderHtml(older);
      assert.equal(
        count(html, /<p class="no-chart">This report.json was written before reports had charts/g),
        3,
      );
      assert.ok(html.includes('<svg class="chart phases"'), "the phase bar needs only the measurements");
    });
  });
});
