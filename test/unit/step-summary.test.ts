// $GITHUB_STEP_SUMMARY: appended only when set, never thrown from, and what a run's and a matrix's
// Markdown (and a matrix's notification) say.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { matrixSummaryMarkdown, runSummaryMarkdown } from "../../src/ci/run-summary.ts";
import type { MatrixReport } from "../../src/matrix/types.ts";
import { matrixNotification } from "../../src/notify/payload.ts";
import { appendStepSummary } from "../../src/ci/step-summary.ts";
import { indexEntry, type IndexEntry } from "../../src/trend/index-format.ts";
import { assessLatest } from "../../src/trend/regressions.ts";
import { outageSummary } from "./golden-outage.ts";

const summary = outageSummary({
  name: "summary-drill",
  objectives: [
    { metric: "rto.max", operator: "<", limit: 1000, source: "< 1s" },
    { metric: "rpo.lostWrites", operator: "<=", limit: 5000, source: "<= 5000" },
  ],
});

describe("GitHub step summary", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "step-summary-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("appends to the file $GITHUB_STEP_SUMMARY names, after what earlier steps wrote", async () => {
    const file = path.join(tmp, "summary.md");
    await writeFile(file, "# earlier step\n");
    assert.deepEqual(await appendStepSummary("### one", { GITHUB_STEP_SUMMARY: file }), { file });
    await appendStepSummary("### two\n", { GITHUB_STEP_SUMMARY: file });
    assert.equal(await readFile(file, "utf8"), "# earlier step\n### one\n\n### two\n\n");
  });

  it("writes nothing when the variable is unset or empty", async () => {
    assert.deepEqual(await appendStepSummary("### x", {}), { file: null });
    assert.deepEqual(await appendStepSummary("### x", { GITHUB_STEP_SUMMARY: "" }), { file: null });
  });

  it("reports a file it cannot write instead of throwing", async () => {
    const result = await appendStepSummary("### x", {
      GITHUB_STEP_SUMMARY: path.join(tmp, "no", "such", "dir.md"),
    });
    assert.match(result.error ?? "", /could not append to \$GITHUB_STEP_SUMMARY/);
  });

  it("summarises a run: status, key figures beside the baseline, objectives, regressions", () => {
    const earlier = (run: string, day: string, rtoMaxMs: number): IndexEntry => {
      const e = { ...indexEntry(summary, run), startedAt: `2025-12-${day}T00:00:00.000Z` };
      return { ...e, figures: { ...e.figures, rtoMaxMs } };
    };
    const md = runSummaryMarkdown({
      drill: "summary-drill",
      exitCode: 1,
      summary,
      reportDir: "reports/summary-drill/run-3",
      assessment: assessLatest([
        earlier("run-1", "01", 200),
        earlier("run-2", "02", 100),
        indexEntry(summary, "run-3"),
      ]),
    });
    assert.match(md, /^### ❌ failover-drill summary-drill: fail \(exit 1\)\n/);
    assert.match(md, /Reports: `reports\/summary-drill\/run-3`/);
    assert.match(md, /\| figure \| this run \| previous run \| baseline \|/);
    assert.match(md, /\| RTO max \| [\d.]+ s ▲ \| 100 ms \| 150 ms \|/);
    assert.match(md, /\| rto\.max < 1s \| [\d.]+ s \| \*\*missed\*\* \|/);
    assert.match(md, /\| rpo\.lostWrites <= 5000 \| 2 \| met \|/);
    assert.match(
      md,
      /\*\*Regressions\*\* against the trend store:\n\n- ▲ RTO max [\d.]+ s, was 100 ms in the previous run/,
    );
  });

  it("says when there is no baseline yet, and what stopped a run without a report", () => {
    const first = runSummaryMarkdown({
      drill: "summary-drill",
      exitCode: 1,
      summary,
      assessment: assessLatest([indexEntry(summary, "run-1")]),
    });
    assert.match(first, /First run in its trend store: no baseline to compare with yet\./);
    const error = runSummaryMarkdown({ drill: "d", exitCode: 4, error: "steady state not reached" });
    assert.equal(
      error,
      "### 💥 failover-drill d: error (exit 4)\n\nThe run produced no report: steady state not reached\n",
    );
  });
});

describe("matrix step summary and notification", () => {
  const report = {
    matrix: { name: "ttl", baseDrill: "region-outage" },
    status: "fail",
    exitCode: 1,
    runsDone: 2,
    runsPlanned: 2,
    cells: [
      { slug: "1-ttl-1s", runs: [{ status: "pass", missed: [] }] },
      { slug: "2-ttl-30s", runs: [{ status: "fail", missed: ["rto.max < 20s"] }] },
    ],
  } as unknown as MatrixReport;
  const earlier = (run: string, day: string): IndexEntry => ({
    ...indexEntry(summary, run),
    startedAt: `2025-12-${day}T00:00:00.000Z`,
    figures: { ...indexEntry(summary, run).figures, rtoMaxMs: 100 },
  });
  const verdicts = {
    "1-ttl-1s": null,
    "2-ttl-30s": assessLatest([earlier("a", "01"), earlier("b", "02"), indexEntry(summary, "c")]),
  };

  it("lists every cell with its runs, missed objectives and regressions", () => {
    const md = matrixSummaryMarkdown({ report, dir: "reports/ttl/20260101T000000Z", verdicts });
    assert.match(md, /^### ❌ failover-drill matrix ttl: fail \(exit 1\)/);
    assert.match(md, /2 of 2 runs of region-outage\. Reports: `reports\/ttl\/20260101T000000Z`/);
    assert.match(md, /\| 1-ttl-1s \| pass \| {2}\| {2}\|/);
    assert.match(md, /\| 2-ttl-30s \| fail \| rto\.max < 20s \| ▲ 2 \|/);
    assert.match(md, /- ▲ 2-ttl-30s: RTO max [\d.]+ s, was 100 ms in the previous run/);
  });

  it("names the failing cells in the notification's text", () => {
    const n = matrixNotification({ report, dir: "reports/ttl/20260101T000000Z", verdicts });
    assert.equal(n.kind, "matrix");
    assert.match(
      n.text,
      /^failover-drill matrix ttl: FAIL \(exit 1\), 2 of 2 runs\. 2-ttl-30s: fail; missed rto\.max < 20s; regressions: RTO max/,
    );
    assert.doesNotMatch(n.text, /1-ttl-1s/, "a passing cell without regressions is left out of the text");
    assert.deepEqual(n.cells[0], { slug: "1-ttl-1s", statuses: ["pass"], missed: [], regressions: [] });
  });
});
