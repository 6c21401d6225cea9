// Needs a Docker engine (scripts/start-dockerd.sh) and the local images
// (IMAGES="postgres app toxiproxy" scripts/build-local-images.sh). Ryuk is disabled.
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { startAppContainers, type AppContainer } from "../../src/platform/docker-app.ts";
import { ImageName } from "testcontainers";
import {
  databaseProxyName,
  proxyDatabases,
  startPostgresContainers,
  type DockerPostgresCluster,
} from "../../src/engines/postgres/containers.ts";
import {
  EMBEDDED_TOXIPROXY_IMAGE,
  OFFICIAL_TOXIPROXY_IMAGE,
  resolveToxiproxyImage,
  startToxiproxyContainer,
  type ToxiproxyContainer,
} from "../../src/platform/docker-proxy.ts";
import { removeDrillResourcesNow } from "../../src/platform/docker.ts";
import type { ProxyControl } from "../../src/toxiproxy/client.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { leftovers, post, query, report, statusOf, WRITES_TABLE } from "./helpers.ts";

process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

/** Polls until the URL answers `status`; returns how long that took. */
async function untilStatus(url: string, status: number, timeoutMs: number): Promise<number> {
  const t = performance.now();
  let last: number | string = "no answer";
  while (performance.now() - t < timeoutMs) {
    last = await statusOf(url).catch((error: Error) => error.message);
    if (last === status) return performance.now() - t;
    await delay(100);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

describe("toxiproxy container on the drill network", function () {
  this.timeout(180_000);
  const drillId = `proxy-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  let cluster: DockerPostgresCluster | undefined;
  let toxiproxy: ToxiproxyContainer;
  let control: ProxyControl;
  let app: AppContainer;

  before(async function () {
    skipWithoutDockerEngine(this);
    cluster = await startPostgresContainers({ regions: ["east", "west"], drillId });
    await query(cluster.node("east"), WRITES_TABLE);
    const t = performance.now();
    toxiproxy = await startToxiproxyContainer(cluster, { image: EMBEDDED_TOXIPROXY_IMAGE });
    report("embedded toxiproxy container up", performance.now() - t);
    control = toxiproxy.control();
    const endpoints = await proxyDatabases(cluster, toxiproxy, control);
    [app] = (await startAppContainers(cluster, {
      regions: ["east"],
      database: (region) => endpoints.get(region)!,
    })) as [AppContainer];
  });

  after(async () => {
    await cluster?.[Symbol.asyncDispose]();
    removeDrillResourcesNow(drillId);
    if (cluster !== undefined)
      assert.equal(leftovers(drillId), "", "dispose removes the proxy container too");
  });

  it("serves the Toxiproxy API on loopback with a proxy per region listening inside the network", async () => {
    assert.match(toxiproxy.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    const proxies = await control.list();
    assert.deepEqual(
      proxies.map((p) => [p.name, p.listen, p.upstream, p.enabled]),
      [
        ["db-east", "0.0.0.0:20000", "db-east:5432", true],
        ["db-west", "0.0.0.0:20001", "db-west:5432", true],
      ],
    );
    assert.equal(app.env.DATABASE_URL, "postgres://postgres@toxiproxy:20000/postgres");
  });

  it("takes the app's database away when the proxy is disabled and gives it back when enabled", async () => {
    await untilStatus(app.healthUrl, 200, 10_000);
    assert.equal((await post(app.writeUrl(1))).status, 200);

    await control.disable(databaseProxyName("east"), "test");
    report("health 503 after disable", await untilStatus(app.healthUrl, 503, 15_000));
    const refused = await post(app.writeUrl(2));
    assert.equal(refused.status, 503);
    assert.equal(refused.body.applied, false);

    await control.enable(databaseProxyName("east"), "test");
    report("health 200 after enable", await untilStatus(app.healthUrl, 200, 15_000));
    assert.equal((await post(app.writeUrl(3))).status, 200);
    const rows = await query(cluster!.node("east"), "SELECT id FROM writes ORDER BY id");
    assert.deepEqual(
      rows.rows.map((r) => Number(r.id)),
      [1, 3],
    );
  });

  it("picks a local image by default and never one that would have to be pulled when ours is here", async () => {
    const official = await cluster!.runtime.image.exists(ImageName.fromString(OFFICIAL_TOXIPROXY_IMAGE));
    assert.equal(
      await resolveToxiproxyImage(cluster!),
      official ? OFFICIAL_TOXIPROXY_IMAGE : EMBEDDED_TOXIPROXY_IMAGE,
    );
    assert.equal(await resolveToxiproxyImage(cluster!, "my/toxiproxy:1"), "my/toxiproxy:1");
  });

  it("names the build script when the toxiproxy image is missing and cannot be pulled", async () => {
    await assert.rejects(
      startToxiproxyContainer(cluster!, {
        image: "failover-drill/no-such-toxiproxy:none",
        alias: "toxiproxy-2",
      }),
      { name: "DockerPlatformError", message: /scripts\/build-local-images\.sh/ },
    );
  });
});
