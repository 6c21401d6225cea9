// Write latency per phase, against literal histories: every figure follows by hand from the times here.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { latencyStats } from "../../src/checkers/latency.ts";
import type { Drill } from "../../src/drill/types.ts";
import { Events, type FinalRead, type Op } from "../../src/history/types.ts";
import { evaluateObjective } from "../../src/objectives/evaluate.ts";
import { findMetric } from "../../src/objectives/metrics.ts";
import { renderConsole, renderMarkdown } from "../../src/report/index.ts";

const reads: FinalRead[] = [{ node: "west", reachable: true, role: "primary", ids: [] }];

function summarise(history: Op[], drill: Drill = sampleDrill()) {
  return analyze({ drill, history, finalReads: reads, startedAt: "2026-01-01T00:00:00.000Z" });
}

/**
 * Workload 100 .. 12100. east is killed at 5000 (in effect 5004), west writable at 7900, healed at 11000.
 * before: #1 10 ms, #2 20 ms, #3 30 ms; during: #4 900 ms (invoked at t_fault), #5 fail, #6 400 ms
 * (acknowledged by west after 7900, but sent before it); after: #7 25 ms (invoked exactly at 7900), #8 15 ms.
 */
function outageHistory(): Op[] {
  return new HistoryBuilder()
    .runner(0, Events.topologyUp, { regions: [{ name: "east", role: "primary" }] })
    .runner(100, Events.workloadStart)
    .write(0, 1, 100, "ok", 110, "east")
    .write(1, 2, 1000, "ok", 1020, "east")
    .write(0, 3, 4900, "ok", 4930, "east")
    .faultStart(0, 5000, 5004, { type: "region-outage", region: "east" })
    .write(1, 4, 5000, "ok", 5900, "east")
    .write(0, 5, 5100, "fail", 5200, "ECONNREFUSED")
    .controller(7500, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
    .write(1, 6, 7800, "ok", 8200, "west")
    .controller(7900, Events.writable, { region: "west" })
    .write(0, 7, 7900, "ok", 7925, "west")
    .write(0, 8, 9000, "ok", 9015, "west")
    .faultHeal(0, 11_000, 11_500, { type: "region-outage" })
    .runner(12_100, Events.workloadEnd)
    .build();
}

describe("write latency checker", () => {
  it("splits acknowledged writes into before, during and after the failover by invoke time", () => {
    const w = summarise(outageHistory()).measurements.writeLatency;
    assert.deepEqual(w.phases, [
      { phase: "before", fromMs: 100, toMs: 5000, count: 3, p50Ms: 20, p99Ms: 30, maxMs: 30 },
      { phase: "during", fromMs: 5000, toMs: 7900, count: 2, p50Ms: 400, p99Ms: 900, maxMs: 900 },
      { phase: "after", fromMs: 7900, toMs: 12_100, count: 2, p50Ms: 15, p99Ms: 25, maxMs: 25 },
    ]);
    assert.equal(w.duringEndsAt, "writable");
    assert.deepEqual(w.overall, { count: 7, p50Ms: 25, p99Ms: 900, maxMs: 900 });
    assert.equal(w.beforeP50Ms, 20);
    assert.equal(w.reason, undefined);
  });

  it("ends the during phase at the heal when no region became writable", () => {
    // A brownout: latency on east's client links from 3000 to 6000, no failover.
    const drill = sampleDrill({
      faults: [
        {
          type: "latency",
          atMs: 3000,
          durationMs: 3000,
          latencyMs: 150,
          jitterMs: 0,
          target: { region: "east", links: ["client"] },
          direction: "both",
          toxicity: 1,
        },
      ],
    });
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 1000, "ok", 1012, "east")
      .faultStart(0, 3000, 3002, { type: "latency", description: "latency 150 ms on east client links" })
      .write(0, 2, 4000, "ok", 4312, "east")
      .write(1, 3, 4100, "ok", 4400, "east")
      .faultHeal(0, 6000, 6003, { type: "latency" })
      .write(0, 4, 7000, "ok", 7011, "east")
      .runner(8000, Events.workloadEnd)
      .build();
    const w = summarise(history, drill).measurements.writeLatency;
    assert.equal(w.duringEndsAt, "heal");
    assert.deepEqual(
      w.phases.map((p) => [p.phase, p.fromMs, p.toMs, p.count, p.p50Ms, p.maxMs]),
      [
        ["before", 0, 3000, 1, 12, 12],
        ["during", 3000, 6000, 2, 300, 312],
        ["after", 6000, 8000, 1, 11, 11],
      ],
    );
  });

  it("has a single phase over the whole run of a drill without faults", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 100, "ok", 104, "east")
      .write(1, 2, 200, "ok", 210, "east")
      .write(0, 3, 300, "info", 1300, "timeout")
      .runner(2000, Events.workloadEnd)
      .build();
    const w = summarise(history, sampleDrill({ faults: [] })).measurements.writeLatency;
    assert.deepEqual(w.phases, [
      { phase: "all", fromMs: 0, toMs: 2000, count: 2, p50Ms: 4, p99Ms: 10, maxMs: 10 },
    ]);
    assert.equal(w.beforeP50Ms, 4);
    assert.equal(w.duringEndsAt, null);
  });

  it("says why there are no figures when nothing was acknowledged", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 100, "fail", 104, "ECONNREFUSED")
      .runner(2000, Events.workloadEnd)
      .build();
    const w = summarise(history, sampleDrill({ faults: [] })).measurements.writeLatency;
    assert.deepEqual(w.overall, { count: 0, p50Ms: null, p99Ms: null, maxMs: null });
    assert.equal(w.reason, "no write was acknowledged");
  });

  it("takes nearest-rank percentiles", () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.deepEqual(latencyStats(hundred), { count: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    assert.deepEqual(latencyStats([7]), { count: 1, p50Ms: 7, p99Ms: 7, maxMs: 7 });
  });

  it("lets objectives bound the overall and steady-state latency", () => {
    const m = summarise(outageHistory()).measurements;
    const objective = (metric: string, limit: number) =>
      evaluateObjective({ metric, operator: "<", limit, source: `< ${limit}ms` }, m);
    assert.equal(findMetric("writeLatency.p50")?.unit, "ms");
    assert.deepEqual(
      [objective("writeLatency.p50", 30).measured, objective("writeLatency.p50", 20).met],
      [25, false],
    );
    assert.equal(objective("writeLatency.p99", 1000).measured, 900);
    assert.equal(objective("writeLatency.beforeP50", 21).met, true);
    assert.equal(objective("writeLatency.beforeP50", 20).met, false);
  });
});

describe("write latency in the reports", () => {
  it("tables latency by phase in Markdown and sums it up on the console", () => {
    const s = summarise(outageHistory());
    const md = renderMarkdown(s);
    assert.ok(
      md.includes(
        [
          "## Write latency by phase",
          "",
          "| phase | from | to | acked writes | p50 | p99 | max |",
          "|---|---|---|---|---|---|---|",
          "| before | 0.100 s | 5.000 s | 3 | 20 ms | 30 ms | 30 ms |",
          "| during | 5.000 s | 7.900 s | 2 | 400 ms | 900 ms | 900 ms |",
          "| after | 7.900 s | 12.100 s | 2 | 15 ms | 25 ms | 25 ms |",
          "| overall |  |  | 7 | 25 ms | 900 ms | 900 ms |",
          "",
          "Acknowledged writes, ack − invoke, by the phase each write was invoked in; the during phase " +
            "ends when a region became writable.",
        ].join("\n"),
      ),
      md,
    );
    assert.match(
      renderConsole(s),
      /latency {6}p50 25 ms {2}p99 900 ms {2}max 900 ms {2}\(p50 before 20 ms, during 400 ms, after 15 ms\)/,
    );
  });
});
