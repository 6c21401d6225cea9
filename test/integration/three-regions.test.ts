// Three regions on real PostgreSQL: a replication proxy for every ordered pair with its pair's
// latency, promotion of the most advanced standby, and re-pointing the other standby at it.
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { chooseCandidate } from "../../src/managers/builtin/candidate.ts";
import type { Drill, RegionSpec } from "../../src/drill/types.ts";
import type { PostgresNode } from "../../src/engines/postgres/cluster.ts";
import { compareLsn } from "../../src/engines/postgres/lsn.ts";
import { LocalTopology } from "../../src/topology/local.ts";
import { linksBetween, linksTouchingRegion, replicationLink } from "../../src/topology/topology.ts";
import { drillWith, postgresNode, settlesWithin } from "./helpers.ts";

const REGIONS: RegionSpec[] = [
  { name: "us-east", role: "primary" },
  { name: "eu-west", role: "standby" },
  { name: "ap-south", role: "standby" },
];

const NETWORK: Drill["network"] = {
  interRegionLatencyMs: 40,
  pairs: [
    { between: ["us-east", "eu-west"], latencyMs: 10 },
    { between: ["ap-south", "us-east"], latencyMs: 30 },
  ],
};

function threeRegionDrill(name: string, replication: "async" | "sync"): Promise<Drill> {
  return drillWith(name, REGIONS, { replication, synchronousCommit: "on", syncStandbys: 1 }, NETWORK);
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let error: unknown;
    try {
      value = await probe();
      if (ok(value)) return value;
    } catch (err) {
      error = err;
    }
    if (performance.now() > deadline)
      throw new Error(`not met within ${timeoutMs} ms: ${JSON.stringify(value) ?? String(error)}`);
    await delay(50);
  }
}

/** The port a standby's WAL receiver is connected to: which proxy it streams through. */
async function senderPort(node: PostgresNode): Promise<number | null> {
  const [row] = await node.query<{ port: number | null }>(
    "SELECT sender_port AS port FROM pg_stat_wal_receiver WHERE status = 'streaming'",
  );
  return row?.port ?? null;
}

function sortedProxies(links: Array<{ proxy: string }>): string[] {
  return links.map((l) => l.proxy).sort();
}

describe("three regions, async replication (integration)", function () {
  this.timeout(60_000);
  let topology: LocalTopology | undefined;
  const topo = (): LocalTopology => topology!;
  let candidateRegion: string | undefined;

  before(async () => {
    topology = await LocalTopology.start(await threeRegionDrill("three-regions-async", "async"));
  });
  after(async () => {
    await topology?.dispose();
  });

  it("has a replication proxy for every ordered pair, each with its pair's latency both ways", async () => {
    const expected: Record<string, number> = {
      "eu-west.replication.us-east": 10,
      "us-east.replication.eu-west": 10,
      "ap-south.replication.us-east": 30,
      "us-east.replication.ap-south": 30,
      "eu-west.replication.ap-south": 40,
      "ap-south.replication.eu-west": 40,
    };
    const replication = topo().layout.links.filter((l) => l.kind === "replication");
    assert.deepEqual(sortedProxies(replication), Object.keys(expected).sort());
    for (const [proxy, latency] of Object.entries(expected)) {
      const res = await fetch(`${topo().proxyApiUrl}/proxies/${proxy}/toxics`);
      const toxics = (await res.json()) as Array<{ stream: string; attributes: { latency: number } }>;
      assert.deepEqual(
        toxics.map((t) => [t.stream, t.attributes.latency]).sort(),
        [
          ["downstream", latency],
          ["upstream", latency],
        ],
        proxy,
      );
    }
  });

  it("selects every link touching a region, and both replication directions between two regions", () => {
    const { layout } = topo();
    assert.deepEqual(sortedProxies(linksTouchingRegion(layout, "ap-south", ["replication"])), [
      "ap-south.replication.eu-west",
      "ap-south.replication.us-east",
      "eu-west.replication.ap-south",
      "us-east.replication.ap-south",
    ]);
    assert.deepEqual(sortedProxies(linksBetween(layout, "eu-west", "ap-south")), [
      "ap-south.replication.eu-west",
      "eu-west.replication.ap-south",
    ]);
    // The controller's fence touches only the failed region's own client and app-db links.
    assert.deepEqual(sortedProxies(linksTouchingRegion(layout, "us-east", ["client", "app-db"])), [
      "us-east.app-db",
      "us-east.client",
    ]);
  });

  it("streams each standby from the primary through its own proxy", async () => {
    assert.deepEqual(await postgresNode(topo().node("us-east")).replicationStreaming(), [
      "ap-south",
      "eu-west",
    ]);
    for (const standby of ["eu-west", "ap-south"]) {
      const link = replicationLink(topo().layout, standby, "us-east");
      assert.equal(
        await eventually(
          () => senderPort(postgresNode(topo().node(standby))),
          (p) => p !== null,
          5000,
        ),
        link.listen.port,
      );
    }
  });

  it("does not choose the standby whose replication link was cut earlier", async () => {
    const primary = postgresNode(topo().node("us-east"));
    await topo().proxies.disable("ap-south.replication.us-east", "cut");
    await primary.query("INSERT INTO writes (id, region) SELECT g, 'us-east' FROM generate_series(1, 200) g");
    const primaryLsn = await primary.walPosition();
    // eu-west has everything before the primary dies; ap-south has none of it.
    await eventually(
      () => postgresNode(topo().node("eu-west")).walPosition(),
      (lsn) => compareLsn(lsn, primaryLsn) >= 0,
      5000,
    );
    await topo().stopRegionProcesses("us-east", "kill");

    const choice = await chooseCandidate(
      REGIONS.map((r) => ({ name: r.name, node: topo().node(r.name) })),
      topo().engine,
    );
    assert.equal(choice?.region, "eu-west");
    const [usEast, euWest, apSouth] = choice.candidates;
    assert.deepEqual(
      { region: usEast?.region, eligible: usEast?.eligible, reason: usEast?.reason },
      { region: "us-east", eligible: false, reason: "not running" },
    );
    assert.equal(euWest?.receivedLsn, choice.receivedLsn);
    assert.ok(apSouth?.eligible === true && apSouth.receivedLsn !== null);
    assert.ok(
      compareLsn(apSouth.receivedLsn, choice.receivedLsn) < 0,
      `ap-south ${apSouth.receivedLsn} not behind eu-west ${choice.receivedLsn}`,
    );
    candidateRegion = choice.region;
  });

  it("re-points the remaining standby at the promoted one, which then receives its writes", async () => {
    assert.equal(candidateRegion, "eu-west", "depends on the previous test's choice");
    const promoted = postgresNode(topo().node("eu-west"));
    await promoted.promote();
    assert.deepEqual(await topo().repointStandbys("eu-west"), ["ap-south"]);
    assert.equal(
      (
        await promoted.query<{ names: string }>(
          "SELECT current_setting('synchronous_standby_names') AS names",
        )
      )[0]?.names,
      "",
    );
    await promoted.query("INSERT INTO writes (id, region) VALUES (201, 'eu-west')");

    const apSouth = postgresNode(topo().node("ap-south"));
    const ids = await eventually(
      () => apSouth.readWriteIds(),
      (got) => got.includes(201),
      10_000,
    );
    // It also got the 200 writes it missed while cut off from us-east, from the new primary.
    assert.deepEqual(
      ids,
      Array.from({ length: 201 }, (_, i) => i + 1),
    );
    const link = replicationLink(topo().layout, "ap-south", "eu-west");
    assert.equal(await senderPort(apSouth), link.listen.port);
  });
});

describe("three regions, sync replication after a failover (integration)", function () {
  this.timeout(60_000);
  let topology: LocalTopology | undefined;
  const topo = (): LocalTopology => topology!;

  before(async () => {
    topology = await LocalTopology.start(await threeRegionDrill("three-regions-sync", "sync"));
  });
  after(async () => {
    await topology?.dispose();
  });

  it("promotes the synchronous standby and makes the new primary wait for the remaining one", async () => {
    const primary = postgresNode(topo().node("us-east"));
    await primary.query("INSERT INTO writes (id, region) SELECT g, 'us-east' FROM generate_series(1, 50) g");
    await topo().stopRegionProcesses("us-east", "kill");
    const choice = await chooseCandidate(
      REGIONS.map((r) => ({ name: r.name, node: topo().node(r.name) })),
      topo().engine,
    );
    // FIRST 1 (eu-west, ap-south): eu-west confirmed every commit, so it is at least as far as ap-south.
    assert.equal(choice?.region, "eu-west");

    const promoted = postgresNode(topo().node("eu-west"));
    await promoted.promote();
    assert.deepEqual(await topo().repointStandbys("eu-west"), ["ap-south"]);
    const [row] = await promoted.query<{ names: string }>(
      "SELECT current_setting('synchronous_standby_names') AS names",
    );
    assert.equal(row?.names, 'FIRST 1 ("ap-south")');
    // Commits complete once ap-south streams from eu-west through its proxy.
    const first = promoted.query("INSERT INTO writes (id, region) VALUES (51, 'eu-west')", [], {
      timeoutMs: 20_000,
    });
    assert.ok(await settlesWithin(first, 10_000), "no commit on the new primary within 10 s");
    await first;

    // ...and wait for it: with the re-pointed link cut, a commit holds.
    const cut = "ap-south.replication.eu-west";
    await topo().proxies.disable(cut, "test");
    let held: Promise<unknown>;
    try {
      held = promoted.query("INSERT INTO writes (id, region) VALUES (52, 'eu-west')", [], {
        timeoutMs: 30_000,
      });
      assert.equal(await settlesWithin(held, 2000), false, "the new primary did not wait for ap-south");
    } finally {
      await topo().proxies.enable(cut, "test");
    }
    assert.ok(await settlesWithin(held, 10_000), "the commit was not released when ap-south came back");
    await held;
    // synchronous_commit = on waits for the flush, not the replay: the row shows up shortly after.
    await eventually(
      () => postgresNode(topo().node("ap-south")).readWriteIds(),
      (ids) => ids.includes(52),
      5000,
    );
  });
});
