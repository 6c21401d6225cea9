// The database monitor against a real primary and streaming standby: samples, lag, role changes.
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { MonotonicClock } from "../../src/clock.ts";
import { findPostgresBinaries } from "../../src/engines/postgres/binaries.ts";
import { createPostgresNodes, type PostgresNode } from "../../src/engines/postgres/cluster.ts";
import { engineFor } from "../../src/engines/registry.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import {
  Events,
  Processes,
  type Op,
  type ReplicationSampleValue,
  type RoleChangeValue,
} from "../../src/history/types.ts";
import { freePort, regionAddress } from "../../src/platform/ports.ts";
import { ProcessSupervisor } from "../../src/platform/processes.ts";
import { Workspace } from "../../src/platform/workspace.ts";
import { DatabaseMonitor } from "../../src/runner/database-monitor.ts";

const samplesOf = (ops: readonly Op[]): Array<{ time: number; value: ReplicationSampleValue }> =>
  ops
    .filter((op) => op.f === Events.replicationSample)
    .map((op) => ({ time: op.time, value: op.value as ReplicationSampleValue }));

const roleChangesOf = (ops: readonly Op[]): RoleChangeValue[] =>
  ops.filter((op) => op.f === Events.roleChange).map((op) => op.value as RoleChangeValue);

/** Polls the history until `ok` holds for it. */
async function until(history: HistoryRecorder, ok: (ops: readonly Op[]) => boolean, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!ok(history.ops)) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(50);
  }
}

describe("database monitor (real PostgreSQL)", function () {
  this.timeout(90_000);
  const engine = engineFor("postgres");
  let ws: Workspace;
  let supervisor: ProcessSupervisor;
  let primary: PostgresNode;
  let standby: PostgresNode;
  let history: HistoryRecorder;
  let monitor: DatabaseMonitor | undefined;

  before(async () => {
    const binaries = await findPostgresBinaries();
    ws = await Workspace.create("db-monitor-test");
    supervisor = new ProcessSupervisor();
    const hosts = [regionAddress(0), regionAddress(1)] as const;
    const ports = await Promise.all(hosts.map((h) => freePort(h)));
    const nodes = await createPostgresNodes({
      binaries,
      workspace: ws,
      supervisor,
      primary: { name: "us-east", host: hosts[0], port: ports[0]! },
      standbys: [
        { name: "eu-west", host: hosts[1], port: ports[1]!, upstream: { host: hosts[0], port: ports[0]! } },
      ],
      settings: {},
    });
    [primary, standby] = nodes as [PostgresNode, PostgresNode];
    await primary.start();
    await standby.start();
    await primary.waitForStandbyStreaming(["eu-west"], 15_000);
    await primary.createSchema();
    history = new HistoryRecorder(new MonotonicClock());
  });

  afterEach(async () => {
    await monitor?.stop();
    monitor = undefined;
  });

  after(async () => {
    await monitor?.stop();
    await history?.close();
    await supervisor?.[Symbol.asyncDispose]();
    await ws?.remove();
  });

  it("samples the streaming standby's lag as the primary reports it", async () => {
    monitor = new DatabaseMonitor({ engine, nodes: [primary, standby], history, sampleMs: 100 });
    monitor.start();
    // Writes give PostgreSQL lag figures to report (they are NULL on an idle link).
    for (let id = 1; id <= 20; id++) {
      await primary.query("INSERT INTO writes (id, region) VALUES ($1, 'us-east')", [id]);
      await delay(20);
    }
    await until(history, (ops) => samplesOf(ops).length >= 5, 10_000);
    await monitor.stop();

    const samples = samplesOf(history.ops);
    const streaming = samples.filter((s) => s.value.standbys.some((x) => x.state === "streaming"));
    assert.ok(streaming.length >= 3, `only ${streaming.length} of ${samples.length} samples show streaming`);
    const last = streaming.at(-1)!.value;
    assert.equal(last.primary, "us-east");
    assert.equal(last.sampleMs, 100);
    assert.equal(last.primaries, undefined);
    const east = last.nodes.find((n) => n.region === "us-east");
    const west = last.nodes.find((n) => n.region === "eu-west");
    assert.equal(east?.role, "primary");
    assert.equal(west?.role, "standby");
    assert.match(east?.lsn ?? "", /^[0-9A-F]+\/[0-9A-F]+$/);
    assert.match(west?.receiveLsn ?? "", /^[0-9A-F]+\/[0-9A-F]+$/);
    const row = last.standbys[0]!;
    assert.equal(row.name, "eu-west");
    assert.equal(row.syncState, "async");
    assert.equal(typeof row.replayLagBytes, "number");
    assert.ok(row.replayLagBytes! >= 0, `replay lag ${row.replayLagBytes} bytes`);
    // A local standby replays within well under a second; some sample after the writes has a figure.
    const lags = streaming
      .flatMap((s) => s.value.standbys.map((x) => x.replayLagMs))
      .filter((x) => x !== null);
    assert.ok(lags.length > 0, "no sample carried replay_lag");
    assert.ok(
      lags.every((ms) => ms >= 0 && ms < 5000),
      `replay lags ${lags.join(", ")}`,
    );

    const changes = roleChangesOf(history.ops);
    assert.deepEqual(
      changes.map((c) => [c.region, c.from, c.to]),
      [
        ["us-east", null, "primary"],
        ["eu-west", null, "standby"],
      ],
    );
    assert.ok(
      history.ops.every((op) => op.f !== Events.replicationSample || op.process === Processes.dbMonitor),
    );
  });

  it("measures a cut-off standby's distance from its own WAL positions", async () => {
    const before = history.ops.length;
    // A closed port upstream: the WAL receiver drops its connection and the primary loses the row.
    const closedPort = await freePort(primary.host);
    await standby.setUpstream({ host: primary.host, port: closedPort });
    const deadline = performance.now() + 15_000;
    while ((await primary.replicationStreaming()).includes("eu-west")) {
      if (performance.now() > deadline) throw new Error("standby never disconnected");
      await delay(50);
    }
    await primary.query(
      "INSERT INTO writes (id, region) SELECT g, 'us-east' FROM generate_series(100, 2000) g",
    );
    monitor = new DatabaseMonitor({ engine, nodes: [primary, standby], history, sampleMs: 100 });
    monitor.start();
    await until(history, (ops) => samplesOf(ops.slice(before)).length >= 2, 10_000);
    await monitor.stop();

    const last = samplesOf(history.ops.slice(before)).at(-1)!.value;
    const west = last.standbys.find((s) => s.name === "eu-west");
    assert.equal(west?.state, "disconnected");
    assert.equal(west?.syncState, null);
    assert.equal(west?.replayLagMs, null);
    // ~1900 rows of WAL the standby never received.
    assert.ok((west?.replayLagBytes ?? 0) > 50_000, `replay distance ${west?.replayLagBytes} bytes`);
    assert.ok((west?.flushLagBytes ?? 0) > 50_000, `flush distance ${west?.flushLagBytes} bytes`);
  });

  it("records the standby's promotion as a role change and prefers the promoted primary", async () => {
    const before = history.ops.length;
    monitor = new DatabaseMonitor({ engine, nodes: [primary, standby], history, sampleMs: 100 });
    monitor.start();
    await until(history, (ops) => samplesOf(ops.slice(before)).length >= 2, 10_000);
    const promotedAt = history.clock.now();
    await standby.promote();
    await until(
      history,
      (ops) => roleChangesOf(ops.slice(before)).some((c) => c.to === "primary" && c.from === "standby"),
      10_000,
    );
    await until(
      history,
      (ops) => samplesOf(ops.slice(before)).some((s) => s.value.primaries !== undefined),
      10_000,
    );
    await monitor.stop();

    const ops = history.ops.slice(before);
    const change = ops.find(
      (op) => op.f === Events.roleChange && (op.value as RoleChangeValue).from === "standby",
    );
    assert.deepEqual(change?.value, { region: "eu-west", from: "standby", to: "primary", sampleMs: 100 });
    assert.ok(change!.time >= promotedAt, "role change recorded before the promotion began");
    // The old primary is still up and answering as primary: both are listed, the promoted one leads.
    const both = samplesOf(ops).find((s) => s.value.primaries !== undefined)!.value;
    assert.equal(both.primary, "eu-west");
    assert.deepEqual(both.primaries, ["eu-west", "us-east"]);
  });

  it("keeps sampling without throwing while a node is down", async () => {
    const before = history.ops.length;
    await primary.kill();
    monitor = new DatabaseMonitor({ engine, nodes: [primary, standby], history, sampleMs: 100 });
    monitor.start();
    await until(history, (ops) => samplesOf(ops.slice(before)).length >= 3, 10_000);
    await monitor.stop();
    const count = samplesOf(history.ops).length;
    await delay(250);
    assert.equal(samplesOf(history.ops).length, count, "the monitor kept sampling after stop()");

    const last = samplesOf(history.ops.slice(before)).at(-1)!.value;
    assert.deepEqual(
      last.nodes.find((n) => n.region === "us-east"),
      {
        region: "us-east",
        role: null,
        error: "not running",
      },
    );
    assert.equal(last.primary, "eu-west");
    // A node that is down has no role: only the first observation of the one that answers is recorded.
    assert.deepEqual(
      roleChangesOf(history.ops.slice(before)).map((c) => [c.region, c.from, c.to]),
      [["eu-west", null, "primary"]],
    );
  });
});
