import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { readFile } from "node:fs/promises";
import { findPostgresBinaries } from "../../src/engines/postgres/binaries.ts";
import { createPostgresNodes, type PostgresNode } from "../../src/engines/postgres/cluster.ts";
import { startReferenceApp, startRegionApp } from "../../src/platform/app.ts";
import { freePort, regionAddress } from "../../src/platform/ports.ts";
import { ProcessSupervisor, type ManagedProcess } from "../../src/platform/processes.ts";
import { Workspace } from "../../src/platform/workspace.ts";

interface Response {
  status: number;
  body: Record<string, unknown>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function request(method: string, host: string, port: number, path: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ method, host, port, path, agent, timeout: 10_000 }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (data += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as Response["body"] }),
      );
    });
    req.once("timeout", () => req.destroy(new Error("request timed out")));
    req.once("error", reject);
    req.end();
  });
}

const dbUrl = (node: { host: string; port: number }): string =>
  `postgres://postgres@${node.host}:${node.port}/postgres`;

/** A database address that accepts TCP connections and then never says anything: a hung server. */
async function startBlackhole(host: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("reference app", function () {
  this.timeout(60_000);
  let ws: Workspace;
  let supervisor: ProcessSupervisor;
  let primary: PostgresNode;
  let standby: PostgresNode;
  const apps = new Map<string, { app: ManagedProcess; host: string; port: number }>();

  async function start(region: string, host: string, databaseUrl: string): Promise<void> {
    const port = await freePort(host);
    const started = performance.now();
    const app = await startReferenceApp({ supervisor, workspace: ws, region, host, port, databaseUrl });
    console.log(
      `      timing: reference app ${region} ready: ${(performance.now() - started).toFixed(0)} ms`,
    );
    apps.set(region, { app, host, port });
  }

  function call(region: string, method: string, path: string): Promise<Response> {
    const target = apps.get(region);
    if (target === undefined) throw new Error(`no app for ${region}`);
    return request(method, target.host, target.port, path);
  }

  before(async () => {
    ws = await Workspace.create("reference-app");
    supervisor = new ProcessSupervisor();
    const binaries = await findPostgresBinaries();
    const [h0, h1] = [regionAddress(0), regionAddress(1)];
    const [p0, p1] = [await freePort(h0), await freePort(h1)];
    const nodes = await createPostgresNodes({
      binaries,
      workspace: ws,
      supervisor,
      primary: { name: "us-east", host: h0, port: p0 },
      standbys: [{ name: "eu-west", host: h1, port: p1, upstream: { host: h0, port: p0 } }],
      settings: {},
    });
    [primary, standby] = nodes as [PostgresNode, PostgresNode];
    await Promise.all(nodes.map((n) => n.start()));
    await primary.createSchema();
    await primary.waitForStandbyStreaming(["eu-west"], 10_000);
    await Promise.all([start("us-east", h0, dbUrl(primary)), start("eu-west", h1, dbUrl(standby))]);
  });

  after(async () => {
    agent.destroy();
    await supervisor?.[Symbol.asyncDispose]();
    await ws?.remove();
  });

  it("gets the drill's app.env, templated for its region, when the drill brings no command", async () => {
    const host = regionAddress(2);
    const app = await startRegionApp({
      supervisor,
      workspace: ws,
      region: "ap-south",
      host,
      port: await freePort(host),
      database: { host: regionAddress(0), port: 1, url: dbUrl({ host: regionAddress(0), port: 1 }) },
      app: { workingDir: process.cwd(), healthPath: "/health", env: { DRILL_MARK: "{{REGION}}@{{HOST}}" } },
    });
    try {
      const environ = (await readFile(`/proc/${app.pid}/environ`, "utf8")).split("\0");
      assert.ok(
        environ.includes(`DRILL_MARK=ap-south@${host}`),
        environ.filter((e) => e.startsWith("DRILL")).join(),
      );
      assert.ok(environ.includes("REGION=ap-south"));
    } finally {
      await app.stop();
    }
  });

  it("acknowledges a write on the primary and stores the row", async () => {
    const response = await call("us-east", "POST", "/writes/1");
    assert.deepEqual(response, { status: 200, body: { id: 1, region: "us-east" } });
    assert.deepEqual(await primary.readWriteIds(), [1]);
  });

  it("answers a repeated id as an idempotent retry that was applied", async () => {
    const response = await call("us-east", "POST", "/writes/1");
    assert.deepEqual(response, { status: 200, body: { id: 1, region: "us-east", duplicate: true } });
  });

  it("rejects a malformed id without touching the database", async () => {
    const response = await call("us-east", "POST", "/writes/abc");
    assert.equal(response.status, 400);
    assert.equal(response.body.applied, false);
  });

  it("reports a write on a standby database as definitely not applied", async () => {
    const response = await call("eu-west", "POST", "/writes/2");
    assert.equal(response.status, 503);
    assert.equal(response.body.applied, false);
    assert.match(String(response.body.error), /standby/);
  });

  it("reports the database role in its health check", async () => {
    assert.deepEqual(await call("us-east", "GET", "/health"), {
      status: 200,
      body: { region: "us-east", role: "primary" },
    });
    assert.deepEqual(await call("eu-west", "GET", "/health"), {
      status: 503,
      body: { region: "eu-west", role: "standby" },
    });
  });

  it("handles hundreds of writes per second", async () => {
    const total = 600;
    let next = 100;
    const statuses: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 100 + total) {
          statuses.push((await call("us-east", "POST", `/writes/${next++}`)).status);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`      throughput: ${(total / seconds).toFixed(0)} writes/s (16 concurrent clients)`);
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.ok(total / seconds > 200, `only ${(total / seconds).toFixed(0)} writes/s`);
    assert.equal((await primary.readWriteIds()).length, 1 + total);
  });

  it("reports a connection lost after the INSERT was sent as unknown", async () => {
    // Hold a lock so the app's INSERT waits inside the server, then cut that backend's connection.
    const { default: pg } = await import("pg");
    const locker = new pg.Client({ host: primary.host, port: primary.port, user: "postgres" });
    await locker.connect();
    try {
      await locker.query("BEGIN; LOCK TABLE writes IN ACCESS EXCLUSIVE MODE");
      const pending = call("us-east", "POST", "/writes/5000");
      let terminated = 0;
      for (let i = 0; i < 100 && terminated === 0; i++) {
        const result = await locker.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'app-us-east' AND wait_event_type = 'Lock'`,
        );
        terminated = result.rowCount ?? 0;
        if (terminated === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(terminated, 1);
      const response = await pending;
      assert.equal(response.status, 500);
      assert.equal(response.body.applied, null);
    } finally {
      await locker.query("ROLLBACK").catch(() => {});
      await locker.end();
    }
    // The broken client was discarded: the next write works.
    assert.equal((await call("us-east", "POST", "/writes/5001")).status, 200);
  });

  it("answers its health check while every write connection waits behind a lock", async () => {
    const { default: pg } = await import("pg");
    const locker = new pg.Client({ host: primary.host, port: primary.port, user: "postgres" });
    await locker.connect();
    let pending: Array<Promise<{ status: number }>> | undefined;
    try {
      await locker.query("BEGIN; LOCK TABLE writes IN ACCESS EXCLUSIVE MODE");
      // More writes than the app's write pool holds: every write connection blocks, the rest queue.
      pending = Array.from({ length: 24 }, (_, i) => call("us-east", "POST", `/writes/${7000 + i}`));
      let waiting = 0;
      for (let i = 0; i < 100 && waiting < 16; i++) {
        // Inside a transaction pg_stat_activity is a snapshot taken at first read: clear it each time.
        await locker.query("SELECT pg_stat_clear_snapshot()");
        const result = await locker.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE application_name = 'app-us-east' AND wait_event_type = 'Lock'`,
        );
        waiting = Number(result.rows[0]?.n ?? 0);
        if (waiting < 16) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(waiting, 16, "every write connection should be blocked");
      const health = await call("us-east", "GET", "/health");
      assert.deepEqual(health, { status: 200, body: { region: "us-east", role: "primary" } });
    } finally {
      await locker.query("ROLLBACK").catch(() => {});
      await locker.end();
    }
    assert.deepEqual(new Set((await Promise.all(pending ?? [])).map((r) => r.status)), new Set([200]));
  });

  it("answers its health check quickly and refuses writes while the database hangs", async () => {
    const blackhole = await startBlackhole(regionAddress(2));
    try {
      await start(
        "hung",
        regionAddress(2),
        `postgres://postgres@${regionAddress(2)}:${blackhole.port}/postgres`,
      );
      let started = performance.now();
      const health = await call("hung", "GET", "/health");
      const healthMs = performance.now() - started;
      assert.equal(health.status, 503);
      assert.equal(health.body.role, "unknown");
      assert.ok(healthMs < 1500, `health took ${healthMs.toFixed(0)} ms`);

      started = performance.now();
      const write = await call("hung", "POST", "/writes/6000");
      assert.equal(write.status, 503);
      assert.equal(write.body.applied, false);
      assert.ok(performance.now() - started < 1500);
    } finally {
      await apps.get("hung")?.app.stop();
      await blackhole.close();
    }
  });

  it("reports a killed database as down, and recovers when it is back", async () => {
    await standby.kill();
    const started = performance.now();
    const health = await call("eu-west", "GET", "/health");
    assert.ok(performance.now() - started < 1500);
    assert.equal(health.status, 503);
    assert.equal(health.body.role, "unknown");
    const write = await call("eu-west", "POST", "/writes/7000");
    assert.equal(write.status, 503);
    assert.equal(write.body.applied, false);

    await standby.start();
    assert.deepEqual(await call("eu-west", "GET", "/health"), {
      status: 503,
      body: { region: "eu-west", role: "standby" },
    });
  });

  it("writes through a promoted database once it is a primary", async () => {
    await standby.promote();
    assert.equal((await call("eu-west", "GET", "/health")).status, 200);
    assert.deepEqual(await call("eu-west", "POST", "/writes/8000"), {
      status: 200,
      body: { id: 8000, region: "eu-west" },
    });
  });

  it("exits cleanly on SIGTERM", async () => {
    const { app } = apps.get("us-east")!;
    await app.stop(5000, "SIGTERM");
    assert.deepEqual(await app.exited, { code: 0, signal: null });
    assert.match(await readFile(ws.path("us-east", "app.log"), "utf8"), /SIGTERM: shutting down/);
  });
});
