// Checkers composed as Jepsen's `compose`: one that throws leaves its measurement inconclusive with a
// note, the others still measured, and the drill exits 3 (inconclusive) unless an objective was missed.
import assert from "node:assert/strict";
import type { AnyChecker, MeasurementName } from "../../src/checkers/checker.ts";
import { MEASUREMENT_NAMES } from "../../src/checkers/checker.ts";
import { composeCheckers } from "../../src/checkers/compose.ts";
import { sampleDrill } from "../../src/checkers/history-builder.ts";
import { analyze } from "../../src/checkers/index.ts";
import { STANDARD_CHECKERS } from "../../src/checkers/standard.ts";
import { ExitCode, exitCodeForStatus } from "../../src/cli/exit-codes.ts";
import type { Objective, ObjectiveOperator } from "../../src/drill/types.ts";
import type { Summary } from "../../src/summary/types.ts";
import { outageHistory, outageReads, outageSummary } from "./golden-outage.ts";

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

/** The standard checkers with `name`'s check replaced by one that throws `thrown`. */
function breaking(name: MeasurementName, thrown: unknown): AnyChecker[] {
  return STANDARD_CHECKERS.map((c) =>
    c.name === name
      ? ({
          ...c,
          check: () => {
            throw thrown;
          },
        } as AnyChecker)
      : c,
  );
}

/** The golden outage (detection 2500 ms, 2 lost writes, no split brain) analysed with `checkers`. */
function golden(objectives: Objective[], checkers?: AnyChecker[]): Summary {
  return analyze({
    drill: sampleDrill({ objectives }),
    history: outageHistory,
    finalReads: outageReads,
    startedAt: "2026-01-01T00:00:00.000Z",
    ...(checkers === undefined ? {} : { checkers }),
  });
}

const detectionMet = objective("detection", "<", 10_000, "< 10s");
const lostWritesBound = objective("rpo.lostWrites", "<=", 5, "<= 5");

describe("composed checkers", () => {
  it("reports a throwing checker's measurement inconclusive with a note, measures the others, and exits 3", () => {
    const normal = golden([detectionMet, lostWritesBound]);
    assert.equal(normal.status, "pass");
    const summary = golden(
      [detectionMet, lostWritesBound],
      breaking("rpo", new Error("final reads unreadable")),
    );

    const reason = "checker rpo failed: final reads unreadable";
    assert.equal(summary.measurements.rpo.lostWrites, null);
    assert.equal(summary.measurements.rpo.reason, reason);
    assert.ok(summary.notes.includes(`${reason}; rpo is inconclusive`), summary.notes.join("\n"));
    for (const name of MEASUREMENT_NAMES.filter((n) => n !== "rpo")) {
      assert.deepEqual(summary.measurements[name], normal.measurements[name], name);
    }
    assert.deepEqual(
      summary.objectives.map((o) => [o.name, o.met, o.reason]),
      [
        ["detection", true, undefined],
        ["rpo.lostWrites", null, reason],
      ],
    );
    assert.equal(summary.status, "inconclusive");
    assert.equal(exitCodeForStatus(summary.status), ExitCode.inconclusive);
    assert.equal(ExitCode.inconclusive, 3);
  });

  it("keeps the other checkers' notes in their places around the failed one", () => {
    const normal = golden([]);
    const summary = golden([], breaking("detection", new Error("no clock")));
    assert.deepEqual(summary.notes, [
      "checker detection failed: no clock; detection is inconclusive",
      ...normal.notes,
    ]);
  });

  it("makes a passing drill inconclusive when no objective reads the failed measurement", () => {
    const summary = golden([detectionMet], breaking("throughput", new RangeError("bad window")));
    assert.equal(summary.objectives[0]?.met, true);
    assert.equal(summary.measurements.throughput.reason, "checker throughput failed: bad window");
    assert.equal(exitCodeForStatus(summary.status), 3);
  });

  it("still fails the drill (exit 1) when another objective was missed", () => {
    const missed = objective("detection", "<", 1000, "< 1s");
    const summary = golden([missed, lostWritesBound], breaking("rpo", new Error("boom")));
    assert.equal(summary.objectives[0]?.met, false);
    assert.equal(summary.objectives[1]?.met, null);
    assert.equal(exitCodeForStatus(summary.status), ExitCode.objectiveMissed);
  });

  it("does not count a failed split-brain checker's placeholder `false` as no split brain", () => {
    const noSplitBrain = objective("splitBrain", "==", 0, "== false");
    assert.equal(golden([noSplitBrain]).objectives[0]?.met, true);
    const summary = golden([noSplitBrain], breaking("splitBrain", "not an Error"));
    assert.deepEqual(
      [summary.objectives[0]?.met, summary.objectives[0]?.reason, summary.status],
      [null, "checker splitBrain failed: not an Error", "inconclusive"],
    );
  });

  it("gives every standard checker an inconclusive measurement with its real one's fields and the reason", () => {
    const real = outageSummary({}).measurements;
    for (const checker of STANDARD_CHECKERS) {
      const placeholder = checker.inconclusive("why") as unknown as Record<string, unknown>;
      for (const field of Object.keys(real[checker.name] ?? {})) {
        assert.ok(field in placeholder, `${checker.name}.${field} missing from its inconclusive measurement`);
      }
      assert.equal(placeholder.reason, "why", checker.name);
    }
  });

  it("lists the measurements in report.json in the same order whatever order the checkers ran in", () => {
    const summary = golden([], [...STANDARD_CHECKERS].reverse());
    // conflicts and residency are measured by active-active drills only: absent from this one.
    const always = MEASUREMENT_NAMES.filter((n) => n !== "conflicts" && n !== "residency");
    assert.deepEqual(Object.keys(summary.measurements), always);
    assert.deepEqual(summary.measurements, outageSummary({}).measurements);
  });

  it("refuses a list that leaves a measurement out or fills one twice", () => {
    const withoutRto = STANDARD_CHECKERS.filter((c) => c.name !== "rto");
    assert.throws(() => composeCheckers(withoutRto), /measure rto exactly once, not 0 times/);
    const rpoTwice = [...STANDARD_CHECKERS, STANDARD_CHECKERS.find((c) => c.name === "rpo")!];
    assert.throws(() => composeCheckers(rpoTwice), /measure rpo exactly once, not 2 times/);
  });
});
