// End-to-end drills on the local platform: real PostgreSQL, proxies, DNS, apps and clients.
import assert from "node:assert/strict";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { loadDrill } from "../../src/drill/load.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import type { Op } from "../../src/history/types.ts";
import { runDrill } from "../../src/runner/runner.ts";

describe("drills on the local platform (integration)", function () {
  this.timeout(180_000);
  let out: string;
  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "drill-reports-"));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  describe("region-outage.yaml", () => {
    let summary: Summary;
    let reportDir: string;
    let workspace: string;
    before(async () => {
      const drill = await loadDrill("drills/region-outage.yaml");
      ({ summary, reportDir } = await runDrill(drill, { out }));
      const history = parseHistory(await readFile(path.join(reportDir, "history.jsonl"), "utf8"));
      workspace = (history.find((o) => o.f === "topology-up")?.value as { workspace: string }).workspace;
    });

    it("writes report.json, report.md, report.html, report.junit.xml and history.jsonl", async () => {
      for (const f of ["report.json", "report.md", "report.html", "report.junit.xml", "history.jsonl"]) {
        await access(path.join(reportDir, f));
      }
      const json = JSON.parse(await readFile(path.join(reportDir, "report.json"), "utf8")) as Summary;
      assert.equal(json.drill.name, "region-outage");
    });

    it("meets the drill's objectives", () => {
      assert.equal(summary.status, "pass", JSON.stringify(summary.objectives));
    });

    it("detects the outage within one probe interval plus timeout of interval x threshold", () => {
      const { intervalMs, timeoutMs, failureThreshold } = summary.drill.controller.healthCheck;
      const detection = summary.measurements.detection.ms;
      assert.ok(detection !== null);
      assert.ok(
        Math.abs(detection - intervalMs * failureThreshold) <= intervalMs + timeoutMs,
        `detection ${detection}`,
      );
    });

    it("promotes the standby in under 2 s", () => {
      const promotion = summary.measurements.promotion.ms;
      assert.ok(promotion !== null && promotion < 2000, `promotion ${promotion}`);
    });

    it("moves every client to the new address within TTL plus one probe interval after promotion", () => {
      const { clientLastMs, clientsNotSwitched } = summary.measurements.dnsSwitch;
      assert.equal(clientsNotSwitched, 0);
      assert.ok(clientLastMs !== null);
      assert.ok(
        clientLastMs <= summary.drill.dns.ttlMs + summary.drill.controller.healthCheck.intervalMs,
        `clientLast ${clientLastMs}`,
      );
    });

    it("loses few acknowledged writes when replication was healthy", () => {
      const { lostWrites, ackedWrites, unexpectedWrites } = summary.measurements.rpo;
      assert.ok(ackedWrites > 5000, `acked ${ackedWrites}`);
      assert.ok(lostWrites !== null && lostWrites <= 50, `lost ${lostWrites}`);
      assert.equal(unexpectedWrites, 0);
      assert.equal(summary.measurements.splitBrain.detected, false);
    });

    it("leaves no workspace behind", async () => {
      await assert.rejects(access(workspace));
    });
  });

  describe("replication-cut-before-outage.yaml (known answer)", () => {
    let summary: Summary;
    let history: Op[];
    before(async () => {
      const drill = await loadDrill("drills/replication-cut-before-outage.yaml");
      const result = await runDrill(drill, { out });
      summary = result.summary;
      history = parseHistory(await readFile(path.join(result.reportDir, "history.jsonl"), "utf8"));
    });

    it("loses exactly the writes acknowledged between the replication cut and the outage", () => {
      const starts = history.filter((o) => o.f === "fault-start" && o.type === "ok");
      const cut = starts.find((o) => (o.value as { type: string }).type === "partition");
      const outage = history.find(
        (o) =>
          o.f === "fault-start" &&
          o.type === "invoke" &&
          (o.value as { type: string }).type === "region-outage",
      );
      assert.ok(cut && outage);
      const ackedInsideCut = history.filter(
        (o) => o.f === "write" && o.type === "ok" && o.time > cut.time && o.time < outage.time,
      ).length;
      // A write acknowledged just before the cut may still have had its WAL on the way to the
      // standby (one-way latency plus the walsender's batching): lost too, though acked outside.
      const inFlightMs = (summary.drill.network.interRegionLatencyMs + 50) * 1e6;
      const ackedJustBeforeCut = history.filter(
        (o) => o.f === "write" && o.type === "ok" && o.time > cut.time - inFlightMs && o.time <= cut.time,
      ).length;
      const lost = summary.measurements.rpo.lostWrites;
      assert.ok(lost !== null);
      // Writes in flight at either edge may fall on either side: one per client at each edge.
      const slack = 2 * summary.drill.workload.clients;
      assert.ok(
        lost >= ackedInsideCut - slack && lost <= ackedInsideCut + ackedJustBeforeCut + slack,
        `lost ${lost}, acked inside the cut ${ackedInsideCut}, in the ${inFlightMs / 1e6} ms before it ${ackedJustBeforeCut}`,
      );
    });

    it("reports a lost window matching the time between the cut and the outage", () => {
      const cutAt = summary.drill.faults.find((f) => f.type === "partition")!.atMs;
      const outageAt = summary.drill.faults.find((f) => f.type === "region-outage")!.atMs;
      const window = summary.measurements.rpo.lostWindowMs;
      assert.ok(window !== null);
      assert.ok(Math.abs(window - (outageAt - cutAt)) <= 300, `lost window ${window}`);
    });
  });
});
