import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Measurements } from "../../src/checkers/types.ts";
import type { Objective, ObjectiveOperator } from "../../src/drill/types.ts";
import { Events } from "../../src/history/types.ts";
import { compare, evaluateObjective, evaluateObjectives, verdict } from "../../src/objectives/evaluate.ts";

const objective = (
  metric: string,
  operator: ObjectiveOperator,
  limit: number,
  source: string,
): Objective => ({
  metric,
  operator,
  limit,
  source,
});

/** Measurements with literal values; only the fields the objectives read matter. */
function measurements(): Measurements {
  const summary = analyze({
    drill: sampleDrill({ faults: [] }),
    history: new HistoryBuilder().write(0, 1, 0, "ok", 10, "east").build(),
    finalReads: [{ node: "east", reachable: true, role: "primary", ids: [1] }],
    startedAt: "2026-01-01T00:00:00.000Z",
  });
  const m = summary.measurements;
  m.detection = { ms: 2500, uncertaintyMs: 4 };
  m.rto.maxMs = 12_000;
  m.throughput.ackedPerSecond = 9.5;
  return m;
}

describe("objective evaluation", () => {
  it("applies every operator to the measured value", () => {
    const cases: Array<[ObjectiveOperator, number, boolean]> = [
      ["<", 3000, true],
      ["<", 2500, false],
      ["<=", 2500, true],
      ["<=", 2499, false],
      [">", 2499, true],
      [">", 2500, false],
      [">=", 2500, true],
      [">=", 2501, false],
      ["==", 2500, true],
      ["==", 2501, false],
      ["!=", 2501, true],
      ["!=", 2500, false],
    ];
    for (const [op, limit, met] of cases) {
      assert.equal(compare(2500, op, limit), met, `2500 ${op} ${limit}`);
      const result = evaluateObjective(objective("detection", op, limit, `${op} ${limit}ms`), measurements());
      assert.equal(result.met, met, `detection ${op} ${limit}`);
    }
  });

  it("compares durations in milliseconds against a limit written in seconds", () => {
    const result = evaluateObjective(objective("rto.max", "<", 20_000, "< 20s"), measurements());
    assert.deepEqual(result, {
      name: "rto.max",
      operator: "<",
      limit: "< 20s",
      limitValue: 20_000,
      unit: "ms",
      measured: 12_000,
      met: true,
    });
    assert.equal(evaluateObjective(objective("rto.max", "<", 10_000, "< 10s"), measurements()).met, false);
  });

  it("compares booleans as 0 and 1", () => {
    const m = measurements();
    assert.equal(evaluateObjective(objective("splitBrain", "==", 0, "== false"), m).met, true);
    m.splitBrain.detected = true;
    const result = evaluateObjective(objective("splitBrain", "==", 0, "== false"), m);
    assert.equal(result.measured, true);
    assert.equal(result.met, false);
    assert.equal(result.unit, "boolean");
  });

  it("reads counts and rates with their units", () => {
    const [lost, rate] = evaluateObjectives(
      [
        objective("rpo.lostWrites", "==", 0, "== 0"),
        objective("throughput.ackedPerSecond", ">=", 50, ">= 50"),
      ],
      measurements(),
    );
    assert.equal(lost?.unit, "count");
    assert.equal(lost?.measured, 0);
    assert.equal(lost?.met, true);
    assert.equal(rate?.unit, "per-second");
    assert.equal(rate?.met, false);
  });

  it("is inconclusive with the measurement's reason when the metric is null", () => {
    const result = evaluateObjective(objective("promotion", "<", 2000, "< 2s"), measurements());
    assert.equal(result.measured, null);
    assert.equal(result.met, null);
    assert.equal(result.reason, "no outage of the primary region in this drill");
  });

  it("is inconclusive for a metric it does not know", () => {
    const result = evaluateObjective(objective("latency.p99", "<", 5, "< 5ms"), measurements());
    assert.equal(result.met, null);
    assert.equal(result.reason, "unknown metric latency.p99");
  });
});

describe("drill status", () => {
  const met = { name: "a", operator: "<", limit: "< 1", limitValue: 1, unit: "ms", measured: 0 } as const;

  it("passes when every objective is met", () => {
    assert.equal(verdict([{ ...met, met: true }]), "pass");
  });

  it("fails when an objective is missed, even if another is inconclusive", () => {
    assert.equal(
      verdict([
        { ...met, met: null },
        { ...met, met: false },
      ]),
      "fail",
    );
  });

  it("is inconclusive when an objective could not be decided and none failed", () => {
    assert.equal(
      verdict([
        { ...met, met: true },
        { ...met, met: null },
      ]),
      "inconclusive",
    );
  });

  it("derives the summary status from the drill's objectives", () => {
    const history = new HistoryBuilder()
      .runner(0, Events.workloadStart)
      .write(0, 1, 0, "ok", 10, "east")
      .write(0, 2, 200, "ok", 210, "east")
      .runner(1000, Events.workloadEnd)
      .build();
    const status = (objectives: Objective[]) =>
      analyze({
        drill: sampleDrill({ faults: [], objectives }),
        history,
        finalReads: [{ node: "east", reachable: true, role: "primary", ids: [1] }],
        startedAt: "2026-01-01T00:00:00.000Z",
      }).status;
    assert.equal(status([objective("rpo.ackedWrites", "==", 2, "== 2")]), "pass");
    assert.equal(status([objective("rpo.lostWrites", "==", 0, "== 0")]), "fail");
    assert.equal(status([objective("rto.max", "<", 30_000, "< 30s")]), "inconclusive");
  });
});
