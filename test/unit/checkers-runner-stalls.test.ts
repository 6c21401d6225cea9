// The runner's own stalls (runner-stall events) in the throughput measurement and the notes.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { Events, type FinalRead, type Op } from "../../src/history/types.ts";

const reads: FinalRead[] = [{ node: "east", reachable: true, role: "primary", ids: [1, 2] }];

function summarise(history: Op[]) {
  return analyze({ drill: sampleDrill(), history, finalReads: reads, startedAt: "2026-01-01T00:00:00.000Z" });
}

function quietRun(): HistoryBuilder {
  return new HistoryBuilder()
    .runner(0, Events.topologyUp, { regions: [{ name: "east", role: "primary" }] })
    .runner(100, Events.workloadStart)
    .write(0, 1, 100, "ok", 110, "east")
    .write(1, 2, 1000, "ok", 1020, "east");
}

describe("runner stalls in the report", () => {
  it("a run whose runner never stalled has no runnerStalls and no stall note", () => {
    const summary = summarise(quietRun().runner(2000, Events.workloadEnd).build());
    assert.equal(summary.measurements.throughput.runnerStalls, undefined);
    assert.ok(!summary.notes.some((n) => n.includes("runner itself stalled")));
  });

  it("stalls are counted with the longest and the total, and the note names them", () => {
    const history = quietRun()
      .runner(500, Events.runnerStall, { ms: 120 })
      .runner(1500, Events.runnerStall, { ms: 640 })
      .runner(2000, Events.workloadEnd)
      .build();
    const summary = summarise(history);
    assert.deepEqual(summary.measurements.throughput.runnerStalls, {
      count: 2,
      longestMs: 640,
      totalMs: 760,
    });
    const note = summary.notes.find((n) => n.includes("runner itself stalled"));
    assert.ok(
      note?.includes("2 time(s)") && note.includes("longest 640 ms") && note.includes("760 ms in all"),
    );
  });
});
