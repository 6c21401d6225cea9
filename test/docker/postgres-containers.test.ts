// Needs a Docker engine (scripts/start-dockerd.sh) and the local image
// (scripts/build-local-images.sh). Ryuk is disabled: the cluster's own disposer must clean up.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  startPostgresContainers,
  type DockerPostgresCluster,
} from "../../src/engines/postgres/containers.ts";
import { DRILL_LABEL, removeDrillResourcesNow } from "../../src/platform/docker.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { docker, eventually, query, report } from "./helpers.ts";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

/** Everything docker still has for a drill: container and network ids. */
function leftovers(drillId: string): { containers: string; networks: string } {
  const filter = `label=${DRILL_LABEL}=${drillId}`;
  return {
    containers: docker("ps", "-aq", "--filter", filter),
    networks: docker("network", "ls", "-q", "--filter", filter),
  };
}

/** Every drill id a test used, so afterEach can clean up after a test that failed half-way. */
const drillIds: string[] = [];

function uniqueDrillId(): string {
  const id = `test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  drillIds.push(id);
  return id;
}

describe("postgres containers on the docker platform", function () {
  this.timeout(180_000);
  let cluster: DockerPostgresCluster | undefined;

  before(function () {
    skipWithoutDockerEngine(this);
  });

  afterEach(async () => {
    await cluster?.[Symbol.asyncDispose]();
    cluster = undefined;
    for (const id of drillIds.splice(0)) removeDrillResourcesNow(id);
  });

  it("streams a row from the primary to the standby, promotes the standby and leaves nothing behind", async () => {
    const drillId = uniqueDrillId();
    let t = performance.now();
    cluster = await startPostgresContainers({ regions: ["east", "west"], drillId });
    report("primary + standby containers up", performance.now() - t);
    const [primary, standby] = [cluster.node("east"), cluster.node("west")];
    assert.equal(primary.role, "primary");
    assert.equal(standby.role, "standby");
    // Published on loopback only, never on every interface.
    assert.match(docker("port", primary.id, "5432/tcp"), /^127\.0\.0\.1:\d+$/);

    await query(primary, "CREATE TABLE drill_rows (id int PRIMARY KEY, note text)");
    await query(primary, "INSERT INTO drill_rows VALUES (1, 'from east')");
    t = performance.now();
    const streamed = await eventually(
      () => query(standby, "SELECT note FROM drill_rows WHERE id = 1"),
      (r) => r.rowCount === 1,
      30_000,
    );
    report("row visible on standby", performance.now() - t);
    assert.equal(streamed.rows[0].note, "from east");
    const replicas = await query(primary, "SELECT application_name, state FROM pg_stat_replication");
    assert.deepEqual(replicas.rows, [{ application_name: "west", state: "streaming" }]);
    await assert.rejects(query(standby, "INSERT INTO drill_rows VALUES (2, 'too early')"), { code: "25006" });

    t = performance.now();
    await standby.promote();
    report("pg_ctl promote -w", performance.now() - t);
    assert.equal(standby.role, "primary");
    const recovery = await query(standby, "SELECT pg_is_in_recovery() AS r");
    assert.equal(recovery.rows[0].r, false);
    await query(standby, "INSERT INTO drill_rows VALUES (2, 'from west')");
    const rows = await query(standby, "SELECT id FROM drill_rows ORDER BY id");
    assert.deepEqual(
      rows.rows.map((r) => r.id),
      [1, 2],
    );

    assert.notDeepEqual(leftovers(drillId), { containers: "", networks: "" });
    t = performance.now();
    await cluster[Symbol.asyncDispose]();
    report("dispose (remove 2 containers + network)", performance.now() - t);
    assert.deepEqual(leftovers(drillId), { containers: "", networks: "" });
    assert.doesNotMatch(docker("ps", "-a", "--format", "{{.Names}}"), new RegExp(drillId));
    assert.doesNotMatch(docker("network", "ls", "--format", "{{.Name}}"), new RegExp(drillId));
  });

  it("removes the network and the containers it started when a server fails to start", async () => {
    const drillId = uniqueDrillId();
    await assert.rejects(
      startPostgresContainers({
        regions: ["east", "west"],
        drillId,
        settings: { shared_buffers: "not-a-size" },
        startupTimeoutMs: 15_000,
      }),
    );
    assert.deepEqual(leftovers(drillId), { containers: "", networks: "" });
  });

  it("refuses a drill id that docker cannot use in names", async () => {
    await assert.rejects(startPostgresContainers({ regions: ["east"], drillId: "drill/1" }), {
      name: "DockerPlatformError",
    });
  });

  it("names the build script when the image is missing and cannot be pulled", async () => {
    const drillId = uniqueDrillId();
    await assert.rejects(
      startPostgresContainers({ regions: ["east"], drillId, image: "failover-drill/no-such-image:none" }),
      (error: Error) => {
        assert.equal(error.name, "DockerPlatformError");
        assert.match(error.message, /scripts\/build-local-images\.sh/);
        return true;
      },
    );
    assert.deepEqual(leftovers(drillId), { containers: "", networks: "" });
  });

  it("removes the drill's containers and network when the process exits without disposing", async () => {
    const drillId = uniqueDrillId();
    const script = `
      import { startPostgresContainers } from "./src/engines/postgres/containers.ts";
      await startPostgresContainers({ regions: ["east"], drillId: ${JSON.stringify(drillId)} });
      console.log("started");
      process.exit(0);
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: "true" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0);
    assert.match(output, /started/);
    assert.deepEqual(leftovers(drillId), { containers: "", networks: "" });
  });
});
