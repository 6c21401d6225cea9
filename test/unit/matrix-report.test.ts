import assert from "node:assert/strict";
import type { Summary } from "../../src/checkers/types.ts";
import {
  aggregate,
  aggregateRuns,
  exitCodeFor,
  median,
  runFigures,
  worstStatus,
} from "../../src/matrix/aggregate.ts";
import { parseMatrix, planMatrix } from "../../src/matrix/load.ts";
import { progressOutcome, progressPrefix } from "../../src/matrix/progress.ts";
import {
  buildMatrixReport,
  fmtRange,
  formatAggregate,
  renderMatrixJson,
  renderMatrixMarkdown,
} from "../../src/matrix/report.ts";
import type { MatrixReport, RunFigures, RunRecord } from "../../src/matrix/types.ts";

const BASE = `name: short-outage
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
controller: { healthCheck: { interval: 1s, timeout: 500ms, failureThreshold: 3 } }
workload: { duration: 8s }
faults:
  - { at: 3s, type: region-outage, region: us-east }
`;

const MATRIX = `name: ttl
base: base.yaml
repeat: 3
parameters:
  dns.ttl: [1s, 2s]
  workload.clients: 2
`;

const FIGURES: RunFigures = {
  writeLatencyP50Ms: 2.5,
  writeLatencyP99Ms: 40,
  ackedPerSecond: 398.4,
  lostWrites: 0,
  lostWindowMs: null,
  rtoP50Ms: 4100,
  rtoP90Ms: 4900,
  rtoMaxMs: 5100,
  predictedRtoMaxMs: 7600,
  detectionMs: 3020,
  promotionMs: 150,
  dnsSwitchClientFirstMs: 20,
  dnsSwitchClientLastMs: 900,
  dnsFailoverMs: 4100,
  predictedDetectionMs: 3000,
  predictedDnsFailoverMs: 4000,
};

function run(n: number, status: RunRecord["status"], figures: Partial<RunFigures> | null): RunRecord {
  return {
    run: n,
    status,
    reportDir: figures === null ? null : `cells/01-ttl-1s/run-${n}/short-outage/20250101T000000Z`,
    startedAt: "2025-01-01T00:00:00.000Z",
    durationMs: 20_000,
    figures: figures === null ? null : { ...FIGURES, ...figures },
    missed: status === "fail" ? ["rto.max < 5s"] : [],
    ...(status === "error" ? { error: "SteadyStateError: primary not healthy" } : {}),
  };
}

describe("median and aggregate", () => {
  it("takes the middle value of an odd count", () => {
    assert.equal(median([5, 1, 3]), 3);
  });

  it("averages the two middle values of an even count", () => {
    assert.equal(median([4, 1, 3, 10]), 3.5);
  });

  it("has no median without values", () => {
    assert.equal(median([]), null);
  });

  it("leaves nulls out of median, min and max but counts them in `of`", () => {
    assert.deepEqual(aggregate([null, 7, 3, null]), { median: 5, min: 3, max: 7, count: 2, of: 4 });
  });

  it("is all null when no run measured the figure", () => {
    assert.deepEqual(aggregate([null, null]), { median: null, min: null, max: null, count: 0, of: 2 });
  });

  it("counts a run without a summary as lacking every figure and leaves interrupted runs out", () => {
    const metrics = aggregateRuns([
      run(1, "pass", { rtoMaxMs: 5000 }),
      run(2, "error", null),
      run(3, "pass", { rtoMaxMs: 6000 }),
      run(4, "interrupted", null),
    ]);
    assert.deepEqual(metrics.rtoMaxMs, { median: 5500, min: 5000, max: 6000, count: 2, of: 3 });
    assert.deepEqual(metrics.lostWindowMs, { median: null, min: null, max: null, count: 0, of: 3 });
  });
});

describe("runFigures", () => {
  const summary = {
    measurements: {
      detection: { ms: 3010, uncertaintyMs: 1000 },
      promotion: { ms: 120, uncertaintyMs: 20 },
      dnsSwitch: { clientFirstMs: 15, clientLastMs: 950, faultToClientLastMs: 4080 },
      rto: { p50Ms: 4000, p90Ms: 4800, p99Ms: 5000, maxMs: 5050, predictedRangeMs: [2200, 7600] },
      rpo: { lostWrites: 3, lostWindowMs: 12 },
      throughput: { ackedPerSecond: 391.5 },
      writeLatency: { overall: { count: 10, p50Ms: 2, p99Ms: 31, maxMs: 50 }, phases: [] },
    },
    predicted: { detectionMs: 3000, dnsFailoverMs: 4000 },
  } as unknown as Summary;

  it("reads every compared figure from a run's summary", () => {
    assert.deepEqual(runFigures(summary), {
      writeLatencyP50Ms: 2,
      writeLatencyP99Ms: 31,
      ackedPerSecond: 391.5,
      lostWrites: 3,
      lostWindowMs: 12,
      rtoP50Ms: 4000,
      rtoP90Ms: 4800,
      rtoMaxMs: 5050,
      predictedRtoMaxMs: 7600,
      detectionMs: 3010,
      promotionMs: 120,
      dnsSwitchClientFirstMs: 15,
      dnsSwitchClientLastMs: 950,
      dnsFailoverMs: 4080,
      predictedDetectionMs: 3000,
      predictedDnsFailoverMs: 4000,
    });
  });

  it("reads a summary without write latency as n/a rather than failing", () => {
    const older = { ...summary, measurements: { ...summary.measurements, writeLatency: undefined } };
    const figures = runFigures(older as unknown as Summary);
    assert.equal(figures.writeLatencyP50Ms, null);
    assert.equal(figures.writeLatencyP99Ms, null);
    assert.equal(figures.lostWrites, 3);
  });
});

describe("matrix status", () => {
  it("is the worst over runs: error over fail over inconclusive over pass", () => {
    assert.equal(worstStatus(["pass", "pass"]), "pass");
    assert.equal(worstStatus(["pass", "inconclusive"]), "inconclusive");
    assert.equal(worstStatus(["inconclusive", "fail", "pass"]), "fail");
    assert.equal(worstStatus(["fail", "error"]), "error");
  });

  it("is interrupted whenever the matrix was interrupted", () => {
    assert.equal(worstStatus(["error"], true), "interrupted");
    assert.equal(worstStatus([], true), "interrupted");
  });

  it("maps to the documented exit codes", () => {
    assert.deepEqual(
      (["pass", "fail", "inconclusive", "error", "interrupted"] as const).map(exitCodeFor),
      [0, 1, 3, 4, 130],
    );
  });
});

describe("formatAggregate", () => {
  const ms = (n: number): string => `${n} ms`;

  it("shows a single run's value alone", () => {
    assert.equal(formatAggregate(aggregate([120]), ms), "120 ms");
  });

  it("shows median (min–max) over several runs, the unit once", () => {
    assert.equal(formatAggregate(aggregate([100, 300, 120]), ms), "120 ms (100–300 ms)");
  });

  it("says how many runs measured a figure some runs lacked", () => {
    assert.equal(formatAggregate(aggregate([100, null, 300]), ms), "200 ms (100–300 ms), 2 of 3");
  });

  it("is n/a when no run measured it", () => {
    assert.equal(formatAggregate(aggregate([null, null, null]), ms), "n/a");
  });

  it("keeps both units of a range that crosses one", () => {
    assert.equal(fmtRange("850 ms", "1.2 s"), "850 ms–1.2 s");
    assert.equal(fmtRange("3", "5"), "3–5");
  });
});

describe("comparison report", () => {
  const plan = planMatrix(parseMatrix(MATRIX, "m/matrix.yaml"), BASE);
  const report = (runs: RunRecord[][], interrupted = false): MatrixReport =>
    buildMatrixReport(plan, {
      startedAt: "2025-01-01T00:00:00.000Z",
      durationMs: 125_000,
      interrupted,
      runs,
    });

  const full = report([
    [run(1, "pass", {}), run(2, "pass", { rtoMaxMs: 4900 }), run(3, "pass", { rtoMaxMs: 6000 })],
    [run(1, "pass", {}), run(2, "fail", { lostWrites: 4 }), run(3, "error", null)],
  ]);

  it("holds every cell's parameters, runs and per-metric median, min and max", () => {
    assert.deepEqual(full.columns, ["dns.ttl"]);
    assert.deepEqual(full.fixed, { "workload.clients": 2 });
    assert.deepEqual(full.cells[0]?.parameters, { "dns.ttl": "1s" });
    assert.deepEqual(full.cells[0]?.metrics.rtoMaxMs, {
      median: 5100,
      min: 4900,
      max: 6000,
      count: 3,
      of: 3,
    });
    assert.deepEqual(full.cells[1]?.metrics.lostWrites, { median: 2, min: 0, max: 4, count: 2, of: 3 });
    assert.equal(full.status, "error");
    assert.equal(full.exitCode, 4);
    assert.equal(full.complete, true);
    assert.equal(full.runsDone, 6);
    const json = JSON.parse(renderMatrixJson(full)) as MatrixReport;
    assert.equal(json.cells[1]?.runs[2]?.error, "SteadyStateError: primary not healthy");
  });

  it("renders one table row per cell with measured beside predicted", () => {
    const md = renderMatrixMarkdown(full);
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    assert.deepEqual(rows, [
      "| dns.ttl | runs | write p50 | write p99 | acked writes/s | lost writes | lost window | RTO p50 | " +
        "RTO p90 | RTO max (measured / predicted) | detection (measured / predicted) | " +
        "DNS switch (client first / last) | DNS failover (measured / predicted) |",
      "| 1s | 3 pass | 2.5 ms (2.5–2.5 ms) | 40 ms (40–40 ms) | 398 (398–398) | 0 (0–0) | n/a | " +
        "4.1 s (4.1–4.1 s) | 4.9 s (4.9–4.9 s) | 5.1 s (4.9–6 s) / 7.6 s | 3.02 s (3.02–3.02 s) / 3 s | " +
        "20 ms (20–20 ms) / 900 ms (900–900 ms) | 4.1 s (4.1–4.1 s) / 4 s |",
      "| 2s | 1 pass, 1 fail, 1 error | 2.5 ms (2.5–2.5 ms), 2 of 3 | 40 ms (40–40 ms), 2 of 3 | " +
        "398 (398–398), 2 of 3 | 2 (0–4), 2 of 3 | n/a | 4.1 s (4.1–4.1 s), 2 of 3 | 4.9 s (4.9–4.9 s), 2 of 3 | " +
        "5.1 s (5.1–5.1 s), 2 of 3 / 7.6 s | 3.02 s (3.02–3.02 s), 2 of 3 / 3 s | " +
        "20 ms (20–20 ms), 2 of 3 / 900 ms (900–900 ms), 2 of 3 | 4.1 s (4.1–4.1 s), 2 of 3 / 4 s |",
    ]);
    assert.match(md, /- Set in every cell: workload.clients=2/);
    assert.match(md, /- Status: \*\*error\*\* \(exit 4\)/);
    assert.match(md, /run 2: \*\*fail\*\* — lost 4, RTO max 5\.1 s — missed rto\.max < 5s — \[report\]/);
    assert.doesNotMatch(md, /INCOMPLETE/);
  });

  it("marks an interrupted matrix incomplete and shows the cells not reached", () => {
    const partial = report([[run(1, "pass", {}), run(2, "interrupted", null)], []], true);
    assert.equal(partial.complete, false);
    assert.equal(partial.status, "interrupted");
    assert.equal(partial.exitCode, 130);
    assert.equal(partial.runsDone, 1);
    assert.equal(partial.cells[0]?.complete, false);
    const md = renderMatrixMarkdown(partial);
    assert.match(md, /> \*\*INCOMPLETE\*\* \(interrupted\): 1 of 6 runs done/);
    const rows = md.split("\n").filter((l) => l.startsWith("| "));
    assert.match(rows[1] ?? "", /^\| 1s \| 1 pass, 1 interrupted \(1 of 3 runs\) \| 2\.5 ms \|/);
    assert.match(rows[2] ?? "", /^\| 2s \| not run \| n\/a \|/);
  });
});

describe("progress lines", () => {
  const plan = planMatrix(parseMatrix(MATRIX, "m/matrix.yaml"), BASE);
  const position = { cell: plan.cells[1]!, cellCount: 2, run: 2, repeat: 3, runNumber: 5, runCount: 6 };

  it("name the cell, its varied values and the run", () => {
    assert.equal(progressPrefix(position, plan.columns), "[2/2] dns.ttl=2s  run 2/3 ...");
  });

  it("end with the status, lost writes, RTO max, time taken and time left", () => {
    assert.equal(
      progressOutcome(run(2, "pass", {}), 20_000),
      " PASS lost 0, RTO max 5.1 s (20s; about 20s left)",
    );
    assert.equal(
      progressOutcome(run(3, "error", null), 0),
      " ERROR: SteadyStateError: primary not healthy (20s)",
    );
  });
});
