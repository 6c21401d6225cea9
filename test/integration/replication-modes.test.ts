// Replication modes on real PostgreSQL behind real proxies: which commits wait for which standbys,
// what a synchronous round trip costs, and what the promoted node enforces after a failover.
import assert from "node:assert/strict";
import pg from "pg";
import type { Drill, RegionSpec } from "../../src/drill/types.ts";
import {
  nodeConfig,
  synchronousStandbyNames,
  type ReplicationSettings,
} from "../../src/engines/postgres/config.ts";
import type { DatabaseNode } from "../../src/engines/types.ts";
import { LocalTopology } from "../../src/topology/local.ts";
import { drillWith, postgresNode, settlesWithin } from "./helpers.ts";

const US_EAST_PRIMARY: RegionSpec[] = [
  { name: "us-east", role: "primary" },
  { name: "eu-west", role: "standby" },
];
const THREE_REGIONS: RegionSpec[] = [...US_EAST_PRIMARY, { name: "ap-south", role: "standby" }];

let nextId = 1;
function insert(node: DatabaseNode, timeoutMs = 30_000): Promise<unknown> {
  return postgresNode(node).query("INSERT INTO writes (id, region) VALUES ($1, 'test')", [nextId++], {
    timeoutMs,
  });
}

async function setting(node: DatabaseNode, name: string): Promise<string | undefined> {
  const [row] = await postgresNode(node).query<Record<string, string>>(`SHOW ${name}`);
  return row?.[name];
}

/** Milliseconds per commit of `count` single-row inserts on one open connection. */
async function commitLatencies(node: DatabaseNode, count: number): Promise<number[]> {
  const { host, port } = postgresNode(node);
  const client = new pg.Client({ host, port, user: "postgres", database: "postgres" });
  client.on("error", () => {});
  await client.connect();
  try {
    const latencies: number[] = [];
    for (let i = 0; i < count + 5; i++) {
      const started = performance.now();
      await client.query("INSERT INTO writes (id, region) VALUES ($1, 'latency')", [nextId++]);
      // The first few warm up the connection's plan cache and the walsender.
      if (i >= 5) latencies.push(performance.now() - started);
    }
    return latencies;
  } finally {
    await client.end();
  }
}

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe("synchronous_standby_names for each replication mode", () => {
  const standbys = ["eu-west", "ap-south"];

  it("is empty for async replication, so commits never wait", () => {
    assert.equal(
      synchronousStandbyNames({ replication: "async", synchronousCommit: "on", syncStandbys: 1 }, standbys),
      "",
    );
  });

  it("names the first n standbys, quoted, for sync replication", () => {
    assert.equal(
      synchronousStandbyNames({ replication: "sync", synchronousCommit: "on", syncStandbys: 1 }, standbys),
      'FIRST 1 ("eu-west", "ap-south")',
    );
  });

  it("asks any k standbys for semi-sync replication", () => {
    assert.equal(
      synchronousStandbyNames(
        { replication: "semi-sync", synchronousCommit: "on", syncStandbys: 2 },
        standbys,
      ),
      'ANY 2 ("eu-west", "ap-south")',
    );
  });

  it("caps the count at the standbys there are and is empty when none is left", () => {
    const sync: ReplicationSettings = { replication: "sync", synchronousCommit: "on", syncStandbys: 2 };
    assert.equal(synchronousStandbyNames(sync, ["ap-south"]), 'FIRST 1 ("ap-south")');
    assert.equal(synchronousStandbyNames(sync, []), "");
  });

  it("configures a standby with its peers but never itself, and the drill's synchronous_commit", () => {
    const conf = nodeConfig({
      name: "eu-west",
      host: "127.0.2.1",
      port: 6000,
      upstream: { host: "127.0.2.1", port: 7000 },
      replication: { replication: "sync", synchronousCommit: "remote_apply", syncStandbys: 1 },
      peers: ["us-east", "eu-west", "ap-south"],
      settings: {},
    });
    assert.match(conf, /^synchronous_standby_names = 'FIRST 1 \("us-east", "ap-south"\)'$/m);
    assert.match(conf, /^synchronous_commit = 'remote_apply'$/m);
  });
});

describe("async and sync replication with 20 ms one way on the replication link (integration)", function () {
  this.timeout(60_000);
  const cut = "eu-west.replication.us-east";
  let asyncTopology: LocalTopology | undefined;
  let syncTopology: LocalTopology | undefined;

  before(async () => {
    // The latency comes from the pair entry, not the default, to prove pairs reach the link.
    const network: Drill["network"] = {
      interRegionLatencyMs: 0,
      pairs: [{ between: ["eu-west", "us-east"], latencyMs: 20 }],
    };
    const [asyncDrill, syncDrill] = await Promise.all([
      drillWith(
        "replication-async",
        US_EAST_PRIMARY,
        { replication: "async", synchronousCommit: "on", syncStandbys: 1 },
        network,
      ),
      drillWith(
        "replication-sync",
        US_EAST_PRIMARY,
        { replication: "sync", synchronousCommit: "on", syncStandbys: 1 },
        network,
      ),
    ]);
    // One after the other: two cores, and each start-up is CPU-bound.
    asyncTopology = await LocalTopology.start(asyncDrill);
    syncTopology = await LocalTopology.start(syncDrill);
  });
  after(async () => {
    await asyncTopology?.dispose();
    await syncTopology?.dispose();
  });

  it("configures the sync primary and standby to wait for each other, by name", async () => {
    const primary = syncTopology!.node("us-east");
    const standby = syncTopology!.node("eu-west");
    assert.equal(await setting(primary, "synchronous_standby_names"), 'FIRST 1 ("eu-west")');
    assert.equal(await setting(standby, "synchronous_standby_names"), 'FIRST 1 ("us-east")');
    assert.equal(await setting(primary, "synchronous_commit"), "on");
    const [row] = await postgresNode(primary).query<{ sync_state: string }>(
      "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'eu-west'",
    );
    assert.equal(row?.sync_state, "sync");
  });

  it("configures the async primary to wait for nobody", async () => {
    assert.equal(await setting(asyncTopology!.node("us-east"), "synchronous_standby_names"), "");
  });

  it("pays one replication round trip per sync commit and none per async commit", async () => {
    const asyncLatencies = await commitLatencies(asyncTopology!.node("us-east"), 50);
    const syncLatencies = await commitLatencies(syncTopology!.node("us-east"), 50);
    const asyncP50 = p50(asyncLatencies);
    const syncP50 = p50(syncLatencies);
    console.log(
      `      commit p50: async ${asyncP50.toFixed(1)} ms, sync ${syncP50.toFixed(1)} ms ` +
        `(max async ${Math.max(...asyncLatencies).toFixed(1)}, sync ${Math.max(...syncLatencies).toFixed(1)})`,
    );
    assert.ok(syncP50 - asyncP50 >= 30 && syncP50 - asyncP50 <= 80, `sync ${syncP50} vs async ${asyncP50}`);
  });

  it("keeps committing under async replication while the standby is cut off", async () => {
    const topology = asyncTopology!;
    await topology.proxies.disable(cut, "test");
    try {
      for (let i = 0; i < 20; i++) assert.ok(await settlesWithin(insert(topology.node("us-east")), 2000));
    } finally {
      await topology.proxies.enable(cut, "test");
    }
  });

  it("holds a sync commit while the synchronous standby is cut off and releases it once it is back", async () => {
    const topology = syncTopology!;
    await topology.proxies.disable(cut, "test");
    let commit: Promise<unknown>;
    try {
      commit = insert(topology.node("us-east"));
      assert.equal(await settlesWithin(commit, 2000), false, "the commit did not wait for the standby");
    } finally {
      await topology.proxies.enable(cut, "test");
    }
    // The standby reconnects (retry every 200 ms), catches up and confirms.
    assert.ok(await settlesWithin(commit, 10_000), "the commit was not released after the link came back");
    await commit;
  });

  it("leaves writes on a promoted sync standby hanging until its standbys are re-pointed", async () => {
    const topology = syncTopology!;
    await topology.stopRegionProcesses("us-east", "kill");
    const promoted = topology.node("eu-west");
    await promoted.promote();
    // Its configuration still names us-east, which is gone: the commit waits for a dead standby.
    const commit = insert(promoted);
    assert.equal(await settlesWithin(commit, 1500), false, "the commit did not wait for us-east");
    assert.deepEqual(await topology.repointStandbys("eu-west"), []);
    assert.equal(await setting(promoted, "synchronous_standby_names"), "");
    assert.ok(await settlesWithin(commit, 5000), "clearing synchronous_standby_names did not release it");
    await commit;
    assert.ok(await settlesWithin(insert(promoted), 2000));
  });
});

describe("semi-sync replication, ANY 1 of two standbys (integration)", function () {
  this.timeout(60_000);
  let topology: LocalTopology | undefined;
  const links = ["eu-west.replication.us-east", "ap-south.replication.us-east"];

  before(async () => {
    const drill = await drillWith(
      "replication-semi-sync",
      THREE_REGIONS,
      { replication: "semi-sync", synchronousCommit: "on", syncStandbys: 1 },
      { interRegionLatencyMs: 5, pairs: [] },
    );
    topology = await LocalTopology.start(drill);
  });
  after(async () => {
    await topology?.dispose();
  });

  it("asks any one of the standbys in other regions", async () => {
    const primary = topology!.node("us-east");
    assert.equal(await setting(primary, "synchronous_standby_names"), 'ANY 1 ("eu-west", "ap-south")');
    assert.equal(
      await setting(topology!.node("ap-south"), "synchronous_standby_names"),
      'ANY 1 ("us-east", "eu-west")',
    );
  });

  it("keeps committing while one of the two standbys is cut off", async () => {
    await topology!.proxies.disable(links[0]!, "test");
    try {
      for (let i = 0; i < 10; i++) assert.ok(await settlesWithin(insert(topology!.node("us-east")), 2000));
    } finally {
      await topology!.proxies.enable(links[0]!, "test");
    }
  });

  it("holds commits while both standbys are cut off and releases them when one comes back", async () => {
    await Promise.all(links.map((l) => topology!.proxies.disable(l, "test")));
    let commit: Promise<unknown>;
    try {
      commit = insert(topology!.node("us-east"));
      assert.equal(await settlesWithin(commit, 2000), false, "the commit did not wait for a standby");
      await topology!.proxies.enable(links[1]!, "test");
      assert.ok(await settlesWithin(commit, 10_000), "one standby back did not release the commit");
    } finally {
      await Promise.all(links.map((l) => topology!.proxies.enable(l, "test")));
    }
    await commit;
  });
});
