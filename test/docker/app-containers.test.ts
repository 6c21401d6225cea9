// Needs a Docker engine (scripts/start-dockerd.sh) and the local images
// (scripts/build-local-images.sh, IMAGES="postgres app byo-app"). Ryuk is disabled.
import assert from "node:assert/strict";
import { startAppContainers, type AppContainer } from "../../src/platform/docker-app.ts";
import {
  startPostgresContainers,
  type DockerPostgresCluster,
} from "../../src/engines/postgres/containers.ts";
import { removeDrillResourcesNow } from "../../src/platform/docker.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { leftovers, post, query, report, statusOf, WRITES_TABLE } from "./helpers.ts";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

const BYO_APP_IMAGE = "failover-drill/byo-app:bookworm";

describe("app containers on the docker platform", function () {
  this.timeout(180_000);

  describe("the reference app and a bring-your-own app", () => {
    const drillId = `apps-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    let cluster: DockerPostgresCluster | undefined;

    before(async function () {
      skipWithoutDockerEngine(this);
      cluster = await startPostgresContainers({ regions: ["east", "west"], drillId });
      await query(cluster.node("east"), WRITES_TABLE);
    });

    after(async () => {
      await cluster?.[Symbol.asyncDispose]();
      removeDrillResourcesNow(drillId);
      if (cluster !== undefined) assert.equal(leftovers(drillId), "", "dispose removes apps too");
    });

    it("writes through the primary region's app into the primary, while the standby's app answers 503", async () => {
      const t = performance.now();
      const apps = await startAppContainers(cluster!);
      report("2 reference app containers up (healthy)", performance.now() - t);
      const [east, west] = apps as [AppContainer, AppContainer];
      assert.equal(east.region, "east");
      assert.match(east.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(east.env.DATABASE_URL, "postgres://postgres@db-east:5432/postgres");

      assert.equal(await statusOf(east.healthUrl), 200);
      assert.equal(await statusOf(west.healthUrl), 503);
      const written = await post(east.writeUrl(41));
      assert.deepEqual([written.status, written.body], [200, { id: 41, region: "east" }]);
      const rows = await query(cluster!.node("east"), "SELECT id, region FROM writes WHERE id = 41");
      assert.deepEqual(rows.rows, [{ id: "41", region: "east" }]);

      const refused = await post(west.writeUrl(42));
      assert.equal(refused.status, 503);
      assert.equal(refused.body.applied, false);
      assert.equal((await query(cluster!.node("east"), "SELECT 1 FROM writes WHERE id = 42")).rowCount, 0);
    });

    it("runs a bring-your-own app with its own port, paths and templated environment", async () => {
      const t = performance.now();
      const [app] = await startAppContainers(cluster!, {
        regions: ["east"],
        name: "orders",
        app: {
          image: BYO_APP_IMAGE,
          port: 3000,
          healthPath: "/ready",
          writePath: "/api/orders/{{id}}",
          env: { ORDERS_DB: "{{DATABASE_URL}}", LISTEN_PORT: "{{PORT}}", ORDERS_REGION: "{{REGION}}" },
        },
      });
      report("byo app container up", performance.now() - t);
      assert.ok(app !== undefined);
      assert.equal(app.alias, "orders-east");
      assert.match(app.writeUrl(7), /\/api\/orders\/7$/);
      assert.equal(await statusOf(app.healthUrl), 200);
      // The reference app's paths are not there: the image really is another app.
      assert.equal(await statusOf(`${app.baseUrl}/health`), 404);
      const written = await post(app.writeUrl(7));
      assert.equal(written.status, 201);
      const rows = await query(cluster!.node("east"), "SELECT region FROM writes WHERE id = 7");
      assert.deepEqual(rows.rows, [{ region: "east" }]);
    });

    it("templates the command too, so an app can take its settings as arguments", async () => {
      const [app] = await startAppContainers(cluster!, {
        regions: ["west"],
        name: "cmd",
        app: {
          image: BYO_APP_IMAGE,
          port: 3001,
          healthPath: "/ready",
          writePath: "/api/orders/{{id}}",
          command: [
            "sh",
            "-c",
            "ORDERS_DB={{DATABASE_URL}} LISTEN_PORT={{PORT}} ORDERS_REGION={{REGION}} exec node /byo-app/main.mjs",
          ],
        },
      });
      assert.ok(app !== undefined);
      // The standby's database is reachable (ready) but read-only.
      assert.equal(await statusOf(app.healthUrl), 200);
      assert.equal((await post(app.writeUrl(8))).status, 503);
    });
  });
});
