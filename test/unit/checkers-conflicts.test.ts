// Active-active checkers (issue 14) on literal histories: every expected figure follows by hand.
import assert from "node:assert/strict";
import { countersOutOfRange, counterRanges } from "../../src/checkers/conflicts/counters.ts";
import { divergentKeys, timeToConvergeMs } from "../../src/checkers/conflicts/divergence.ts";
import { judgeLww, lwwExpectations } from "../../src/checkers/conflicts/lww.ts";
import type { CounterWrite, RegisterWrite } from "../../src/checkers/conflicts/types.ts";

const ms = (n: number): number => n * 1e6;

function set(
  id: number,
  region: string,
  key: string,
  value: string,
  stampMs: number,
  outcome: RegisterWrite["outcome"],
  invokeMs: number,
  completeMs: number | null,
): RegisterWrite {
  return {
    kind: "set",
    id,
    client: id,
    region,
    key,
    value,
    stampMs,
    outcome,
    invokeNs: ms(invokeMs),
    completeNs: completeMs === null ? null : ms(completeMs),
  };
}

function add(id: number, key: string, delta: number, outcome: CounterWrite["outcome"]): CounterWrite {
  return {
    kind: "add",
    id,
    client: id,
    region: "eu",
    key,
    delta,
    stampMs: id,
    outcome,
    invokeNs: ms(id),
    completeNs: ms(id + 1),
  };
}

describe("active-active checkers", () => {
  describe("last-writer-wins", () => {
    it("expects the acknowledged write with the largest stamp, the greater region winning a tie", () => {
      const e = lwwExpectations([
        set(1, "eu", "k", "a", 100, "ok", 0, 5),
        set(2, "us", "k", "b", 200, "ok", 10, 15),
        set(3, "eu", "k", "c", 200, "ok", 20, 25),
        set(4, "eu", "k", "d", 900, "fail", 30, 35),
      ]).get("k");
      assert.equal(e?.acknowledgedWinner?.id, 2, "us > eu on the tie at 200");
      assert.deepEqual(e?.allowedValues, ["b"]);
    });

    it("also allows an indeterminate write that would have won had it been applied", () => {
      const e = lwwExpectations([
        set(1, "eu", "k", "a", 100, "ok", 0, 5),
        set(2, "us", "k", "b", 300, "info", 10, null),
      ]);
      assert.deepEqual(e.get("k")?.allowedValues, ["a", "b"]);
    });

    it("reports a key that converged to a value LWW cannot produce", () => {
      const writes = [set(1, "eu", "k", "a", 100, "ok", 0, 5), set(2, "us", "k", "b", 200, "ok", 10, 15)];
      const verdict = judgeLww(writes, new Map([["k", "a"]]));
      assert.deepEqual(verdict.wrongKeys, [{ key: "k", found: "a", allowed: ["b"] }]);
      assert.equal(judgeLww(writes, new Map([["k", "b"]])).wrongKeys.length, 0);
    });

    it("counts a skewed clock's cost: writes lost although they came later in real time", () => {
      // us stamps 10 s ahead: its write at real time 0..5 beats eu's two writes made after it.
      const writes = [
        set(1, "us", "k", "early-but-ahead", 10_100, "ok", 0, 5),
        set(2, "eu", "k", "later-1", 200, "ok", 50, 55),
        set(3, "eu", "k", "later-2", 300, "ok", 60, 65),
        set(4, "eu", "other", "x", 400, "ok", 70, 75),
      ];
      const verdict = judgeLww(
        writes,
        new Map<string, string>([
          ["k", "early-but-ahead"],
          ["other", "x"],
        ]),
      );
      assert.equal(verdict.overwritten, 2);
      assert.deepEqual(
        verdict.discardedDespiteRealTime.map((w) => w.id),
        [2, 3],
      );
      assert.equal(verdict.wrongKeys.length, 0);
    });
  });

  describe("counters", () => {
    it("bounds the total by the acknowledged increments and the indeterminate ones", () => {
      const writes = [
        add(1, "c", 5, "ok"),
        add(2, "c", 3, "info"),
        add(3, "c", -2, "info"),
        add(4, "c", 7, "fail"),
      ];
      assert.deepEqual(counterRanges(writes).get("c"), {
        key: "c",
        min: 3,
        max: 8,
        acknowledged: 1,
        indeterminate: 2,
      });
      assert.deepEqual(countersOutOfRange(writes, new Map([["c", 6]])), []);
      assert.deepEqual(
        countersOutOfRange(writes, new Map([["c", 12]])).map((r) => [r.key, r.found]),
        [["c", 12]],
      );
      assert.deepEqual(
        countersOutOfRange([add(5, "d", 1, "ok")], new Map()).map((r) => [r.key, r.found]),
        [["d", 0]],
      );
    });
  });

  describe("divergence", () => {
    it("lists keys whose value differs between regions or is missing in one", () => {
      const states = new Map([
        [
          "eu",
          new Map<string, string | number>([
            ["a", "1"],
            ["b", 2],
            ["c", "x"],
          ]),
        ],
        [
          "us",
          new Map<string, string | number>([
            ["a", "1"],
            ["b", 3],
          ]),
        ],
      ]);
      assert.deepEqual(divergentKeys(states), [
        { key: "b", values: { eu: 2, us: 3 } },
        { key: "c", values: { eu: "x", us: undefined } },
      ]);
    });

    it("measures the time to converge from the heal to the first sample back at the steady level", () => {
      const samples = [
        { atMs: 900, divergent: 4 },
        { atMs: 1000, divergent: 3 },
        { atMs: 1500, divergent: 0 },
        { atMs: 2000, divergent: 1 },
        { atMs: 2500, divergent: 0 },
        { atMs: 3000, divergent: 0 },
      ];
      assert.equal(timeToConvergeMs(1000, samples), 500);
      // Three keys apart is the steady state's own lag: converged at the heal's first sample.
      assert.equal(timeToConvergeMs(1000, samples, 3), 0);
      assert.equal(timeToConvergeMs(1000, [...samples, { atMs: 3500, divergent: 2 }]), null);
    });
  });
});
