// Real drills on the local platform, then `failover-drill check` on their directories: the re-checked
// reports equal the run's own, and the lost writes recounted here from history.jsonl and
// final-state.json alone equal rpo.lostWrites and its ids.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { main } from "../../src/cli/main.ts";
import { loadDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { shortOutageDrill } from "./short-drill.ts";

const REPORTS = ["report.json", "report.md", "report.html", "report.junit.xml"];

/**
 * replication-cut-before-outage.yaml in 12 s instead of 30: replication cut at 1 s, us-east dark from
 * 4 s to the end, so about 3 s of acknowledged writes (~1200 at 400/s) exist only on us-east.
 */
async function shortReplicationCut(): Promise<Drill> {
  const drill = await loadDrill("drills/replication-cut-before-outage.yaml");
  const [cut, outage] = drill.faults;
  assert.ok(cut?.type === "partition" && outage?.type === "region-outage");
  return {
    ...drill,
    workload: { ...drill.workload, durationMs: 12_000 },
    faults: [
      { ...cut, atMs: 1000 },
      { ...outage, atMs: 4000, durationMs: 8000 },
    ],
    recovery: { waitMs: 1000 },
  };
}

/**
 * Lost acknowledged writes from the files alone, written here without the project's readers or
 * checkers: ids some client saw acknowledged, minus the ids on the region that became writable last.
 */
async function recountLostWrites(dir: string): Promise<{ survivor: string; lost: number[] }> {
  type Line = { type: string; f: string; value?: { id?: number; region?: string } };
  const ops = (await readFile(path.join(dir, "history.jsonl"), "utf8"))
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Line);
  const acked = ops.filter((o) => o.f === "write" && o.type === "ok").map((o) => o.value!.id!);
  const survivor = ops.filter((o) => o.f === "writable").at(-1)!.value!.region!;
  const finalState = JSON.parse(await readFile(path.join(dir, "final-state.json"), "utf8")) as {
    nodes: Array<{ node: string; ids: number[] }>;
  };
  const held = new Set(finalState.nodes.find((n) => n.node === survivor)!.ids);
  return { survivor, lost: acked.filter((id) => !held.has(id)).sort((a, b) => a - b) };
}

async function check(dir: string, out: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(["check", dir, "--out", out], {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
  });
  return { code, out: lines.join("\n") };
}

const readJson = async (file: string): Promise<Summary> =>
  JSON.parse(await readFile(file, "utf8")) as Summary;

describe("failover-drill check on real runs (integration)", function () {
  this.timeout(180_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "check-runs-"));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  for (const [title, drill, losesWrites] of [
    ["a short region outage", () => Promise.resolve(shortOutageDrill("check-short-outage", "kill")), false],
    ["replication cut before the outage (loses writes)", shortReplicationCut, true],
  ] as const) {
    describe(title, () => {
      let summary: Summary;
      let reportDir: string;
      let checkDir: string;
      let checked: { code: number; out: string };
      before(async () => {
        ({ summary, reportDir } = await runDrill(await drill(), { out }));
        checkDir = path.join(out, `${path.basename(path.dirname(reportDir))}-checked`);
        checked = await check(reportDir, checkDir);
      });

      it("re-checks to exactly the run's report.json (measurements and all) and exits as run would", async () => {
        const original = await readJson(path.join(reportDir, "report.json"));
        const rechecked = await readJson(path.join(checkDir, "report.json"));
        assert.deepEqual(rechecked.measurements, original.measurements);
        // Nothing in the summary is specific to the check: startedAt is the run's, from report.json.
        assert.deepEqual(rechecked, original);
        const expected = { pass: 0, fail: 1, inconclusive: 3 }[summary.status];
        assert.equal(checked.code, expected, checked.out);
        assert.match(checked.out, /measurements: the same as the stored report\.json/);
      });

      it("re-renders every report file byte for byte", async () => {
        for (const file of REPORTS) {
          assert.equal(
            await readFile(path.join(checkDir, file), "utf8"),
            await readFile(path.join(reportDir, file), "utf8"),
            file,
          );
        }
      });

      it("recounts the lost writes from history.jsonl and final-state.json to rpo.lostWrites and its ids", async () => {
        const { survivor, lost } = await recountLostWrites(reportDir);
        const rpo = summary.measurements.rpo;
        assert.equal(survivor, rpo.survivingPrimary);
        assert.equal(lost.length, rpo.lostWrites);
        assert.deepEqual(lost.slice(0, rpo.lostIds.length), rpo.lostIds);
        assert.equal(rpo.lostIdsTruncated, lost.length > rpo.lostIds.length);
        if (losesWrites) assert.ok(lost.length > 0, "the replication cut loses acknowledged writes");
      });

      it("keeps the final-read events, whose counts match final-state.json", async () => {
        const ops = (await readFile(path.join(reportDir, "history.jsonl"), "utf8"))
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as { f: string; value: { node: string; count: number } });
        assert.deepEqual(ops[0], {
          index: 0,
          time: (ops[0] as unknown as { time: number }).time,
          process: "runner",
          type: "info",
          f: "history-format",
          value: { formatVersion: 1 },
        });
        const finalState = JSON.parse(await readFile(path.join(reportDir, "final-state.json"), "utf8")) as {
          formatVersion: number;
          nodes: Array<{ node: string; ids: number[] }>;
        };
        assert.equal(finalState.formatVersion, 1);
        assert.deepEqual(
          ops.filter((o) => o.f === "final-read").map((o) => [o.value.node, o.value.count]),
          finalState.nodes.map((n) => [n.node, n.ids.length]),
        );
      });
    });
  }
});
