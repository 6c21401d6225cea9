// Needs a Docker engine (scripts/start-dockerd.sh) and the local image
// (scripts/build-local-images.sh). Faults hit the standby so that one cluster serves every mode.
import assert from "node:assert/strict";
import pg from "pg";
import {
  injectContainerOutage,
  startPostgresContainers,
  type DockerPostgresCluster,
  type PostgresContainer,
} from "../../src/engines/postgres/containers.ts";
import type { ContainerOutageMode } from "../../src/platform/docker-faults.ts";
import { removeDrillResourcesNow } from "../../src/platform/docker.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { docker, eventually, leftovers, report } from "./helpers.ts";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

async function query(node: PostgresContainer, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({
    connectionString: await node.hostUrl(),
    connectionTimeoutMillis: 1500,
    query_timeout: 1500,
  });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether the primary container can reach the standby by its alias on the drill network. */
async function primarySeesStandby(primary: PostgresContainer, standby: PostgresContainer): Promise<boolean> {
  const result = await primary.container.exec(["pg_isready", "-q", "-h", standby.alias, "-t", "2"], {
    user: "postgres",
  });
  return result.exitCode === 0;
}

describe("region outages on postgres containers", function () {
  this.timeout(180_000);
  const drillId = `faults-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  let cluster: DockerPostgresCluster;
  let primary: PostgresContainer;
  let standby: PostgresContainer;
  let nextId = 1;

  before(async function () {
    skipWithoutDockerEngine(this);
    cluster = await startPostgresContainers({ regions: ["east", "west"], drillId });
    primary = cluster.node("east");
    standby = cluster.node("west");
    await query(primary, "CREATE TABLE drill_rows (id int PRIMARY KEY, mode text)");
  });

  after(async () => {
    await cluster?.[Symbol.asyncDispose]();
    removeDrillResourcesNow(drillId);
  });

  /** Writes a row on the primary while the standby is out, heals, and expects the row to arrive. */
  async function outageThenCatchUp(mode: ContainerOutageMode, whileOut: () => Promise<void>): Promise<void> {
    let t = performance.now();
    const outage = await injectContainerOutage(cluster, "west", mode);
    report(`${mode}: inject`, performance.now() - t);
    try {
      await whileOut();
      const id = nextId++;
      await query(primary, "INSERT INTO drill_rows VALUES ($1, $2)", [id, mode]);
      t = performance.now();
      await outage.heal();
      report(`${mode}: heal until ready`, performance.now() - t);
      assert.equal(outage.healed, true);
      t = performance.now();
      await eventually(
        async () => (await query(standby, "SELECT 1 FROM drill_rows WHERE id = $1", [id])).rowCount === 1,
        (caughtUp) => caughtUp,
        30_000,
      );
      report(`${mode}: row caught up on standby`, performance.now() - t);
    } finally {
      await outage.heal();
    }
  }

  it("kills the standby's server outright and brings it back through crash recovery", async () => {
    await outageThenCatchUp("kill", async () => {
      const state = await standby.container.exec(["true"]).catch((error: Error) => error);
      assert.ok(state instanceof Error, "exec into a killed container must fail");
      const inspect = JSON.parse(docker("inspect", "--format", "{{json .State}}", standby.id));
      assert.equal(inspect.Running, false);
      assert.equal(inspect.ExitCode, 137);
    });
  });

  it("stops the standby with a fast shutdown that exits cleanly and restarts it", async () => {
    await outageThenCatchUp("stop", async () => {
      const inspect = JSON.parse(docker("inspect", "--format", "{{json .State}}", standby.id));
      assert.equal(inspect.Running, false);
      assert.equal(inspect.ExitCode, 0);
    });
  });

  it("freezes the standby so that connections stall, and thaws it", async () => {
    await outageThenCatchUp("pause", async () => {
      const inspect = JSON.parse(docker("inspect", "--format", "{{json .State}}", standby.id));
      assert.equal(inspect.Paused, true);
      const t = performance.now();
      await assert.rejects(query(standby, "SELECT 1"));
      assert.ok(performance.now() - t >= 1000, "a frozen server stalls rather than refusing");
    });
  });

  it("cuts the standby off the drill network and reconnects it under its alias", async () => {
    assert.equal(await primarySeesStandby(primary, standby), true);
    await outageThenCatchUp("network", async () => {
      assert.equal(await primarySeesStandby(primary, standby), false);
      await assert.rejects(standby.hostPort(), { name: "DockerPlatformError" });
    });
    assert.equal(await primarySeesStandby(primary, standby), true);
  });

  it("kills the primary, after which the promoted standby takes writes", async () => {
    const outage = await injectContainerOutage(cluster, "east", "kill");
    try {
      await assert.rejects(query(primary, "SELECT 1"));
      const t = performance.now();
      await standby.promote();
      report("promote after primary kill", performance.now() - t);
      await query(standby, "INSERT INTO drill_rows VALUES ($1, 'after failover')", [nextId++]);
      const recovery = await query(standby, "SELECT pg_is_in_recovery() AS r");
      assert.equal(recovery.rows[0].r, false);
    } finally {
      await outage.heal();
    }
    // The old primary comes back as a primary of its own: telling split brain apart is the drill's job.
    const oldPrimary = await query(primary, "SELECT pg_is_in_recovery() AS r");
    assert.equal(oldPrimary.rows[0].r, false);
  });

  it("removes a paused container and its network on dispose", async () => {
    const pausedDrill = `${drillId}-paused`;
    const single = await startPostgresContainers({ regions: ["solo"], drillId: pausedDrill });
    try {
      await injectContainerOutage(single, "solo", "pause");
      await single[Symbol.asyncDispose]();
      assert.equal(leftovers(pausedDrill), "");
    } finally {
      removeDrillResourcesNow(pausedDrill);
    }
  });
});
