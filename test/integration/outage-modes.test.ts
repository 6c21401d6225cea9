// Region outage modes on the local platform with real PostgreSQL and real app processes: a paused
// region is frozen (postmaster, every backend and walsender, and the app) and thawed by its heal or
// by dispose; a network outage leaves every process running. Then short drills show that both kinds
// of outage fail over, and that a network outage leaves the old primary alive and still a primary.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { httpAnswers } from "../../src/platform/http-probe.ts";
import { processAlive, processDescendants } from "../../src/platform/processes.ts";
import { runDrill } from "../../src/runner/runner.ts";
import { LocalTopology } from "../../src/topology/local.ts";
import { postgresNode, settlesWithin } from "./helpers.ts";
import { shortOutageDrill } from "./short-drill.ts";

/** The state letter of /proc/<pid>/stat (R, S, D, T, Z, ...); undefined once the pid is gone. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

/** A process and every live descendant (PostgreSQL's children leave its process group). */
const treeOf = (pid: number): number[] => [pid, ...processDescendants(pid)];

describe("region outage modes on the local platform (integration)", function () {
  this.timeout(120_000);

  describe("pause and network outages of a running topology", () => {
    let topology: LocalTopology | undefined;
    const topo = (): LocalTopology => topology!;
    /** Every pid of the us-east database and app at the start: none may be left stopped or alive. */
    const seen = new Set<number>();

    const regionPids = (): { database: number[]; app: number } => {
      const postmaster = topo().node("us-east").pid;
      const app = topo().apps.get("us-east")?.pid;
      assert.ok(postmaster !== undefined && app !== undefined, "us-east database and app are running");
      const database = treeOf(postmaster);
      for (const pid of [...database, app]) seen.add(pid);
      return { database, app };
    };
    const healthUrl = (): string => {
      const r = topo().regionLayout("us-east");
      return `http://${r.address}:${r.appPort}/health`;
    };
    /** Whether a fresh connection gets an answer to SELECT 1 within `ms`. */
    const databaseAnswersWithin = async (ms: number): Promise<boolean> => {
      const query = postgresNode(topo().node("us-east"))
        .query("SELECT 1", [], { timeoutMs: ms })
        .then(
          () => true,
          () => false,
        );
      const settled = await settlesWithin(query, ms);
      // Let the query finish (it gives up after its own connect timeout): nothing left in flight.
      const answered = await query;
      return settled && answered;
    };

    before(async () => {
      topology = await LocalTopology.start(shortOutageDrill("outage-modes", "pause"), { keep: true });
    });

    after(async () => {
      const workspace = topology?.workspaceDir;
      await topology?.dispose();
      if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
      // Whatever a failed test left behind would show up here.
      assert.deepEqual(
        [...seen].filter((pid) => processAlive(pid)),
        [],
      );
    });

    it("freezes the whole database and the app during a pause, so nothing answers within 1 s", async () => {
      const { database, app } = regionPids();
      // postmaster, checkpointer, background writer, walwriter, ..., the standby's walsender.
      assert.ok(database.length >= 5, `database tree ${database.join(", ")}`);
      const heal = await topo().injectRegionOutage("us-east", "pause");
      try {
        assert.deepEqual(
          treeOf(database[0]!).filter((pid) => stateOf(pid) !== "T"),
          [],
        );
        assert.equal(stateOf(app), "T");
        assert.equal(await databaseAnswersWithin(1000), false);
        assert.equal(await httpAnswers(healthUrl(), 1000), false);
      } finally {
        const started = performance.now();
        await heal();
        console.log(
          `      timing: pause heal (thaw + both answer): ${(performance.now() - started).toFixed(0)} ms`,
        );
      }
      assert.equal(await databaseAnswersWithin(1000), true);
      assert.equal(await httpAnswers(healthUrl(), 1000), true);
      const after = regionPids();
      assert.equal(after.database[0], database[0], "the same postmaster, thawed, not restarted");
      assert.deepEqual(
        [...after.database, after.app].filter((pid) => stateOf(pid) === "T"),
        [],
      );
    });

    it("keeps every process of the region running through a network outage", async () => {
      const before = regionPids();
      const heal = await topo().injectRegionOutage("us-east", "network");
      try {
        // The nemesis cuts the links; the topology leaves the processes alone, so directly they answer.
        assert.equal(await databaseAnswersWithin(2000), true);
        assert.deepEqual(
          [...before.database, before.app].filter((pid) => !processAlive(pid) || stateOf(pid) === "T"),
          [],
        );
      } finally {
        await heal();
      }
      const after = regionPids();
      assert.equal(after.database[0], before.database[0]);
      assert.equal(after.app, before.app);
    });

    it("thaws a paused region before stopping it on dispose, so the database shuts down cleanly", async () => {
      const { database, app } = regionPids();
      const logFile = postgresNode(topo().node("us-east")).logFile;
      await topo().injectRegionOutage("us-east", "pause");
      assert.equal(stateOf(database[0]!), "T");
      const started = performance.now();
      await topo().dispose();
      const took = performance.now() - started;
      console.log(`      timing: dispose with a paused region: ${took.toFixed(0)} ms`);
      assert.deepEqual(
        [...database, app].filter((pid) => processAlive(pid)),
        [],
      );
      // A fast shutdown that ran (SIGINT delivered after SIGCONT), not the SIGKILL after the grace period.
      assert.match(await readFile(logFile, "utf8"), /database system is shut down/);
    });
  });

  describe("drills with a network or a pause outage", () => {
    let out: string;
    const node = (summary: Summary, name: string): Summary["nodes"][number] => {
      const found = summary.nodes.find((n) => n.node === name);
      assert.ok(found, `final read of ${name}`);
      return found;
    };

    before(async () => {
      out = await mkdtemp(path.join(os.tmpdir(), "drill-outage-modes-"));
    });
    after(async () => {
      await rm(out, { recursive: true, force: true });
    });

    it("fails over a network outage and leaves the old primary running as a primary", async () => {
      const { summary } = await runDrill(shortOutageDrill("outage-network", "network"), { out });
      const { promotion, rto, rpo } = summary.measurements;
      console.log(
        `      figures: network outage: detection ${summary.measurements.detection.ms} ms, promotion ${promotion.ms} ms, rto max ${rto.maxMs} ms, lost ${rpo.lostWrites}/${rpo.ackedWrites}`,
      );
      assert.ok(promotion.ms !== null, "eu-west was promoted");
      assert.ok(rto.maxMs !== null, "every client was served again after the fault");
      assert.equal(rpo.survivingPrimary, "eu-west");
      assert.equal(node(summary, "eu-west").role, "primary");
      // What a network outage means: the old primary lived on, isolated, and never stepped down.
      assert.deepEqual(
        { reachable: node(summary, "us-east").reachable, role: node(summary, "us-east").role },
        { reachable: true, role: "primary" },
      );
    });

    it("fails over a paused primary region and thaws it afterwards", async () => {
      const { summary } = await runDrill(shortOutageDrill("outage-pause", "pause"), { out });
      const { promotion, rto, rpo } = summary.measurements;
      console.log(
        `      figures: pause outage: detection ${summary.measurements.detection.ms} ms, promotion ${promotion.ms} ms, rto max ${rto.maxMs} ms, lost ${rpo.lostWrites}/${rpo.ackedWrites}`,
      );
      assert.ok(promotion.ms !== null, "eu-west was promoted");
      assert.ok(rto.maxMs !== null, "every client was served again after the fault");
      assert.equal(rpo.survivingPrimary, "eu-west");
      assert.equal(node(summary, "eu-west").role, "primary");
      // Thawed by the heal before the final read: it answers again (frozen, it would not).
      assert.equal(node(summary, "us-east").reachable, true);
    });
  });
});
