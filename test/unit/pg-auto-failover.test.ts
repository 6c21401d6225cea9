// pg_auto_failover as a failover manager, on literal data: the drill fields, the wiring of monitor,
// keepers and proxies, the settings and replication mapping, reading the monitor's event table into
// failover steps, and what its timeouts predict.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { pgAutoFailoverTiming } from "../../src/checkers/pg-auto-failover-timing.ts";
import { predict } from "../../src/checkers/predicted.ts";
import { ManualClock } from "../../src/clock.ts";
import { DEFAULT_PG_AUTO_FAILOVER } from "../../src/drill/format/pg-auto-failover.ts";
import { DrillValidationError, parseDrill } from "../../src/drill/load.ts";
import type { DatabaseSpec } from "../../src/engines/types.ts";
import { HistoryRecorder } from "../../src/history/recorder.ts";
import { Events, Processes } from "../../src/history/types.ts";
import { ManagerEvents } from "../../src/managers/events.ts";
import { FailoverFollower, type MonitorEvent } from "../../src/managers/pg-auto-failover/follow.ts";
import { planPgAutoFailover } from "../../src/managers/pg-auto-failover/plan.ts";
import { monitorConf, nodeConf, replicationMapping } from "../../src/managers/pg-auto-failover/settings.ts";
import {
  settled,
  standbyApplicationNames,
  type NodeState,
} from "../../src/managers/pg-auto-failover/state.ts";
import { managerKind } from "../../src/managers/registry.ts";
import type { TopologyLayout } from "../../src/topology/topology.ts";

const REGIONS = `name: p
regions:
  - { name: east, role: primary }
  - { name: west, role: standby }
`;

function problemsOf(yaml: string): string[] {
  try {
    parseDrill(`${REGIONS}${yaml}`, "p.yaml");
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe("pg_auto_failover in the drill file", () => {
  it("takes pg_auto_failover's own defaults and hands clients every regional endpoint", () => {
    const drill = parseDrill(`${REGIONS}controller: { manager: pg_auto_failover }\n`, "p.yaml");
    assert.deepEqual(drill.controller.pgAutoFailover, DEFAULT_PG_AUTO_FAILOVER);
    assert.equal(drill.controller.mode, "client");
    assert.equal(managerKind("pg_auto_failover").routing(drill), "client");
  });

  it("reads the monitor's placement and timing", () => {
    const drill = parseDrill(
      `${REGIONS}controller:\n  manager: pg_auto_failover\n  pgAutoFailover: { monitor: west, ` +
        "healthCheckPeriod: 1s, unhealthyTimeout: 5s, demoteTimeout: 5s }\n",
      "p.yaml",
    );
    assert.deepEqual(drill.controller.pgAutoFailover, {
      ...DEFAULT_PG_AUTO_FAILOVER,
      monitor: "west",
      healthCheckPeriodMs: 1000,
      unhealthyTimeoutMs: 5000,
      demoteTimeoutMs: 5000,
    });
  });

  it("refuses its section under another manager, a monitor in an unknown region and the docker platform", () => {
    assert.deepEqual(problemsOf("controller: { pgAutoFailover: { demoteTimeout: 5s } }\n"), [
      "controller.pgAutoFailover: only applies to controller.manager pg_auto_failover (manager is builtin); remove it",
    ]);
    assert.deepEqual(
      problemsOf("controller: { manager: pg_auto_failover, pgAutoFailover: { monitor: mars } }\n"),
      ['controller.pgAutoFailover.monitor: unknown region "mars"; expected one of: east, west'],
    );
    assert.deepEqual(problemsOf("platform: docker\ncontroller: { manager: pg_auto_failover }\n"), [
      "controller.manager: pg_auto_failover runs on platform local only (for now); set platform: local",
    ]);
  });

  it("refuses a builtin mode and a keeper timeout in fractions of a second", () => {
    assert.deepEqual(problemsOf("controller: { manager: pg_auto_failover, mode: dns }\n"), [
      "controller.mode: only applies to the builtin manager (manager is pg_auto_failover); remove it",
    ]);
    assert.deepEqual(
      problemsOf(
        "controller: { manager: pg_auto_failover, pgAutoFailover: { networkPartitionTimeout: 1500ms } }\n",
      ),
      [
        "controller.pgAutoFailover.networkPartitionTimeout: must be whole seconds (pg_autoctl takes integers), got 1.5s",
      ],
    );
  });

  it("needs pg_autoctl, PostgreSQL 15's server programs and the monitor's extension", () => {
    assert.deepEqual(
      managerKind("pg_auto_failover")
        .requirements?.()
        .map((r) => `${r.command} (${r.package})`),
      [
        "pg_autoctl (pg-auto-failover-cli)",
        "pg_ctl (postgresql-15)",
        "postgres (postgresql-15)",
        "initdb (postgresql-15)",
        "pg_basebackup (postgresql-15)",
        "pg_rewind (postgresql-15)",
        "pgautofailover.so (postgresql-15-auto-failover)",
      ],
    );
  });
});

/** Three regions as the local layout plans them with database-port replication proxies. */
function layout(): TopologyLayout {
  const regions = [
    { name: "east", role: "primary" as const, address: "127.0.1.1", dbPort: 5001, appPort: 6001 },
    { name: "west", role: "standby" as const, address: "127.0.2.1", dbPort: 5002, appPort: 6002 },
    { name: "south", role: "standby" as const, address: "127.0.3.1", dbPort: 5003, appPort: 6003 },
  ];
  return {
    regions,
    servicePort: 8000,
    links: regions.map((r, i) => ({
      proxy: `${r.name}.app-db`,
      kind: "app-db",
      from: r.name,
      to: r.name,
      listen: { host: r.address, port: 7000 + i },
      upstream: { host: r.address, port: r.dbPort },
    })),
  };
}

function counting(): { freePort: (host: string) => Promise<number>; freePortOnAll: () => Promise<number> } {
  let next = 9000;
  return { freePort: () => Promise.resolve(next++), freePortOnAll: () => Promise.resolve(4444) };
}

describe("pg_auto_failover's wiring", () => {
  it("puts a monitor on its own site behind a control proxy per keeper and one per health-checked node", async () => {
    const plan = await planPgAutoFailover({ layout: layout(), monitor: "own-site", ...counting() });
    assert.deepEqual(plan.monitor, {
      address: "127.0.101.1",
      port: 4444,
      hostaddr: "127.0.101.1",
      uri: "postgres://autoctl_node@127.0.101.1:4444/pg_auto_failover?sslmode=disable",
    });
    const control = plan.links.filter((l) => l.kind === "control");
    assert.deepEqual(
      control.map(
        (l) => `${l.proxy} ${l.listen.host}:${l.listen.port} -> ${l.upstream.host}:${l.upstream.port}`,
      ),
      [
        // Each keeper dials the monitor's host:port on its own address (PGHOSTADDR).
        "east.control.monitor 127.0.1.1:4444 -> 127.0.101.1:4444",
        "west.control.monitor 127.0.2.1:4444 -> 127.0.101.1:4444",
        "south.control.monitor 127.0.3.1:4444 -> 127.0.101.1:4444",
        // The monitor dials each node's registered host:port on its own address.
        "monitor.control.east 127.0.101.1:5001 -> 127.0.1.1:5001",
        "monitor.control.west 127.0.101.1:5002 -> 127.0.2.1:5002",
        "monitor.control.south 127.0.101.1:5003 -> 127.0.3.1:5003",
      ],
    );
  });

  it("lets a co-located monitor reach its own region directly and share the region's paths to the others", async () => {
    const plan = await planPgAutoFailover({ layout: layout(), monitor: "west", ...counting() });
    assert.deepEqual(
      [plan.monitor.region, plan.monitor.address, plan.monitor.hostaddr],
      ["west", "127.0.2.1", "127.0.2.1"],
    );
    assert.deepEqual(
      plan.links.filter((l) => l.kind === "control").map((l) => `${l.proxy} ${l.from}->${l.to}`),
      ["east.control.west.monitor east->west", "south.control.west.monitor south->west"],
    );
  });

  it("gives each region's app its own node first, then every other node through an app-db proxy", async () => {
    const plan = await planPgAutoFailover({ layout: layout(), monitor: "own-site", ...counting() });
    assert.deepEqual(plan.appHosts.get("west"), [
      { host: "127.0.2.1", port: 7001 },
      { host: "127.0.2.1", port: 9002 },
      { host: "127.0.2.1", port: 9003 },
    ]);
    const extra = plan.links.filter((l) => l.kind === "app-db" && l.from === "west");
    assert.deepEqual(
      extra.map((l) => `${l.proxy} -> ${l.upstream.host}:${l.upstream.port}`),
      ["west.app-db.east -> 127.0.1.1:5001", "west.app-db.south -> 127.0.3.1:5003"],
    );
  });
});

const DATABASE: DatabaseSpec = {
  engine: "postgres",
  topology: "primary-standby",
  replication: "async",
  synchronousCommit: "remote_apply",
  syncStandbys: 1,
  settings: { work_mem: "4MB" },
};

describe("pg_auto_failover's settings", () => {
  it("writes the monitor's timing GUCs in milliseconds after its socket directory and memory", () => {
    assert.equal(
      monitorConf({ ...DEFAULT_PG_AUTO_FAILOVER, healthCheckPeriodMs: 1000 }, "/ws/sock"),
      [
        "unix_socket_directories = '/ws/sock'",
        "shared_buffers = '32MB'",
        "dynamic_shared_memory_type = 'mmap'",
        "fsync = 'off'",
        "pgautofailover.health_check_period = '1000'",
        "pgautofailover.health_check_timeout = '5000'",
        "pgautofailover.health_check_max_retries = '2'",
        "pgautofailover.health_check_retry_delay = '2000'",
        "pgautofailover.node_considered_unhealthy_timeout = '20000'",
        "pgautofailover.primary_demote_timeout = '30000'",
        "pgautofailover.startup_grace_period = '10000'",
        "",
      ].join("\n"),
    );
  });

  it("sets synchronous_commit only where commits wait for standbys, and the drill's settings last", () => {
    assert.doesNotMatch(nodeConf(DATABASE, "/s"), /synchronous_commit/);
    assert.match(
      nodeConf({ ...DATABASE, replication: "sync" }, "/s"),
      /synchronous_commit = 'remote_apply'\nwork_mem = '4MB'\n$/,
    );
  });

  it("maps async to nodes outside the replication quorum and sync to pg_auto_failover's ANY k", () => {
    assert.deepEqual(replicationMapping(DATABASE, 1), { replicationQuorum: false });
    const sync = { ...DATABASE, replication: "sync" as const };
    assert.deepEqual(replicationMapping(sync, 1), { replicationQuorum: true, numberSyncStandbys: 0 });
    assert.deepEqual(replicationMapping(sync, 2), { replicationQuorum: true, numberSyncStandbys: 1 });
    assert.deepEqual(replicationMapping({ ...sync, syncStandbys: 2 }, 3), {
      replicationQuorum: true,
      numberSyncStandbys: 2,
    });
    assert.throws(
      () => replicationMapping({ ...sync, syncStandbys: 2 }, 2),
      /needs number_sync_standbys \+ 1 = 3 standbys for syncStandbys 2, the drill has 2/,
    );
  });

  it("waits for one primary and secondaries that reached their assigned states", () => {
    const state = (nodeId: number, name: string, reported: string, goal = reported): NodeState => ({
      nodeId,
      name,
      reported,
      goal,
      health: 1,
    });
    assert.equal(settled([state(1, "east", "single")], 1, false), true);
    const joining = [state(1, "east", "wait_primary", "primary"), state(2, "west", "secondary")];
    assert.equal(settled(joining, 2, true), false);
    const async = [state(1, "east", "wait_primary"), state(2, "west", "secondary")];
    assert.deepEqual([settled(async, 2, false), settled(async, 2, true)], [true, false]);
    assert.deepEqual(
      [...standbyApplicationNames(async)],
      [
        ["pgautofailover_standby_1", "east"],
        ["pgautofailover_standby_2", "west"],
      ],
    );
  });
});

/** Rows of pgautofailover.event as a real tuned failover of east to west wrote them. */
const FAILOVER: MonitorEvent[] = [
  [
    20,
    26396,
    "east",
    "primary",
    "primary",
    'Node node 1 "east" (127.0.1.1:5001) is marked as unhealthy by the monitor',
  ],
  [
    21,
    26943,
    "west",
    "secondary",
    "prepare_promotion",
    "Setting goal state of node 1 ... to draining and node 2 ... to prepare_promotion after node 1 ... became unhealthy.",
  ],
  [
    22,
    26943,
    "east",
    "primary",
    "draining",
    "Setting goal state of node 1 ... to draining and node 2 ... to prepare_promotion after node 1 ... became unhealthy.",
  ],
  [
    23,
    27467,
    "west",
    "prepare_promotion",
    "prepare_promotion",
    'New state is reported by node 2 "west": "prepare_promotion"',
  ],
  [
    24,
    27467,
    "west",
    "prepare_promotion",
    "stop_replication",
    "Setting goal state of node 1 ... to demote_timeout and node 2 ... to stop_replication",
  ],
  [
    25,
    27467,
    "east",
    "primary",
    "demote_timeout",
    "Setting goal state of node 1 ... to demote_timeout and node 2 ... to stop_replication",
  ],
  [
    26,
    29132,
    "west",
    "stop_replication",
    "stop_replication",
    'New state is reported by node 2 "west": "stop_replication"',
  ],
  [
    27,
    32754,
    "west",
    "stop_replication",
    "wait_primary",
    "Setting goal state of node 2 ... to wait_primary and node 1 ... to demoted after the demote timeout expired.",
  ],
  [
    28,
    32754,
    "east",
    "primary",
    "demoted",
    "Setting goal state of node 2 ... to wait_primary and node 1 ... to demoted after the demote timeout expired.",
  ],
  [
    29,
    33266,
    "west",
    "wait_primary",
    "wait_primary",
    'New state is reported by node 2 "west": "wait_primary"',
  ],
].map(([eventId, atMs, node, reported, goal, description]) => ({
  eventId: eventId as number,
  atMs: atMs as number,
  node: node as string,
  reported: reported as string,
  goal: goal as string,
  description: description as string,
}));

function stepsOf(follower: FailoverFollower, events: MonitorEvent[]): string[] {
  return events.flatMap((e) => follower.step(e).map((s) => `${e.eventId} ${s.kind} ${s.region}`));
}

describe("reading pg_auto_failover's event table", () => {
  it("finds the health check, the decision, the promotion, the fence and the new primary taking writes", () => {
    const follower = new FailoverFollower("east");
    assert.deepEqual(stepsOf(follower, FAILOVER), [
      "20 health-bad east",
      "21 detected east",
      "24 promoting west",
      "28 fenced east",
      "29 routed west",
    ]);
    assert.equal(follower.currentPrimary, "west");
  });

  it("follows a second failover back from the new primary", () => {
    const follower = new FailoverFollower("east");
    stepsOf(follower, FAILOVER);
    const back = FAILOVER.map((e) => ({
      ...e,
      eventId: e.eventId + 100,
      node: e.node === "east" ? "west" : "east",
    }));
    assert.deepEqual(stepsOf(follower, back), [
      "120 health-bad west",
      "121 detected west",
      "124 promoting east",
      "128 fenced west",
      "129 routed east",
    ]);
  });

  it("ignores a standby's health flapping and the primary's own routine reports", () => {
    const follower = new FailoverFollower("east");
    const routine: MonitorEvent[] = [
      {
        eventId: 1,
        atMs: 1,
        node: "west",
        reported: "catchingup",
        goal: "catchingup",
        description: 'Node node 2 "west" is marked as unhealthy by the monitor',
      },
      {
        eventId: 2,
        atMs: 2,
        node: "west",
        reported: "catchingup",
        goal: "secondary",
        description: "Setting goal state of node 2 to secondary after it caught up.",
      },
      {
        eventId: 3,
        atMs: 3,
        node: "east",
        reported: "wait_primary",
        goal: "primary",
        description:
          "Setting goal state of node 1 to primary now that we have 1 healthy secondary nodes in the quorum.",
      },
    ];
    assert.deepEqual(stepsOf(follower, routine), []);
  });

  it("lets a failover the monitor gave up end without a promotion", () => {
    const follower = new FailoverFollower("east");
    const events: MonitorEvent[] = [
      { eventId: 1, atMs: 1, node: "east", reported: "primary", goal: "draining", description: "draining" },
      { eventId: 2, atMs: 2, node: "east", reported: "draining", goal: "primary", description: "back" },
      {
        eventId: 3,
        atMs: 3,
        node: "east",
        reported: "primary",
        goal: "draining",
        description: "draining again",
      },
    ];
    assert.deepEqual(stepsOf(follower, events), ["1 detected east", "3 detected east"]);
    assert.equal(follower.currentPrimary, "east");
  });
});

describe("what pg_auto_failover's timeouts predict", () => {
  it("bounds detection by the unhealthy timeout and the failed health check, writable by the demote timeout on top", () => {
    assert.deepEqual(pgAutoFailoverTiming(DEFAULT_PG_AUTO_FAILOVER, "kill"), {
      detectionRangeMs: [17_000, 23_000],
      writableRangeMs: [47_000, 59_500],
    });
    const tuned = {
      ...DEFAULT_PG_AUTO_FAILOVER,
      healthCheckPeriodMs: 1000,
      unhealthyTimeoutMs: 5000,
      demoteTimeoutMs: 5000,
    };
    // Three attempts 2 s apart outlast the 5 s unhealthy timeout.
    assert.deepEqual(pgAutoFailoverTiming(tuned, "kill"), {
      detectionRangeMs: [6000, 10_000],
      writableRangeMs: [11_000, 21_500],
    });
  });

  it("lets each check of a frozen node wait its connect timeout, and a graceful stop be seen at once", () => {
    const tuned = { ...DEFAULT_PG_AUTO_FAILOVER, healthCheckPeriodMs: 1000, unhealthyTimeoutMs: 5000 };
    assert.deepEqual(pgAutoFailoverTiming(tuned, "pause").detectionRangeMs, [21_000, 25_000]);
    assert.deepEqual(pgAutoFailoverTiming(tuned, "stop").detectionRangeMs, [0, 10_000]);
  });

  it("is what the report predicts for a pg_auto_failover drill, from the mode of its primary outage", () => {
    const drill = parseDrill(
      `${REGIONS}controller: { manager: pg_auto_failover }\n` +
        "workload: { duration: 80s }\nfaults: [{ at: 5s, type: region-outage, region: east, mode: pause }]\n",
      "p.yaml",
    );
    const predicted = predict(drill);
    // Three attempts of 5 s + 2 s each outlast the 20 s unhealthy timeout.
    assert.deepEqual(predicted.detectionRangeMs, [21_000, 29_000]);
    assert.deepEqual(predicted.writableRangeMs, [51_000, 65_500]);
  });

  it("measures detection and promotion from the steps the observer records, beside its prediction", () => {
    const drill = parseDrill(
      `${REGIONS}controller:\n  manager: pg_auto_failover\n  pgAutoFailover: { healthCheckPeriod: 1s, ` +
        "unhealthyTimeout: 5s, demoteTimeout: 5s }\nworkload: { clients: 1, rate: 10/s }\n",
      "p.yaml",
    );
    const clock = new ManualClock();
    const history = new HistoryRecorder(clock);
    const events = new ManagerEvents(history);
    clock.advanceMs(5000);
    const fault = { fault: 0, type: "region-outage", region: "east", description: "region-outage of east" };
    history.append(Processes.nemesis, "invoke", Events.faultStart, fault);
    history.append(Processes.nemesis, "ok", Events.faultStart, fault);
    clock.advanceMs(7000);
    events.detected({ region: "east", by: "pg_auto_failover", how: "draining", pollMs: 100 });
    clock.advanceMs(500);
    events.promoting({ region: "west", by: "pg_auto_failover", how: "stop_replication", pollMs: 100 });
    clock.advanceMs(5500);
    events.writable({ region: "west", pollMs: 100 });
    const summary = analyze({ drill, history: history.ops, finalReads: [], startedAt: clock.startedAt });
    assert.deepEqual([summary.measurements.detection.ms, summary.measurements.promotion.ms], [7000, 6000]);
    assert.deepEqual(summary.predicted.writableRangeMs, [11_000, 21_500]);
    assert.equal(
      summary.timeline.find((e) => e.event.includes("declares"))?.event,
      "pg_auto_failover declares east down",
    );
  });
});
