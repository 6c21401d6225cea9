// drills/active-active-lww.yaml on the docker platform, run through the CLI: one primary container
// per region, joined by logical replication in both directions through the replication proxies in
// the Toxiproxy container, so the partition cuts replication and both sides update the same keys.
// Shortened to stay under a minute (a 12 s workload, only the 5 s partition, judged only on
// divergence at the end); what is asserted is the conflicts measurement: last-writer-wins makes every
// register converge to the right value, and what it loses is counter increments only.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import type { Summary } from "../../src/checkers/types.ts";
import { DRILL_LABEL } from "../../src/platform/docker.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { docker } from "./helpers.ts";

const NAME = "active-active-lww-docker";

/** The repository's LWW drill, shorter, judged only on convergence (the measurement is asserted). */
async function shortDrill(): Promise<string> {
  const drill = YAML.parse(await readFile("drills/active-active-lww.yaml", "utf8")) as Record<
    string,
    unknown
  >;
  drill["name"] = NAME;
  drill["workload"] = { ...(drill["workload"] as object), duration: "12s" };
  drill["faults"] = [{ at: "3s", type: "partition", between: ["us-east", "eu-west"], duration: "5s" }];
  // PostgreSQL restarts a failed apply worker every wal_retrieve_retry_interval (5 s by default):
  // enough wait after the heal for both directions to reconnect and catch up.
  drill["recovery"] = { wait: "8s" };
  drill["objectives"] = { "conflicts.divergentKeys": "== 0" };
  return YAML.stringify(drill);
}

/** This test's drill's containers and networks (other runs may share the engine). */
function ourLeftovers(): string[] {
  const ours = (listing: string): string[] =>
    listing.split("\n").filter((value) => value.startsWith(`${NAME}-`));
  const format = `{{.Label "${DRILL_LABEL}"}}`;
  const filter = `label=${DRILL_LABEL}`;
  return [
    ...ours(docker("ps", "-a", "--filter", filter, "--format", format)),
    ...ours(docker("network", "ls", "--filter", filter, "--format", format)),
  ];
}

function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["bin/failover-drill.js", "run", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe("active-active drills on the docker platform (docker)", function () {
  this.timeout(180_000);
  let out: string | undefined;
  let summary: Summary;
  let output: string;

  before(async function () {
    skipWithoutDockerEngine(this);
    out = await mkdtemp(path.join(os.tmpdir(), "docker-active-active-"));
    const file = path.join(out, `${NAME}.yaml`);
    await writeFile(file, await shortDrill());
    const t0 = performance.now();
    const run = await runCli([file, "--platform", "docker", "--out", out]);
    output = run.output;
    assert.equal(run.code, 0, output);
    const [dir] = await readdir(path.join(out, NAME));
    summary = JSON.parse(await readFile(path.join(out, NAME, dir!, "report.json"), "utf8")) as Summary;
    const c = summary.measurements.conflicts!;
    console.log(
      `      docker run ${((performance.now() - t0) / 1000).toFixed(1)} s: ${output.match(/containers up: [^\n]*/)?.[0]}; ` +
        `diverged on up to ${c.divergentKeysMax} keys, converged in ${c.timeToConvergeMs?.toFixed(0)} ms, ` +
        `${c.lostIncrements} of the acknowledged increments lost, ${c.concurrentWrites} concurrent writes`,
    );
  });

  after(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it("runs on docker and leaves no container or network behind", () => {
    assert.equal(summary.drill.platform, "docker");
    assert.equal(summary.status, "pass", JSON.stringify(summary.objectives));
    assert.deepEqual(ourLeftovers(), []);
  });

  it("replicates through the proxies: the partition makes the regions diverge, the heal converges them", () => {
    const c = summary.measurements.conflicts!;
    assert.ok(c.divergentKeysMax > 0, `never diverged: ${JSON.stringify(c)}`);
    assert.ok(c.concurrentWrites > 0, "both regions wrote the same keys during the partition");
    assert.equal(c.divergentKeys, 0);
    assert.equal(typeof c.timeToConvergeMs, "number");
  });

  it("converges every register to the acknowledged write with the largest (stamp, region)", () => {
    const c = summary.measurements.conflicts!;
    assert.equal(c.strategy, "lww");
    assert.deepEqual(c.wrongKeys, []);
    assert.deepEqual(c.lostUpdateIds, [], "no acknowledged register write lost");
  });

  it("counts only counter increments as lost: LWW keeps one region's concurrent counter value", () => {
    const c = summary.measurements.conflicts!;
    assert.ok((c.lostIncrements ?? 0) > 0, "concurrent increments were discarded");
    assert.equal(c.lostUpdates, c.lostIncrements);
  });
});
