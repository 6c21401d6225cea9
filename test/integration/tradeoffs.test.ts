// The trade-offs the seed matrix shows, asserted end to end on the three-region base drill:
// sync and semi-sync lose no acknowledged write, sync pays about one inter-region round trip per
// write, async promotes the most advanced standby and the other standby follows the new primary.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { loadDrill } from "../../src/drill/load.ts";
import type { Drill, ReplicationMode } from "../../src/drill/types.ts";
import { runDrill } from "../../src/runner/runner.ts";

async function seedDrill(replication: ReplicationMode): Promise<Drill> {
  const base = await loadDrill("drills/seed-tradeoffs-base.yaml");
  return {
    ...base,
    name: `tradeoffs-${replication}`,
    database: { ...base.database, replication },
    workload: { ...base.workload, durationMs: 14_000 },
    faults: [
      { type: "partition", atMs: 5_000, between: ["us-east", "eu-west"] },
      { type: "region-outage", atMs: 7_000, region: "us-east", mode: "kill" },
    ],
    objectives: [],
  };
}

describe("replication trade-offs on three regions (integration)", function () {
  this.timeout(180_000);
  let out: string;
  const summaries = new Map<ReplicationMode, Summary>();
  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "drill-tradeoffs-"));
    for (const mode of ["async", "sync", "semi-sync"] as const) {
      summaries.set(mode, (await runDrill(await seedDrill(mode), { out })).summary);
    }
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });
  const get = (mode: ReplicationMode): Summary => summaries.get(mode)!;

  it("loses no acknowledged write under sync or semi-sync replication", () => {
    for (const mode of ["sync", "semi-sync"] as const) {
      const { lostWrites, ackedWrites } = get(mode).measurements.rpo;
      assert.equal(lostWrites, 0, `${mode}: lost ${lostWrites}`);
      assert.ok(ackedWrites > 300, `${mode}: acked ${ackedWrites}`);
    }
  });

  it("adds about one inter-region round trip to each write under sync replication", () => {
    const asyncP50 = get("async").measurements.writeLatency.beforeP50Ms;
    const syncP50 = get("sync").measurements.writeLatency.beforeP50Ms;
    assert.ok(asyncP50 !== null && syncP50 !== null);
    // us-east <-> eu-west is 20 ms each way: one round trip is 40 ms. Tolerance: -10/+40 ms for the
    // extra WAL flush and a loaded 2-core machine.
    const added = syncP50 - asyncP50;
    assert.ok(added >= 30 && added <= 80, `sync adds ${added} ms (async ${asyncP50}, sync ${syncP50})`);
  });

  it("promotes the standby that kept streaming, not the one cut off before the outage", () => {
    for (const mode of ["async", "sync", "semi-sync"] as const) {
      assert.equal(get(mode).measurements.rpo.survivingPrimary, "ap-south", mode);
    }
  });

  it("keeps the remaining standby replicating from the new primary after failover", () => {
    const s = get("async");
    const survivor = s.nodes.find((n) => n.node === "ap-south");
    const follower = s.nodes.find((n) => n.node === "eu-west");
    assert.ok(survivor && follower, JSON.stringify(s.nodes));
    assert.equal(follower.role, "standby");
    // Everything the new primary holds, including writes made after failover, reached eu-west.
    assert.equal(follower.count, survivor.count, `eu-west ${follower.count}, ap-south ${survivor.count}`);
  });
});
