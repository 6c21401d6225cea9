// Regression detection on literal trend-store lines: against the previous run and the rolling
// baseline, with the tolerances, the figures' direction, and status and objective changes.
import assert from "node:assert/strict";
import { parseIndex } from "../../src/trend/index-format.ts";
import {
  assessLatest,
  assessRuns,
  DEFAULT_TREND_OPTIONS,
  type Regression,
  type TrendOptions,
} from "../../src/trend/regressions.ts";

/** One index line as a run writes it, with these figures (ms) and outcomes; others as in a quiet run. */
function line(
  run: string,
  figures: Partial<Record<string, number | null>> = {},
  more: { status?: string; rto?: string; digest?: string } = {},
): string {
  const f = {
    detectionMs: 2000,
    promotionMs: 200,
    dnsAuthoritativeMs: 15,
    dnsClientLastMs: 5000,
    rtoP50Ms: 4000,
    rtoP90Ms: 6000,
    rtoMaxMs: 9000,
    lostWrites: 10,
    lostWindowMs: 40,
    ...figures,
  };
  return JSON.stringify({
    formatVersion: 1,
    run,
    startedAt: `2026-01-${run.slice(-2)}T00:00:00.000Z`,
    status: more.status ?? "pass",
    exitCode: 0,
    durationMs: 37000,
    drill: "region-outage",
    drillDigest: more.digest ?? "sha256:aaaaaaaaaaaaaaaa",
    figures: f,
    objectives: [
      { name: "rto.max", limit: "< 20s", measured: f.rtoMaxMs, outcome: more.rto ?? "met" },
      { name: "rpo.lostWrites", limit: "<= 5000", measured: f.lostWrites, outcome: "met" },
    ],
  });
}

const entries = (...lines: string[]): ReturnType<typeof parseIndex>["entries"] =>
  parseIndex(lines.join("\n") + "\n", "index.jsonl").entries;

const latest = (lines: string[], options: TrendOptions = DEFAULT_TREND_OPTIONS): Regression[] =>
  assessLatest(entries(...lines), options)?.regressions ?? [];

/** "figure:rtoMaxMs@previous" etc., sorted: what was flagged against what. */
const flags = (rs: readonly Regression[]): string[] =>
  rs
    .map(
      (r) =>
        `${r.kind}:${r.kind === "figure" ? r.key : r.kind === "objective" ? r.name : "status"}@${r.against}`,
    )
    .sort();

describe("trend regressions", () => {
  it("flags nothing for the first run: there is nothing to compare with", () => {
    const a = assessLatest(entries(line("run-01")));
    assert.equal(a?.previous, null);
    assert.equal(a?.baseline, null);
    assert.deepEqual(a?.regressions, []);
  });

  it("starts the baseline at two earlier runs: a second run is judged against the first alone", () => {
    const a = assessLatest(entries(line("run-01"), line("run-02", { detectionMs: 6500 })));
    assert.equal(a?.previous?.run, "run-01");
    assert.equal(a?.baseline, null);
    assert.deepEqual(flags(a?.regressions ?? []), ["figure:detectionMs@previous"]);
  });

  it("flags a figure worse than the previous run by more than both tolerances, against the previous run and the baseline", () => {
    const rs = latest([line("run-00"), line("run-01"), line("run-02", { detectionMs: 6500 })]);
    assert.deepEqual(flags(rs), ["figure:detectionMs@baseline", "figure:detectionMs@previous"]);
    const r = rs.find((x) => x.against === "previous");
    assert.deepEqual(r, { kind: "figure", key: "detectionMs", against: "previous", was: 2000, now: 6500 });
  });

  it("does not flag a rise within the relative tolerance, however large in ms", () => {
    // RTO max 9 s -> 13 s is +4 s but +44%: under the default 50%.
    assert.deepEqual(latest([line("run-00"), line("run-01"), line("run-02", { rtoMaxMs: 13_000 })]), []);
  });

  it("does not flag a rise within the absolute tolerance, however large in percent", () => {
    // Promotion 200 ms -> 900 ms is +350% but +700 ms: under the default 1 s.
    assert.deepEqual(latest([line("run-00"), line("run-01"), line("run-02", { promotionMs: 900 })]), []);
  });

  it("uses the count tolerance for lost writes and the ms tolerance for the lost window", () => {
    const opts: TrendOptions = { ...DEFAULT_TREND_OPTIONS, tolerance: { relative: 0.5, ms: 100, count: 5 } };
    assert.deepEqual(
      flags(latest([line("run-00"), line("run-01"), line("run-02", { lostWrites: 14 })], opts)),
      [],
    );
    assert.deepEqual(
      flags(latest([line("run-00"), line("run-01"), line("run-02", { lostWrites: 16 })], opts)),
      ["figure:lostWrites@baseline", "figure:lostWrites@previous"],
    );
    assert.deepEqual(
      flags(latest([line("run-00"), line("run-01"), line("run-02", { lostWindowMs: 141 })], opts)),
      ["figure:lostWindowMs@baseline", "figure:lostWindowMs@previous"],
    );
  });

  it("never flags a figure that got better: higher is worse for times and losses", () => {
    const better = { detectionMs: 500, promotionMs: 50, rtoP50Ms: 500, rtoMaxMs: 1000, lostWrites: 0 };
    assert.deepEqual(latest([line("run-00"), line("run-01"), line("run-02", better)]), []);
  });

  it("flags a figure that is no longer measured, and not one that becomes measured", () => {
    assert.deepEqual(flags(latest([line("run-00"), line("run-01"), line("run-02", { rtoMaxMs: null })])), [
      "figure:rtoMaxMs@baseline",
      "figure:rtoMaxMs@previous",
    ]);
    assert.deepEqual(
      latest([line("run-00", { rtoMaxMs: null }), line("run-01", { rtoMaxMs: null }), line("run-02")]),
      [],
    );
  });

  it("judges against the median of the last N runs, so one slow run neither hides nor causes a flag", () => {
    const runs = [
      line("run-01", { rtoMaxMs: 9000 }),
      line("run-02", { rtoMaxMs: 9200 }),
      line("run-03", { rtoMaxMs: 8800 }),
      line("run-04", { rtoMaxMs: 30_000 }), // one bad week
      line("run-05", { rtoMaxMs: 9100 }),
    ];
    const all = assessRuns(entries(...runs));
    assert.equal(all[4]?.baseline?.figures.rtoMaxMs, 9100, "median of 9000, 9200, 8800, 30000");
    assert.deepEqual(flags(all[3]!.regressions), ["figure:rtoMaxMs@baseline", "figure:rtoMaxMs@previous"]);
    assert.deepEqual(
      all[4]?.regressions,
      [],
      "back to normal: better than the previous, equal to the baseline",
    );
    // 14 s: +52% on the baseline (9.1 s) but -53% on the slow previous run: only the baseline flags it.
    assert.deepEqual(flags(latest([...runs.slice(0, 4), line("run-05", { rtoMaxMs: 14_000 })])), [
      "figure:rtoMaxMs@baseline",
    ]);
  });

  it("keeps the baseline to the last N runs", () => {
    const old = [1, 2, 3].map((i) => line(`run-0${i}`, { detectionMs: 10_000 }));
    const recent = [4, 5].map((i) => line(`run-0${i}`, { detectionMs: 2000 }));
    const now = line("run-06", { detectionMs: 4000 });
    const two: TrendOptions = { ...DEFAULT_TREND_OPTIONS, baselineRuns: 2 };
    assert.equal(assessLatest(entries(...old, ...recent, now), two)?.baseline?.figures.detectionMs, 2000);
    assert.deepEqual(flags(latest([...old, ...recent, now], two)), [
      "figure:detectionMs@baseline",
      "figure:detectionMs@previous",
    ]);
    // With the default 5 the baseline is the median of 10, 10, 2, 2 and 10 s: 4 s is no regression there.
    assert.deepEqual(flags(latest([...old, ...recent, now])), ["figure:detectionMs@previous"]);
  });

  it("flags a status that got worse: pass -> fail and pass -> inconclusive, not fail -> pass", () => {
    assert.deepEqual(
      flags(latest([line("run-00"), line("run-01"), line("run-02", {}, { status: "fail" })])),
      ["status:status@baseline", "status:status@previous"],
    );
    assert.deepEqual(
      flags(latest([line("run-00"), line("run-01"), line("run-02", {}, { status: "inconclusive" })])),
      ["status:status@baseline", "status:status@previous"],
    );
    assert.deepEqual(
      latest([
        line("run-00", {}, { status: "fail" }),
        line("run-01", {}, { status: "fail" }),
        line("run-02"),
      ]),
      [],
    );
  });

  it("keeps flagging a failure against the baseline while most recent runs passed", () => {
    const rs = latest([
      line("run-01"),
      line("run-02"),
      line("run-03"),
      line("run-04", {}, { status: "fail" }),
      line("run-05", {}, { status: "fail" }),
    ]);
    assert.deepEqual(flags(rs), ["status:status@baseline"]);
  });

  it("flags an objective that went from met to missed", () => {
    const rs = latest([line("run-00"), line("run-01"), line("run-02", {}, { rto: "missed" })]);
    assert.deepEqual(flags(rs), ["objective:rto.max@baseline", "objective:rto.max@previous"]);
    assert.deepEqual(
      rs.find((r) => r.kind === "objective"),
      { kind: "objective", name: "rto.max", limit: "< 20s", against: "previous", was: "met", now: "missed" },
    );
  });

  it("marks a run whose drill definition changed, and with --same-drill compares only like with like", () => {
    const runs = [
      line("run-00"),
      line("run-01"),
      line("run-02", { detectionMs: 6500 }, { digest: "sha256:bbbbbbbbbbbbbbbb" }),
    ];
    const a = assessLatest(entries(...runs));
    assert.equal(a?.drillChanged, true);
    assert.equal(a?.regressions.length, 2);
    const same = assessLatest(entries(...runs), { ...DEFAULT_TREND_OPTIONS, sameDrill: true });
    assert.equal(same?.previous, null);
    assert.deepEqual(same?.regressions, []);
  });

  it("orders runs by start time, not by the order of the lines", () => {
    const a = assessLatest(entries(line("run-02", { detectionMs: 6500 }), line("run-01")));
    assert.equal(a?.entry.run, "run-02");
    assert.deepEqual(flags(a?.regressions ?? []), ["figure:detectionMs@previous"]);
  });
});
