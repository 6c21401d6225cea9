// Patroni on the docker platform: the same drill as test/integration/patroni.test.ts, with etcd,
// Patroni and HAProxy each in a container of the stacks image (scripts/build-local-images.sh), the
// replication proxies on each region's own network. Needs a Docker engine (engine.ts).
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { loadDrill } from "../../src/drill/load.ts";
import type { Drill } from "../../src/drill/types.ts";
import { parseHistory } from "../../src/history/recorder.ts";
import { Events, type Op } from "../../src/history/types.ts";
import { DRILL_LABEL } from "../../src/platform/docker.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { docker } from "./helpers.ts";

function drillLeftovers(): string {
  const filter = `label=${DRILL_LABEL}`;
  return docker("ps", "-aq", "--filter", filter) + docker("network", "ls", "-q", "--filter", filter);
}

const valueOf = (op: Op): Record<string, unknown> => (op.value ?? {}) as Record<string, unknown>;
const byPatroni = (history: Op[], f: string): Op[] =>
  history.filter((o) => o.f === f && valueOf(o).by === "patroni");

async function run(drill: Drill, out: string): Promise<{ summary: Summary; history: Op[] }> {
  const { summary, reportDir } = await runDrill(drill, { out });
  const history = parseHistory(await readFile(path.join(reportDir, "history.jsonl"), "utf8"));
  return { summary, history };
}

describe("Patroni on the docker platform (docker)", function () {
  this.timeout(400_000);
  let out: string;
  let tuned: Drill;

  before(async function () {
    skipWithoutDockerEngine(this);
    out = await mkdtemp(path.join(os.tmpdir(), "patroni-docker-"));
    tuned = { ...(await loadDrill("drills/patroni-tuned.yaml")), platform: "docker" };
  });

  after(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  describe("the region's containers killed (etcd, Patroni, HAProxy)", () => {
    let r: { summary: Summary; history: Op[] };
    before(async () => {
      r = await run(tuned, out);
    });

    it("lets Patroni promote the standby, inside the range its ttl and loop_wait predict", () => {
      assert.deepEqual(
        byPatroni(r.history, Events.promote).map((o) => valueOf(o).region),
        ["eu-west"],
      );
      assert.equal(r.history.filter((o) => o.f === Events.fence).length, 0);
      const { detection, promotion } = r.summary.measurements;
      const writableMs = detection.ms! + promotion.ms!;
      const uncertainty = detection.uncertaintyMs + promotion.uncertaintyMs;
      const [low, high] = r.summary.predicted.writableRangeMs!;
      assert.ok(
        writableMs >= low - uncertainty && writableMs <= high + uncertainty,
        `writable ${writableMs} ± ${uncertainty} outside [${low}, ${high}]`,
      );
    });

    it("routes through the surviving region's HAProxy container, and every client recovers", () => {
      const switches = r.history.filter(
        (o) => o.f === Events.routeSwitch && valueOf(o).router === "haproxy eu-west",
      );
      assert.deepEqual(
        switches.map((o) => valueOf(o).region),
        ["eu-west"],
      );
      const { rpo, rto } = r.summary.measurements;
      assert.ok(rpo.lostWrites !== null && rpo.ackedWrites > 0, JSON.stringify(rpo));
      assert.equal(rto.clientsNotRecovered, 0);
      assert.equal(r.summary.status, "pass", JSON.stringify(r.summary.objectives));
      console.log(
        `      figures: patroni tuned on docker: detection ${r.summary.measurements.detection.ms} ms, ` +
          `promotion ${r.summary.measurements.promotion.ms} ms, rto p50 ${rto.p50Ms} max ${rto.maxMs} ms, ` +
          `lost ${rpo.lostWrites}/${rpo.ackedWrites}`,
      );
    });

    it("leaves no container or network behind", () => {
      assert.equal(drillLeftovers(), "");
    });
  });

  // With etcd 3.4's defaults the cut-off etcd member keeps raising its term and, on rejoining, forces
  // an election that can cost eu-west its key: the old leader then takes it back (3 of 5 runs, see
  // docs/managers.md). --pre-vote makes that rare (1 run in 4); the test checks the failover and that
  // the report follows whichever leader survived.
  describe("the region cut off the network (its containers leave the drill's networks), etcd with --pre-vote", () => {
    let r: { summary: Summary; history: Op[] };
    before(async () => {
      const faults = tuned.faults.map((f) =>
        f.type === "region-outage" ? { ...f, mode: "network" as const } : f,
      );
      const controller = {
        ...tuned.controller,
        patroni: { ...tuned.controller.patroni!, etcdPreVote: true },
      };
      // The old leader rewinds and restarts after the heal: give it time before the final read.
      const recovery = { ...tuned.recovery, waitMs: 20_000 };
      r = await run({ ...tuned, name: "patroni-docker-network", faults, controller, recovery }, out);
    });

    it("fails over to the standby, and reports whichever leader survived, the other one rejoined as a replica", () => {
      // Pre-vote makes a failback after the heal rare, not impossible (1 run in 4 so far): the drill
      // must then report the second promotion and measure against the leader that survived.
      const promoted = byPatroni(r.history, Events.promote).map((o) => valueOf(o).region);
      assert.equal(promoted[0], "eu-west", promoted.join(", "));
      const survivor = promoted.at(-1);
      assert.equal(r.summary.measurements.rpo.survivingPrimary, survivor);
      assert.equal(r.summary.measurements.rto.clientsNotRecovered, 0);
      const other = r.summary.nodes.find((n) => n.node === (survivor === "eu-west" ? "us-east" : "eu-west"));
      assert.deepEqual([other?.reachable, other?.role], [true, "standby"], JSON.stringify(other));
    });

    it("leaves no container or network behind", () => {
      assert.equal(drillLeftovers(), "");
    });
  });
});
