// `failover-drill matrix` for real: two cells of a short drill on real PostgreSQL, proxies and DNS,
// one comparison report; and Ctrl-C between runs leaving a partial report and exit 130.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";
import type { MatrixReport } from "../../src/matrix/types.ts";

const BASE = `name: short-outage
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
controller:
  healthCheck: { interval: 500ms, timeout: 250ms, failureThreshold: 2 }
dns: { ttl: 1s }
workload: { clients: 2, rate: 100/s, duration: 8s }
faults:
  - { at: 3s, type: region-outage, region: us-east }
recovery: { wait: 1s }
objectives:
  rto.max: "< 20s"
`;

const MATRIX = `name: ttl-compare
description: the same outage with a 1 s and a 2 s DNS TTL
base: base.yaml
parameters:
  dns.ttl: [1s, 2s]
`;

async function matrixReport(out: string): Promise<{ dir: string; report: MatrixReport; md: string }> {
  const [stamp] = await readdir(path.join(out, "ttl-compare"));
  assert.ok(stamp, "a matrix report directory");
  const dir = path.join(out, "ttl-compare", stamp);
  const report = JSON.parse(await readFile(path.join(dir, "matrix.json"), "utf8")) as MatrixReport;
  return { dir, report, md: await readFile(path.join(dir, "matrix.md"), "utf8") };
}

describe("failover-drill matrix (integration)", function () {
  this.timeout(120_000);
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "drill-matrix-"));
    await writeFile(path.join(tmp, "base.yaml"), BASE);
    await writeFile(path.join(tmp, "matrix.yaml"), MATRIX);
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("runs both cells for real and writes one comparison with a row per cell", async () => {
    const out = path.join(tmp, "reports");
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(`err: ${t}`) };
    const code = await main(["matrix", path.join(tmp, "matrix.yaml"), "--out", out], io);
    assert.equal(code, 0, lines.join("\n"));
    const progress = lines.filter((l) => /^\[\d\/2\]/.test(l));
    assert.equal(progress.length, 2, lines.join("\n"));
    assert.match(progress[0] ?? "", /^\[1\/2\] dns\.ttl=1s {2}run 1\/1 \.\.\. PASS lost \d+, RTO max /);
    assert.match(progress[1] ?? "", /^\[2\/2\] dns\.ttl=2s {2}run 1\/1 \.\.\. PASS /);
    assert.ok(!lines.some((l) => l.includes("starting topology")), "drill logs are suppressed");

    const { dir, report, md } = await matrixReport(out);
    assert.equal(report.complete, true);
    assert.equal(report.status, "pass");
    assert.deepEqual(
      report.cells.map((c) => [c.slug, c.runs.length, c.runs[0]?.status]),
      [
        ["01-ttl-1s", 1, "pass"],
        ["02-ttl-2s", 1, "pass"],
      ],
    );
    for (const cell of report.cells) {
      const run = cell.runs[0];
      assert.ok(run?.figures && run.reportDir, JSON.stringify(run));
      const f = run.figures;
      const summary = JSON.parse(await readFile(path.join(dir, run.reportDir, "report.json"), "utf8")) as {
        drill: { dns: { ttlMs: number } };
      };
      assert.equal(summary.drill.dns.ttlMs, cell.slug.endsWith("1s") ? 1000 : 2000, "the cell's TTL was run");
      assert.ok(f.ackedPerSecond !== null && f.ackedPerSecond > 30, `acked/s ${f.ackedPerSecond}`);
      assert.ok(f.lostWrites !== null && f.lostWrites <= 50, `lost ${f.lostWrites}`);
      assert.ok(f.rtoMaxMs !== null && f.rtoMaxMs > 200 && f.rtoMaxMs < 15_000, `RTO max ${f.rtoMaxMs}`);
      assert.ok(f.detectionMs !== null && f.detectionMs < 1000 + 500 + 250, `detection ${f.detectionMs}`);
      assert.equal(f.predictedDetectionMs, 1000);
      assert.equal(cell.metrics.rtoMaxMs.median, f.rtoMaxMs, "one run: the median is the run's value");
    }
    const [ttl1, ttl2] = report.cells.map((c) => c.runs[0]?.figures?.predictedDnsFailoverMs);
    assert.deepEqual([ttl1, ttl2], [2000, 3000], "predicted DNS failover = detection + TTL");
    const rows = md.split("\n").filter((l) => /^\| \ds \|/.test(l));
    assert.equal(rows.length, 2, md);
    assert.match(rows[0] ?? "", /^\| 1s \| 1 pass \|.* \/ 1 s \|.* \/ 2 s \|$/);
    assert.match(rows[1] ?? "", /^\| 2s \| 1 pass \|.* \/ 1 s \|.* \/ 3 s \|$/);
  });

  it("stops on SIGINT after the first run and reports that run, marked incomplete, with exit 130", async () => {
    const out = path.join(tmp, "reports");
    const child = spawn(
      process.execPath,
      ["bin/failover-drill.js", "matrix", path.join(tmp, "matrix.yaml"), "--out", out],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          if (stdout.includes("[1/2]")) resolve();
        });
        void exited.then(() => reject(new Error(`matrix exited early:\n${stdout}\n${stderr}`)));
      });
      child.kill("SIGINT");
      assert.equal(await exited, 130, `${stdout}\n${stderr}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    const { report, md } = await matrixReport(out);
    assert.equal(report.interrupted, true);
    assert.equal(report.complete, false);
    assert.equal(report.exitCode, 130);
    assert.equal(report.cells[0]?.runs[0]?.status, "pass");
    assert.deepEqual(
      report.cells[1]?.runs.map((r) => r.status),
      report.cells[1]?.runs.length === 0 ? [] : ["interrupted"],
    );
    assert.match(md, /\*\*INCOMPLETE\*\* \(interrupted\): 1 of 2 runs done/);
  });
});
