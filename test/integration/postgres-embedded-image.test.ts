// Needs a Docker engine (scripts/start-dockerd.sh) and failover-drill/postgres:embedded
// (scripts/build-local-images.sh); skips like the docker tests without an engine. Ryuk is disabled:
// the cluster's own disposer must clean up.
import assert from "node:assert/strict";
import { LOCAL_POSTGRES_IMAGE, type DockerPostgresCluster } from "../../src/engines/postgres/containers.ts";
import { EMBEDDED_POSTGRES_IMAGE, startPrimaryContainers } from "../../src/engines/postgres/primaries.ts";
import { removeDrillResourcesNow } from "../../src/platform/docker.ts";
import { skipWithoutDockerEngine } from "../docker/engine.ts";
import { eventually, leftovers, query, report } from "../docker/helpers.ts";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

const drillIds: string[] = [];

function uniqueDrillId(): string {
  const id = `test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  drillIds.push(id);
  return id;
}

/** How many times each id is in a region's items table, e.g. { e1: 1, w1: 1 }. */
async function idCounts(cluster: DockerPostgresCluster, region: string): Promise<Record<string, number>> {
  const result = await query(
    cluster.node(region),
    "SELECT id, count(*)::int AS n FROM items GROUP BY id ORDER BY id",
  );
  return Object.fromEntries(result.rows.map((r: { id: string; n: number }) => [r.id, r.n]));
}

describe("the embedded PostgreSQL image on the docker platform", function () {
  this.timeout(120_000);
  let cluster: DockerPostgresCluster | undefined;

  before(function () {
    skipWithoutDockerEngine(this);
  });

  afterEach(async () => {
    await cluster?.[Symbol.asyncDispose]();
    cluster = undefined;
    for (const id of drillIds.splice(0)) removeDrillResourcesNow(id);
  });

  it("replicates a row inserted on each of two primaries to the other exactly once, both ways", async () => {
    const drillId = uniqueDrillId();
    let t = performance.now();
    cluster = await startPrimaryContainers({ regions: ["east", "west"], drillId });
    report(`two primaries from ${EMBEDDED_POSTGRES_IMAGE} up`, performance.now() - t);
    for (const node of cluster.nodes) {
      assert.equal(node.role, "primary");
      const settings = await query(
        node,
        "SELECT current_setting('server_version_num')::int AS version, current_setting('wal_level') AS wal, " +
          "current_setting('track_commit_timestamp') AS ts, pg_is_in_recovery() AS recovery",
      );
      assert.deepEqual(settings.rows[0], {
        version: settings.rows[0].version,
        wal: "logical",
        ts: "on",
        recovery: false,
      });
      assert.ok(settings.rows[0].version >= 170000, `server_version_num ${settings.rows[0].version}`);
    }

    t = performance.now();
    // No primary key: were changes sent back to where they came from, rows would multiply.
    for (const region of ["east", "west"]) {
      await query(cluster.node(region), "CREATE TABLE items (id text NOT NULL, origin text NOT NULL)");
      await query(cluster.node(region), `CREATE PUBLICATION items_${region} FOR TABLE items`);
    }
    for (const [region, peer] of [
      ["east", "west"],
      ["west", "east"],
    ] as const) {
      // Over the drill network, by the peer's alias.
      await query(
        cluster.node(region),
        `CREATE SUBSCRIPTION ${region}_from_${peer} ` +
          `CONNECTION 'host=${cluster.node(peer).alias} port=5432 user=postgres dbname=postgres' ` +
          `PUBLICATION items_${peer} WITH (origin = none, copy_data = false)`,
      );
    }
    report("publications and subscriptions created", performance.now() - t);

    t = performance.now();
    await query(cluster.node("east"), "INSERT INTO items VALUES ('e1', 'east')");
    await query(cluster.node("west"), "INSERT INTO items VALUES ('w1', 'west')");
    for (const region of ["east", "west"]) {
      await eventually(
        () => idCounts(cluster!, region),
        (counts) => counts.e1 !== undefined && counts.w1 !== undefined,
        30_000,
      );
    }
    report("each row on the other primary", performance.now() - t);
    // A change is applied in its publisher's commit order: once a row inserted on west after e1
    // reached west reaches east, any echo of e1 from west would have reached east before it (and the
    // same the other way).
    await query(cluster.node("west"), "INSERT INTO items VALUES ('w-after', 'west')");
    await query(cluster.node("east"), "INSERT INTO items VALUES ('e-after', 'east')");
    for (const region of ["east", "west"]) {
      await eventually(
        () => idCounts(cluster!, region),
        (counts) => counts["w-after"] !== undefined && counts["e-after"] !== undefined,
        30_000,
      );
    }
    for (const region of ["east", "west"]) {
      assert.deepEqual(await idCounts(cluster, region), { "e-after": 1, e1: 1, "w-after": 1, w1: 1 }, region);
      const origins = await query(cluster.node(region), "SELECT id, origin FROM items ORDER BY id");
      assert.deepEqual(
        origins.rows.map((r: { id: string; origin: string }) => `${r.id}:${r.origin}`),
        ["e-after:east", "e1:east", "w-after:west", "w1:west"],
      );
      const stats = await query(
        cluster.node(region),
        "SELECT subname, apply_error_count::int AS errors FROM pg_stat_subscription_stats",
      );
      assert.deepEqual(stats.rows, [
        { subname: `${region}_from_${region === "east" ? "west" : "east"}`, errors: 0 },
      ]);
    }

    t = performance.now();
    await cluster[Symbol.asyncDispose]();
    cluster = undefined;
    report("dispose (remove 2 containers + network)", performance.now() - t);
    assert.equal(leftovers(drillId), "");
  });

  it("refuses an image whose PostgreSQL is older than 16, naming it, and leaves nothing behind", async () => {
    const drillId = uniqueDrillId();
    await assert.rejects(
      startPrimaryContainers({ regions: ["solo"], drillId, image: LOCAL_POSTGRES_IMAGE }),
      {
        name: "DockerPlatformError",
        message: new RegExp(
          `PostgreSQL\\) 15\\..*${LOCAL_POSTGRES_IMAGE}.*PostgreSQL 16\\+ \\(origin = none\\)`,
        ),
      },
    );
    assert.equal(leftovers(drillId), "");
  });
});
