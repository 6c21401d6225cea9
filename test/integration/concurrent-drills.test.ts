// Several drills on one machine at once (CI jobs side by side): each gets its own loopback address
// block, ports, workspace and run directory, and each measures what it would measure alone.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { spawnCli } from "./cli-process.ts";

interface Report {
  status: string;
  measurements: { detection: { ms: number | null; uncertaintyMs: number } };
  predicted: { detectionRangeMs: [number, number] };
}

async function runDirs(out: string, drill: string): Promise<string[]> {
  const dir = path.join(out, drill);
  return (await readdir(dir)).filter((n) => /^\d{8}T\d{6}Z/.test(n)).map((n) => path.join(dir, n));
}

async function regionAddresses(runDir: string): Promise<string[]> {
  const history = await readFile(path.join(runDir, "history.jsonl"), "utf8");
  const up = history
    .split("\n")
    .filter((line) => line.includes('"topology-up"'))
    .map((line) => JSON.parse(line) as { value: { regions: Array<{ address: string }> } })[0];
  assert.ok(up !== undefined, `${runDir} has no topology-up event`);
  return up.value.regions.map((r) => r.address);
}

describe("concurrent drills", function () {
  this.timeout(180_000);
  let out: string;

  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "concurrent-drills-"));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it("two copies of one drill and a different drill started together all pass, each on its own addresses", async () => {
    const run = (file: string) => spawnCli(["run", file, "--out", out, "--quiet"], 120_000);
    const results = await Promise.all([
      run("fixtures/concurrent/small-outage.yaml"),
      run("fixtures/concurrent/small-outage.yaml"),
      run("fixtures/concurrent/small-client-failover.yaml"),
    ]);
    for (const r of results) assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);

    const dirs = [...(await runDirs(out, "small-outage")), ...(await runDirs(out, "small-client-failover"))];
    assert.equal(dirs.length, 3, `three run directories, got ${dirs.join(", ")}`);
    const blocks = await Promise.all(
      dirs.map(async (d) => (await regionAddresses(d)).map((a) => a.split(".")[1])),
    );
    for (const b of blocks) assert.equal(new Set(b).size, 1, `one block per run: ${b.join(", ")}`);
    assert.equal(new Set(blocks.map((b) => b[0])).size, 3, "each run in a block of its own");

    for (const dir of dirs) {
      const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8")) as Report;
      assert.equal(report.status, "pass", dir);
      // Detection within the predicted range, as the drill measures alone (up to its uncertainty).
      const { ms, uncertaintyMs } = report.measurements.detection;
      const [low, high] = report.predicted.detectionRangeMs;
      assert.ok(
        ms !== null && ms + uncertaintyMs >= low && ms - uncertaintyMs <= high,
        `${dir}: detection ${ms}`,
      );
    }
  });
});
