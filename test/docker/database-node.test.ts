// Needs a Docker engine (scripts/start-dockerd.sh) and the local images
// (scripts/build-local-images.sh). Ryuk is disabled.
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import {
  databaseProxyName,
  proxyDatabases,
  startPostgresContainers,
  type DockerPostgresCluster,
} from "../../src/engines/postgres/containers.ts";
import { databaseNodes, type DockerDatabaseNode } from "../../src/engines/postgres/docker-node.ts";
import {
  EMBEDDED_TOXIPROXY_IMAGE,
  startToxiproxyContainer,
  type ToxiproxyContainer,
} from "../../src/platform/docker-proxy.ts";
import { removeDrillResourcesNow } from "../../src/platform/docker.ts";
import type { ProxyControl } from "../../src/toxiproxy/client.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { eventually, leftovers, report } from "./helpers.ts";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

describe("database nodes over postgres containers", function () {
  this.timeout(180_000);
  const drillId = `nodes-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  let cluster: DockerPostgresCluster | undefined;
  let toxiproxy: ToxiproxyContainer;
  let control: ProxyControl;
  let east: DockerDatabaseNode;
  let west: DockerDatabaseNode;

  before(async function () {
    skipWithoutDockerEngine(this);
    cluster = await startPostgresContainers({ regions: ["east", "west"], drillId });
    [east, west] = databaseNodes(cluster) as [DockerDatabaseNode, DockerDatabaseNode];
    toxiproxy = await startToxiproxyContainer(cluster, { image: EMBEDDED_TOXIPROXY_IMAGE });
    control = toxiproxy.control();
    await proxyDatabases(cluster, toxiproxy, control);
    await east.createSchema();
  });

  after(async () => {
    await cluster?.[Symbol.asyncDispose]();
    removeDrillResourcesNow(drillId);
    if (cluster !== undefined) assert.equal(leftovers(drillId), "");
  });

  it("reports roles and streaming standbys like a process node", async () => {
    assert.deepEqual([east.name, west.name], ["east", "west"]);
    assert.equal(await east.isInRecovery(), false);
    assert.equal(await west.isInRecovery(), true);
    assert.deepEqual(await east.replicationStreaming(), ["west"]);
    assert.match(await east.walPosition(), /^[0-9A-F]+\/[0-9A-F]+$/);
    const positions = await west.recoveryPositions();
    assert.equal(positions.inRecovery, true);
  });

  it("moves the standby's replication behind the proxy, where disabling the proxy stops it", async () => {
    await west.setUpstream(toxiproxy.endpoint(20_000));
    const proxyIp = toxiproxy.container.getIpAddress(cluster!.networkName);
    let t = performance.now();
    await eventually(
      () =>
        east.query<{ addr: string }>(
          "SELECT host(client_addr) AS addr FROM pg_stat_replication WHERE state = 'streaming'",
        ),
      (rows) => rows.length === 1 && rows[0]?.addr === proxyIp,
      30_000,
    );
    report("standby re-streaming through the proxy", performance.now() - t);

    await control.disable(databaseProxyName("east"), "test");
    await eventually(
      () => east.replicationStreaming(),
      (names) => names.length === 0,
      30_000,
    );
    await east.query("INSERT INTO writes (id, region) VALUES (1, 'east')");
    await delay(1000);
    assert.deepEqual(await west.readWriteIds(), [], "nothing streams while the link is down");

    t = performance.now();
    await control.enable(databaseProxyName("east"), "test");
    await eventually(
      () => west.readWriteIds(),
      (ids) => ids.includes(1),
      30_000,
    );
    report("standby caught up after the proxy came back", performance.now() - t);
  });

  it("kills and restarts the primary, whose acknowledged rows survive crash recovery", async () => {
    await east.query("INSERT INTO writes (id, region) VALUES (2, 'east')");
    await east.kill();
    assert.equal(east.running, false);
    await assert.rejects(east.query("SELECT 1"));
    const t = performance.now();
    await east.start();
    report("primary container start after kill, until ready", performance.now() - t);
    assert.equal(east.running, true);
    assert.deepEqual(await east.readWriteIds(), [1, 2]);
  });

  it("stops the standby, refuses to start a running node, and promotes the standby", async () => {
    await west.stop();
    assert.equal(west.running, false);
    await west.start();
    await assert.rejects(west.start(), { name: "DockerPlatformError" });
    await west.promote();
    assert.equal(await west.isInRecovery(), false);
    assert.equal(west.postgres.role, "primary");
    await west.query("INSERT INTO writes (id, region) VALUES (3, 'west')");
    assert.deepEqual(await west.readWriteIds(), [1, 2, 3]);
  });
});
