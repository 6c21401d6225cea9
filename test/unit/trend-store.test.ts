// The trend store on disk: appending never touches earlier lines, a torn line is skipped with a
// warning, malformed lines and missing stores are errors naming the file; what a line holds.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sampleDrill } from "../../src/checkers/history-builder.ts";
import { drillDigest } from "../../src/trend/digest.ts";
import { indexEntry, parseIndex, type IndexEntry } from "../../src/trend/index-format.ts";
import {
  appendIndexEntry,
  matrixCellIndexFile,
  readIndex,
  recordRun,
  runIndexFile,
} from "../../src/trend/store.ts";
import { FormatError } from "../../src/util/format-version.ts";
import { outageSummary } from "./golden-outage.ts";

const summary = outageSummary({
  name: "store-drill",
  objectives: [{ metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" }],
});

const entry = (run: string): IndexEntry => ({
  ...indexEntry(summary, run),
  startedAt: `2026-01-01T00:00:${run.slice(-2)}.000Z`,
});

describe("trend store", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "trend-store-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("puts a run's index beside its run directory, and a matrix cell's beside the matrix's runs", () => {
    assert.equal(
      runIndexFile("reports/region-outage/20260101T000000Z"),
      path.join("reports/region-outage/index.jsonl"),
    );
    assert.equal(
      matrixCellIndexFile("reports", "ttl", "01-ttl-1s"),
      path.join("reports", "ttl", "cells", "01-ttl-1s", "index.jsonl"),
    );
  });

  it("appends one line per run and never rewrites the lines before it", async () => {
    const file = path.join(tmp, "drill", "index.jsonl");
    await appendIndexEntry(file, entry("run-01"));
    const first = await readFile(file, "utf8");
    await appendIndexEntry(file, entry("run-02"));
    const both = await readFile(file, "utf8");
    assert.ok(both.startsWith(first), "the first line is untouched");
    assert.equal(both.split("\n").filter((l) => l !== "").length, 2);
    const index = await readIndex(path.dirname(file));
    assert.deepEqual(
      index.entries.map((e) => e.run),
      ["run-01", "run-02"],
    );
    assert.deepEqual(index.warnings, []);
  });

  it("skips a torn last line with a warning, and the next run's line stays whole after it", async () => {
    const file = path.join(tmp, "index.jsonl");
    await appendIndexEntry(file, entry("run-01"));
    const torn = JSON.stringify(entry("run-02")).slice(0, 60);
    await appendFile(file, torn); // a run killed half-way through its write
    const before = await readIndex(file);
    assert.deepEqual(
      before.entries.map((e) => e.run),
      ["run-01"],
    );
    assert.equal(before.warnings.length, 1);
    assert.match(before.warnings[0]!, /index\.jsonl:2: skipped a line that is not JSON/);

    await appendIndexEntry(file, entry("run-03"));
    const after = await readIndex(file);
    assert.deepEqual(
      after.entries.map((e) => e.run),
      ["run-01", "run-03"],
    );
    assert.match(after.warnings[0]!, /:2: skipped/);
    assert.ok((await readFile(file, "utf8")).includes(torn + "\n"), "the torn fragment kept on its own line");
  });

  it("refuses a JSON line that is not a run, naming the file, the line and the field", () => {
    const good = JSON.stringify(entry("run-01"));
    const bad = JSON.stringify({
      ...entry("run-02"),
      figures: { ...entry("run-02").figures, rtoMaxMs: "9s" },
    });
    assert.throws(
      () => parseIndex(`${good}\n${bad}\n`, "reports/x/index.jsonl"),
      (err: unknown) =>
        err instanceof FormatError &&
        /^reports\/x\/index\.jsonl:2: figures\.rtoMaxMs must be a number or null/.test(err.message),
    );
    const status = JSON.stringify({ ...entry("run-02"), status: "great" });
    assert.throws(
      () => parseIndex(status, "i.jsonl"),
      /i\.jsonl:1: status must be one of pass, fail, inconclusive/,
    );
  });

  it("refuses a line from a newer failover-drill instead of misreading it", () => {
    const newer = JSON.stringify({ ...entry("run-01"), formatVersion: 99 });
    assert.throws(() => parseIndex(newer, "i.jsonl"), /i\.jsonl:1: formatVersion 99 is newer/);
  });

  it("reads a figure a line lacks as not measured (a line from an older version)", () => {
    const { figures, ...rest } = entry("run-01");
    const { lostWindowMs: _gone, ...older } = figures;
    const [read] = parseIndex(JSON.stringify({ ...rest, figures: older }), "i.jsonl").entries;
    assert.equal(read?.figures.lostWindowMs, null);
  });

  it("says what is missing when there is no store", async () => {
    await assert.rejects(readIndex(path.join(tmp, "nope")), /nope: no such file or directory/);
    await assert.rejects(readIndex(tmp), /index\.jsonl: missing: name a drill's reports directory/);
  });

  it("returns a warning, not an error, when the store cannot be written", async () => {
    await writeFile(path.join(tmp, "blocker"), "a file where the drill's directory should be");
    const warning = await recordRun(
      path.join(tmp, "blocker", "index.jsonl"),
      path.join(tmp, "blocker", "run"),
      summary,
    );
    assert.match(warning ?? "", /could not append the run to the trend store .*blocker/);
  });

  it("records the run directory relative to the index, the outcome and the key figures", async () => {
    const file = path.join(tmp, "store-drill", "index.jsonl");
    assert.equal(await recordRun(file, path.join(tmp, "store-drill", "20260101T000000Z"), summary), null);
    const [e] = (await readIndex(file)).entries;
    assert.equal(e?.run, "20260101T000000Z");
    assert.equal(e?.drill, "store-drill");
    assert.equal(e?.status, summary.status);
    assert.equal(e?.figures.detectionMs, summary.measurements.detection.ms);
    assert.equal(e?.figures.rtoMaxMs, summary.measurements.rto.maxMs);
    assert.equal(e?.figures.lostWrites, summary.measurements.rpo.lostWrites);
    assert.equal(e?.figures.dnsAuthoritativeMs, summary.measurements.dnsSwitch.authoritativeMs);
    assert.deepEqual(
      e?.objectives.map((o) => [o.name, o.outcome]),
      summary.objectives.map((o) => [o.name, o.met === null ? "inconclusive" : o.met ? "met" : "missed"]),
    );
  });

  it("digests the drill's definition: a changed interval changes it, prose and the checkout's path do not", () => {
    const base = sampleDrill({ name: "d" });
    const digest = drillDigest(base);
    assert.match(digest, /^sha256:[0-9a-f]{16}$/);
    assert.equal(drillDigest({ ...base, description: "reworded" }), digest);
    assert.equal(drillDigest({ ...base, app: { ...base.app, workingDir: "/elsewhere" } }), digest);
    const slower = {
      ...base,
      controller: { ...base.controller, healthCheck: { ...base.controller.healthCheck, intervalMs: 4000 } },
    };
    assert.notEqual(drillDigest(slower), digest);
  });
});
