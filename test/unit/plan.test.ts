// `failover-drill plan`: the resolved drill from a literal drill (the planner is pure), and the
// command on a drill file: text, --json, bad input (exit 2, as validate). Also `run`'s refusals that
// start nothing: a bad --timeout, an output place that cannot be written.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sampleDrill } from "../../src/checkers/history-builder.ts";
import { main } from "../../src/cli/main.ts";
import { planDrill, type DrillPlan } from "../../src/plan/plan.ts";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("the plan of a literal drill", () => {
  let plan: DrillPlan;
  before(async () => {
    const base = sampleDrill();
    plan = await planDrill({
      ...base,
      workload: { ...base.workload, durationMs: 30_000 },
      faults: [
        { type: "region-outage", atMs: 10_000, region: "east", mode: "kill" },
        {
          type: "latency",
          atMs: 2000,
          durationMs: 3000,
          target: { region: "west", links: ["client"] },
          direction: "both",
          toxicity: 1,
          attributes: { latencyMs: 150, jitterMs: 0 },
        } as never,
      ],
      objectives: [{ metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" }],
    });
  });

  it("puts each fault on the timeline with its start, its end and how it ends", () => {
    assert.deepEqual(
      plan.timeline.faults.map((f) => [f.index, f.startMs, f.endMs, f.endsBy]),
      [
        [0, 10_000, 30_000, "heal-all"],
        [1, 2000, 5000, "duration"],
      ],
    );
    assert.deepEqual(plan.timeline.recovery, { fromMs: 30_000, untilMs: 31_000 });
  });

  it("names every link's proxy and what is done to it when", () => {
    const link = (proxy: string) => plan.links.find((l) => l.proxy === proxy);
    assert.deepEqual(
      plan.links.map((l) => `${l.proxy} ${l.from}->${l.to}`),
      [
        "east.client clients->east",
        "east.app-db east->east",
        "west.client clients->west",
        "west.app-db west->west",
        "east.replication.west east->west",
        "west.replication.east west->east",
      ],
    );
    assert.deepEqual(link("east.replication.west")?.toxics, [
      { what: "latency 10ms each way (inter-region)", when: "all drill" },
      { what: "cut (region-outage of east (kill))", when: "10s-30s (fault 0)" },
    ]);
    assert.deepEqual(
      link("west.client")?.toxics.map((x) => x.when),
      ["2s-5s (fault 1)"],
    );
    assert.deepEqual(link("west.app-db")?.toxics, []);
  });

  it("carries the topology, the predictions, the objectives and the default timeout", () => {
    assert.deepEqual(plan.topology.regions, [
      { name: "east", role: "primary", address: "127.0.1.1" },
      { name: "west", role: "standby", address: "127.0.2.1" },
    ]);
    assert.deepEqual(plan.predicted.detectionRangeMs, [2000, 3500]);
    assert.deepEqual(plan.objectives, [{ metric: "rto.max", limit: "< 20s" }]);
    // 2m + 30s + 1s + (1m + 31s / 4 = 67.75s), rounded up
    assert.equal(plan.timeout.ms, 219_000);
  });
});

describe("failover-drill plan", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "plan-cli-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("prints the region-outage drill's timeline, links, predictions and timeout", async () => {
    const r = await cli("plan", "drills/region-outage.yaml");
    assert.equal(r.code, 0, r.err);
    for (const line of [
      "  10s      fault 0 starts: region-outage of us-east (kill): every link of us-east cut; its database and app killed (SIGKILL)",
      "  33s      recovery wait over: final read of every node, then the reports",
      "  us-east.replication.eu-west  replication us-east -> eu-west",
      "      cut (region-outage of us-east (kill)): 10s-30s (fault 0)",
      "  detection     3s (2s – 3.5s)",
      "  rto.max < 20s",
    ])
      assert.ok(r.out.split("\n").includes(line), `missing: ${line}\n${r.out}`);
    assert.match(r.out, /timeout {2}3m42s for the whole run by default/);
  });

  it("prints the plan as JSON with --json", async () => {
    const r = await cli("plan", "drills/region-outage.yaml", "--json");
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out) as DrillPlan;
    assert.equal(plan.drill, "region-outage");
    assert.equal(plan.timeout.ms, 222_000);
    assert.equal(plan.links.length, 6);
  });

  it("exits 2 naming the field on a bad drill, as validate does", async () => {
    const file = path.join(tmp, "bad.yaml");
    await writeFile(file, "name: bad\nregions: nope\n");
    const r = await cli("plan", file);
    assert.equal(r.code, 2);
    assert.match(r.err, /regions/);
  });
});

describe("failover-drill run refusals that start nothing", () => {
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "run-refuse-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("exits 2 on a --timeout that is not a duration", async () => {
    const r = await cli("run", "drills/region-outage.yaml", "--timeout", "later", "--out", tmp);
    assert.equal(r.code, 2);
    assert.match(r.err, /--timeout: expected a duration/);
    assert.deepEqual(await readdir(tmp), []);
  });

  it("exits 2 on a bad --timeout for matrix and suite too, before running anything", async () => {
    for (const [command, file] of [
      ["matrix", "drills/seed-tradeoffs.yaml"],
      ["suite", "drills/weekly.yaml"],
    ] as const) {
      const r = await cli(command, file, "--timeout", "never", "--out", tmp);
      assert.equal(r.code, 2, `${command}: ${r.err}`);
      assert.match(r.err, /--timeout: expected/);
    }
    assert.deepEqual(await readdir(tmp), []);
  });

  it("exits 2 naming the path and the cause when the output place is a file", async () => {
    const file = path.join(tmp, "file");
    await writeFile(file, "");
    const r = await cli("run", "drills/region-outage.yaml", "--out", file, "--quiet");
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      new RegExp(`error: cannot write the run's reports to ${file}/region-outage/\\d{8}T\\d{6}Z: ENOTDIR`),
    );
  });
});
