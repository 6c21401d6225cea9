import assert from "node:assert/strict";
import { findPostgresBinaries } from "../../src/engines/postgres/binaries.ts";
import { createPostgresNodes, type PostgresNode } from "../../src/engines/postgres/cluster.ts";
import { startReferenceApp } from "../../src/platform/app.ts";
import { freePort, regionAddress } from "../../src/platform/ports.ts";
import { ProcessSupervisor } from "../../src/platform/processes.ts";
import { Workspace } from "../../src/platform/workspace.ts";

async function post(host: string, port: number, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://${host}:${port}${path}`, { method: "POST" });
  return { status: response.status, body: await response.json() };
}

describe("the reference app with a multi-host URL", function () {
  this.timeout(60_000);
  let ws: Workspace;
  let supervisor: ProcessSupervisor;
  let primary: PostgresNode;
  let standby: PostgresNode;

  before(async () => {
    ws = await Workspace.create("reference-app-multi-host");
    supervisor = new ProcessSupervisor();
    const [h0, h1] = [regionAddress(0), regionAddress(1)];
    const [p0, p1] = [await freePort(h0), await freePort(h1)];
    [primary, standby] = (await createPostgresNodes({
      binaries: await findPostgresBinaries(),
      workspace: ws,
      supervisor,
      primary: { name: "us-east", host: h0, port: p0 },
      standbys: [{ name: "eu-west", host: h1, port: p1, upstream: { host: h0, port: p0 } }],
      settings: {},
    })) as [PostgresNode, PostgresNode];
    await Promise.all([primary.start(), standby.start()]);
    await primary.createSchema();
    await primary.waitForStandbyStreaming(["eu-west"], 10_000);
  });

  after(async () => {
    await supervisor?.[Symbol.asyncDispose]();
    await ws?.remove();
  });

  it("skips a standby listed first and writes to the primary under target_session_attrs=read-write", async () => {
    const host = regionAddress(1);
    const port = await freePort(host);
    const hosts = [standby, primary].map((n) => `${n.host}:${n.port}`).join(",");
    await startReferenceApp({
      supervisor,
      workspace: ws,
      region: "eu-west",
      host,
      port,
      databaseUrl: `postgres://postgres@${hosts}/postgres?target_session_attrs=read-write`,
    });
    assert.deepEqual(await post(host, port, "/writes/7"), {
      status: 200,
      body: { id: 7, region: "eu-west" },
    });
    assert.deepEqual(await primary.readWriteIds(), [7]);
  });

  it("moves on to the next host when the first one refuses connections", async () => {
    const host = regionAddress(2);
    const port = await freePort(host);
    const dead = `${regionAddress(3)}:${await freePort(regionAddress(3))}`;
    await startReferenceApp({
      supervisor,
      workspace: ws,
      region: "ap-south",
      host,
      port,
      databaseUrl: `postgres://postgres@${dead},${primary.host}:${primary.port}/postgres?target_session_attrs=read-write`,
    });
    assert.equal((await post(host, port, "/writes/8")).status, 200);
    assert.deepEqual(await primary.readWriteIds(), [7, 8]);
  });
});
