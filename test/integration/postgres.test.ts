import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import {
  findPostgresBinaries,
  parsePostgresVersion,
  type PostgresBinaries,
} from "../../src/engines/postgres/binaries.ts";
import { createPostgresNodes, type PostgresNode } from "../../src/engines/postgres/cluster.ts";
import { conninfo, nodeConfig, quoteConfValue } from "../../src/engines/postgres/config.ts";
import { preparePristineDataDirs, templatePath } from "../../src/engines/postgres/template.ts";
import { freePort, regionAddress } from "../../src/platform/ports.ts";
import {
  ProcessSupervisor,
  processAlive,
  processDescendants,
  processGroupAlive,
} from "../../src/platform/processes.ts";
import { unprivilegedUser } from "../../src/platform/user.ts";
import { Workspace } from "../../src/platform/workspace.ts";
import { uidOf } from "./helpers.ts";

const isRoot = process.getuid?.() === 0;

function report(what: string, ms: number): void {
  console.log(`      timing: ${what}: ${ms.toFixed(0)} ms`);
}

async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let value = await probe();
  while (!ok(value)) {
    if (performance.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${String(value)}`);
    await delay(50);
    value = await probe();
  }
  return value;
}

describe("postgres configuration", () => {
  it("quotes configuration values and refuses multi-line ones", () => {
    assert.equal(quoteConfValue("it's"), "'it''s'");
    assert.equal(quoteConfValue(""), "''");
    assert.throws(() => quoteConfValue("a\nb"), { name: "PostgresConfigError" });
  });

  it("quotes libpq connection values that contain spaces", () => {
    assert.equal(conninfo({ host: "127.0.0.1", port: 5432 }), "host=127.0.0.1 port=5432");
    assert.equal(conninfo({ application_name: "eu west" }), "application_name='eu west'");
  });

  it("configures a standby to stream from its upstream and lets drill settings win", () => {
    const conf = nodeConfig({
      name: "eu-west",
      host: "127.0.2.1",
      port: 6000,
      upstream: { host: "127.0.2.1", port: 7000 },
      settings: { synchronous_commit: "off" },
    });
    assert.match(conf, /^listen_addresses = '127\.0\.2\.1'$/m);
    assert.match(conf, /^port = '6000'$/m);
    assert.match(conf, /^unix_socket_directories = ''$/m);
    assert.match(
      conf,
      /^primary_conninfo = 'host=127\.0\.2\.1 port=7000 user=postgres application_name=eu-west'$/m,
    );
    const commits = [...conf.matchAll(/^synchronous_commit = '(\w+)'$/gm)].map((m) => m[1]);
    assert.deepEqual(commits, ["on", "off"]);
  });

  it("rejects a drill setting name that could inject configuration", () => {
    assert.throws(
      () => nodeConfig({ name: "a", host: "127.0.1.1", port: 1, settings: { "x = 1\nfsync": "on" } }),
      { name: "PostgresConfigError" },
    );
  });

  it("reads the version from postgres --version output", () => {
    assert.equal(parsePostgresVersion("postgres (PostgreSQL) 18.4\n"), "18.4");
    assert.equal(parsePostgresVersion("postgres (PostgreSQL) 17.10\n"), "17.10");
    assert.equal(parsePostgresVersion("postgres (PostgreSQL) 16.4 (Ubuntu 16.4-1.pgdg22.04+1)"), "16.4");
    assert.equal(parsePostgresVersion("something else"), null);
  });
});

describe("postgres binaries", function () {
  this.timeout(20_000);

  it("finds the embedded binaries and reports an 18.x version", async () => {
    const binaries = await findPostgresBinaries();
    assert.equal(binaries.source, "embedded");
    assert.match(binaries.version, /^18\.\d+$/);
    assert.ok(existsSync(path.join(binaries.binDir, "initdb")));
  });

  it("accepts an explicit bin dir as configured binaries", async () => {
    const embedded = await findPostgresBinaries();
    const configured = await findPostgresBinaries(embedded.binDir);
    assert.equal(configured.source, "configured");
    assert.equal(configured.version, embedded.version);
  });

  it("explains which bin dir was unusable and why", async () => {
    await assert.rejects(findPostgresBinaries("/nonexistent/pg/bin"), (err: Error) => {
      assert.equal(err.name, "PostgresBinariesError");
      assert.match(err.message, /\/nonexistent\/pg\/bin/);
      assert.match(err.message, /missing or not executable/);
      return true;
    });
  });
});

describe("postgres data directory template", function () {
  this.timeout(60_000);
  let binaries: PostgresBinaries;
  let ws: Workspace;
  let cacheDir: string;

  before(async () => {
    binaries = await findPostgresBinaries();
    ws = await Workspace.create("template");
    cacheDir = await mkdtemp(path.join(os.tmpdir(), "failover-drill-cache-test-"));
  });
  after(async () => {
    await ws?.remove();
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
  });

  it("runs initdb once, caches the result and copies it afterwards", async () => {
    const raw = await preparePristineDataDirs({
      binaries,
      workspace: ws,
      targets: [ws.path("raw")],
      cacheDir,
    });
    assert.equal(raw.source, "initdb");
    report("initdb (raw, one data dir + storing the template)", raw.ms);

    const template = templatePath(cacheDir, binaries);
    assert.ok(existsSync(path.join(template, "global", "pg_control")));
    // Only the final entry remains: the staging copy was renamed, not left behind.
    assert.deepEqual(await readdir(cacheDir), [path.basename(template)]);

    const cached = await preparePristineDataDirs({
      binaries,
      workspace: ws,
      targets: [ws.path("copy1"), ws.path("copy2"), ws.path("copy3")],
      cacheDir,
    });
    assert.equal(cached.source, "cache");
    report("three data dirs from the template cache", cached.ms);
    assert.equal(
      (await readFile(ws.path("copy3", "PG_VERSION"), "utf8")).trim(),
      binaries.version.split(".")[0],
    );
  });

  it("times a bare initdb without any cache", async () => {
    const bare = await preparePristineDataDirs({
      binaries,
      workspace: ws,
      targets: [ws.path("bare")],
      cacheDir: false,
    });
    assert.equal(bare.source, "initdb");
    report("initdb (bare)", bare.ms);
  });

  it("hands the data dirs to the unprivileged user", async function () {
    if (!isRoot) this.skip();
    const { stat } = await import("node:fs/promises");
    const uid = unprivilegedUser()!.uid;
    assert.equal((await stat(ws.path("copy1"))).uid, uid);
    assert.equal((await stat(ws.path("copy1", "global", "pg_control"))).uid, uid);
    assert.equal((await stat(ws.path("copy1"))).mode & 0o777, 0o700);
  });
});

describe("postgres primary and standbys", function () {
  this.timeout(60_000);
  let binaries: PostgresBinaries;
  let ws: Workspace;
  let supervisor: ProcessSupervisor;
  let cacheDir: string;
  let primary: PostgresNode;
  let standby: PostgresNode;
  let second: PostgresNode;

  before(async () => {
    binaries = await findPostgresBinaries();
    ws = await Workspace.create("postgres-test");
    supervisor = new ProcessSupervisor();
    cacheDir = await mkdtemp(path.join(os.tmpdir(), "failover-drill-cache-test-"));
  });
  after(async () => {
    await supervisor?.[Symbol.asyncDispose]();
    await ws?.remove();
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
  });

  it("brings up a primary and two standbys streaming directly from it", async () => {
    const hosts = [regionAddress(0), regionAddress(1), regionAddress(2)];
    const ports = await Promise.all(hosts.map((h) => freePort(h)));
    const upstream = { host: hosts[0]!, port: ports[0]! };
    // Fill the template cache first, so the timings below are those of a warm run.
    await preparePristineDataDirs({ binaries, workspace: ws, targets: [ws.path("warm-up")], cacheDir });

    const started = performance.now();
    const nodes = await createPostgresNodes({
      binaries,
      workspace: ws,
      supervisor,
      primary: { name: "us-east", host: hosts[0]!, port: ports[0]! },
      standbys: [
        { name: "eu-west", host: hosts[1]!, port: ports[1]!, upstream },
        { name: "ap-south", host: hosts[2]!, port: ports[2]!, upstream },
      ],
      settings: { work_mem: "7MB" },
      templateCacheDir: cacheDir,
      onPrepared: (p) => report(`three data dirs (${p.source})`, p.ms),
    });
    [primary, standby, second] = nodes as [PostgresNode, PostgresNode, PostgresNode];
    const created = performance.now();
    report("createPostgresNodes, three nodes", created - started);

    const nodeStart = performance.now();
    await primary.start();
    report("one node start (primary)", performance.now() - nodeStart);
    await Promise.all([standby.start(), second.start()]);
    await primary.waitForStandbyStreaming(["eu-west", "ap-south"], 10_000);
    report("primary + two standbys ready to streaming, from data dirs", performance.now() - created);
    report("primary + two standbys ready to streaming, from nothing", performance.now() - started);

    assert.deepEqual(await primary.replicationStreaming(), ["ap-south", "eu-west"]);
    assert.equal(primary.running, true);
  });

  it("applies drill settings to every node", async () => {
    for (const node of [primary, standby, second]) {
      const [row] = await node.query<{ work_mem: string }>("SHOW work_mem");
      assert.equal(row?.work_mem, "7MB", node.name);
    }
  });

  it("runs every server process as the unprivileged user when root", async function () {
    if (!isRoot || process.platform !== "linux") this.skip();
    assert.equal(await uidOf(primary.pid!), unprivilegedUser()!.uid);
    assert.equal(await uidOf(standby.pid!), unprivilegedUser()!.uid);
  });

  it("replicates a row written on the primary to the standby", async () => {
    await primary.createSchema();
    await primary.query("INSERT INTO writes (id, region) SELECT g, 'us-east' FROM generate_series(1, 100) g");
    const onStandby = await eventually(
      () => standby.readWriteIds(),
      (ids) => ids.length === 100,
      5000,
    );
    assert.deepEqual(
      onStandby,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it("keeps the standby in recovery, refusing writes", async () => {
    assert.equal(await primary.isInRecovery(), false);
    assert.equal(await standby.isInRecovery(), true);
    await assert.rejects(standby.query("INSERT INTO writes (id, region) VALUES (1000, 'eu-west')"), {
      code: "25006",
    });
  });

  it("reports WAL positions, the standby's catching up with the primary's", async () => {
    const primaryLsn = await primary.walPosition();
    assert.match(primaryLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
    await eventually(
      async () =>
        (await Promise.all([standby.walPosition(), second.walPosition()])).every((l) => l === primaryLsn),
      (caughtUp) => caughtUp,
      5000,
    );
  });

  it("names missing standbys when they do not stream in time", async () => {
    await assert.rejects(primary.waitForStandbyStreaming(["eu-west", "nowhere"], 200), (err: Error) => {
      assert.equal(err.name, "PostgresNodeError");
      assert.match(err.message, /nowhere not streaming/);
      return true;
    });
  });

  it("kills the primary and all its processes, after which connections fail", async function () {
    const pid = primary.pid!;
    // Backends and auxiliary processes call setsid(), so look for descendants, not just the group.
    const children = processDescendants(pid);
    if (process.platform === "linux") assert.ok(children.length >= 4, `only ${children.length} children`);
    const started = performance.now();
    await primary.kill();
    report("kill (SIGKILL of the node's process tree, until nothing is left)", performance.now() - started);
    assert.equal(primary.running, false);
    assert.equal(processGroupAlive(pid), false);
    assert.deepEqual(
      [pid, ...children].filter((p) => processAlive(p)),
      [],
    );
    await assert.rejects(primary.query("SELECT 1"), /ECONNREFUSED/);
  });

  it("promotes a standby, which then accepts writes", async () => {
    const started = performance.now();
    await standby.promote();
    report("promote", performance.now() - started);
    assert.equal(await standby.isInRecovery(), false);
    await standby.query("INSERT INTO writes (id, region) VALUES (101, 'eu-west')");
    assert.equal((await standby.readWriteIds()).length, 101);
  });

  it("repoints the other standby at the promoted one", async () => {
    await second.setUpstream({ host: standby.host, port: standby.port });
    await standby.waitForStandbyStreaming(["ap-south"], 15_000);
    await eventually(
      () => second.readWriteIds(),
      (ids) => ids.includes(101),
      5000,
    );
  });

  it("recovers the killed primary's data when it starts again", async () => {
    const started = performance.now();
    await primary.start();
    report("start after kill (crash recovery)", performance.now() - started);
    assert.deepEqual(
      await primary.readWriteIds(),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.match(await primary.lastLog(200), /not properly shut down; automatic recovery in progress/);
  });

  it("stops a node with a fast shutdown", async () => {
    const pid = second.pid!;
    const children = processDescendants(pid);
    await second.stop();
    assert.equal(second.running, false);
    assert.deepEqual(
      [pid, ...children].filter((p) => processAlive(p)),
      [],
    );
    assert.match(await second.lastLog(), /database system is shut down/);
  });

  it("fails to start with the server's own explanation when its port is taken", async () => {
    const host = regionAddress(3);
    // Connections to it are cut at once, so start() only has the server's exit to go by.
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, host, resolve));
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const [node] = await createPostgresNodes({
        binaries,
        workspace: ws,
        supervisor,
        primary: { name: "blocked", host, port },
        standbys: [],
        settings: {},
        templateCacheDir: cacheDir,
      });
      await assert.rejects(node!.start(), (err: Error) => {
        assert.equal(err.name, "PostgresNodeError");
        assert.match(err.message, /exited during start/);
        assert.match(err.message, /could not (bind|create)/);
        return true;
      });
      assert.equal(node!.running, false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
