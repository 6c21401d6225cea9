// `failover-drill trend` on literal trend stores and `failover-drill compare` on stored runs (written
// from the golden history): what they print and write, and their exit codes (0, 1 on a regression
// when asked, 2 on bad input naming the file).
import assert from "node:assert/strict";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";
import type { Objective } from "../../src/drill/types.ts";
import { writeStoredRun } from "./stored-run.ts";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** An index line as a run writes it, with these figures over a quiet run's. */
function line(run: string, figures: Record<string, number | null> = {}, status = "pass"): string {
  return JSON.stringify({
    formatVersion: 1,
    run,
    startedAt: `2026-01-${run.slice(-2)}T00:00:00.000Z`,
    status,
    exitCode: status === "pass" ? 0 : 1,
    durationMs: 37000,
    drill: "region-outage",
    drillDigest: "sha256:aaaaaaaaaaaaaaaa",
    figures: {
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
    },
    objectives: [
      { name: "rto.max", limit: "< 20s", measured: 9000, outcome: status === "pass" ? "met" : "missed" },
    ],
  });
}

const rtoUnder20s: Objective = { metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" };
const rtoUnder1s: Objective = { metric: "rto.max", operator: "<", limit: 1000, source: "< 1s" };

describe("failover-drill trend and compare", () => {
  let tmp: string;
  let store: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "cli-trend-"));
    store = path.join(tmp, "region-outage");
    await mkdir(store);
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  const writeStore = (...lines: string[]): Promise<void> =>
    writeFile(path.join(store, "index.jsonl"), lines.join("\n") + "\n");

  it("lists every run, flags the latest's regression, and writes trend.md and a self-contained trend.html", async () => {
    await writeStore(
      line("run-01"),
      line("run-02", { detectionMs: 2100 }),
      line("run-03", { detectionMs: 7000 }),
    );
    const r = await cli("trend", store);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Trend of region-outage: 3 runs/);
    assert.match(r.out, /Latest run run-03: pass; 2 regressions/);
    assert.match(r.out, /▲ detection 7 s, was 2.1 s in the previous run \(\+4.9 s \(\+233%\)\)/);
    assert.match(r.out, /▲ detection 7 s, was 2.05 s in the baseline \(median of 2 runs\)/);
    for (const run of ["run-01", "run-02", "run-03"]) assert.match(r.out, new RegExp(`^${run} `, "m"));

    const md = await readFile(path.join(store, "trend.md"), "utf8");
    assert.match(md, /^# Trend of region-outage: 3 runs/);
    assert.match(md, /\| run-03 \| pass \| aaaaaaaa \| \*\*7 s ▲\*\* \|/);
    assert.match(md, /\| run-01 \| pass \| aaaaaaaa \| 2 s \|/);

    const html = await readFile(path.join(store, "trend.html"), "utf8");
    assert.equal((html.match(/<svg class="spark"/g) ?? []).length, 9, "a sparkline per key figure");
    assert.match(html, /<circle class="dot regressed"[^>]*><title>run-03: 7 s ▲ regression<\/title>/);
    assert.doesNotMatch(html, /<script|<link|src="http|href="http/, "nothing loaded at view time");
  });

  it("exits 1 with --fail-on-regression when the latest run regressed, 0 when it did not", async () => {
    await writeStore(line("run-01"), line("run-02", { rtoMaxMs: 30_000 }, "fail"));
    assert.equal((await cli("trend", store, "--fail-on-regression")).code, 1);
    await writeStore(line("run-01", { rtoMaxMs: 30_000 }, "fail"), line("run-02"));
    assert.equal((await cli("trend", store, "--fail-on-regression")).code, 0);
  });

  it("takes the tolerances and baseline length from the command line", async () => {
    await writeStore(line("run-01"), line("run-02", { promotionMs: 900 }));
    assert.equal(
      (await cli("trend", store, "--fail-on-regression")).code,
      0,
      "+700 ms is under the default 1 s",
    );
    const strict = await cli(
      "trend",
      store,
      "--fail-on-regression",
      "--tolerance-ms",
      "500",
      "--tolerance",
      "0.1",
    );
    assert.equal(strict.code, 1);
    assert.match(strict.out, /▲ promotion 900 ms, was 200 ms in the previous run/);
    const md = await readFile(path.join(store, "trend.md"), "utf8");
    assert.match(md, /the median of up to 5 runs before it\), by more than 10% and by more than 500 ms/);
  });

  it("writes the reports where --out says, and reads an index.jsonl named directly", async () => {
    await writeStore(line("run-01"));
    const out = path.join(tmp, "elsewhere");
    const r = await cli("trend", path.join(store, "index.jsonl"), "--out", out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /the first run: nothing to compare with yet/);
    assert.match(await readFile(path.join(out, "trend.md"), "utf8"), /run-01/);
  });

  it("skips a torn line with a warning and still reports the runs", async () => {
    await writeStore(line("run-01"), line("run-02"));
    await appendFile(path.join(store, "index.jsonl"), line("run-03").slice(0, 40));
    const r = await cli("trend", store);
    assert.equal(r.code, 0);
    assert.match(r.err, /warning: .*index\.jsonl:3: skipped a line that is not JSON/);
    assert.match(r.out, /2 runs/);
  });

  it("exits 2 naming the file on a missing store, a malformed line, no runs or a bad option", async () => {
    const missing = await cli("trend", path.join(tmp, "nope"));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope: no such file or directory/);

    const empty = await cli("trend", tmp);
    assert.equal(empty.code, 2);
    assert.match(empty.err, /index\.jsonl: missing/);

    await writeStore(line("run-01"), JSON.stringify({ formatVersion: 1, run: "run-02" }));
    const bad = await cli("trend", store);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /index\.jsonl:2: startedAt must be a string/);

    await writeStore("{not json");
    const none = await cli("trend", store);
    assert.equal(none.code, 2);
    assert.match(none.err, /holds no runs/);

    await writeStore(line("run-01"));
    const option = await cli("trend", store, "--baseline", "0");
    assert.equal(option.code, 2);
    assert.match(option.err, /--baseline must be a whole number of runs from 1, got 0/);
  });

  it("compares two runs side by side: the objective that got worse and the drill field that changed", async () => {
    const a = path.join(tmp, "a");
    const b = path.join(tmp, "b");
    await writeStoredRun(a, [rtoUnder20s]);
    await writeStoredRun(b, [rtoUnder1s]);
    const r = await cli(
      "compare",
      a,
      path.join(b, "report.json"),
      "--markdown",
      path.join(tmp, "compare.md"),
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^status\s+pass\s+fail\s+worse ▲$/m);
    assert.match(r.out, /^rto\.max\s+< 20s -> < 1s\s+met \([\d.]+ s\)\s+missed \([\d.]+ s\)\s+worse ▲$/m);
    assert.match(r.out, /objectives\[0\]\.limit: 20000 -> 1000/);
    assert.match(r.out, /^RTO max\s+[\d.]+ s\s+[\d.]+ s\s+±0\s+same$/m);
    const md = await readFile(path.join(tmp, "compare.md"), "utf8");
    assert.match(md, /^# Compare stored-outage runs/);
    assert.match(md, /\| status \| pass \| fail \| \*\*worse ▲\*\* \|/);
    assert.match(md, /## Predicted/);
  });

  it("exits 2 from compare when a run has no report.json", async () => {
    const a = path.join(tmp, "a");
    await writeStoredRun(a, [rtoUnder20s]);
    const r = await cli("compare", a, store);
    assert.equal(r.code, 2);
    assert.match(r.err, /region-outage\/report\.json: missing: name a run's report directory/);
  });

  it("refuses a --notify that is not an http(s) URL before starting the drill", async () => {
    const r = await cli("run", "drills/region-outage.yaml", "--out", tmp, "--notify", "hooks.example.test");
    assert.equal(r.code, 2);
    assert.match(r.err, /--notify must be an http:\/\/ or https:\/\/ URL/);
    const m = await cli("matrix", "drills/managers.yaml", "--out", tmp, "--notify", "ftp://x");
    assert.equal(m.code, 2);
  });
});
