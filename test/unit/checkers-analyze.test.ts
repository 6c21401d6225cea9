// The checkers against literal histories: every figure below follows by hand from the times written here.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import type { Drill } from "../../src/drill/types.ts";
import { Events, Processes, type FinalRead, type Op } from "../../src/history/types.ts";

const EAST = "127.0.1.1";
const WEST = "127.0.2.1";

interface Story {
  fault?: boolean;
  client1Switches?: boolean;
  client1Recovers?: boolean;
  staleAckAfterWritable?: boolean;
}

/**
 * east (primary) is killed at 5000 ms (in effect at 5004), declared down at 7500, west writable at 7900,
 * DNS updated at 7905 and answered at 7920; client 0 moves over at 9000, client 1 at 9600.
 * Client 0: #1 ok 110, #3 ok 4910, #5 info (timeout), #7 ok 9050 on west.
 * Client 1: #2 ok 210, #4 ok 5003 (inside the injection window), #6 fail 5050, #8 ok 9700 on west.
 */
function failoverHistory(story: Story = {}): Op[] {
  const {
    fault = true,
    client1Switches = true,
    client1Recovers = true,
    staleAckAfterWritable = false,
  } = story;
  const h = new HistoryBuilder()
    .runner(0, Events.topologyUp, {
      regions: [
        { name: "east", address: EAST, role: "primary" },
        { name: "west", address: WEST, role: "standby" },
      ],
    })
    .event(50, Processes.dnsMonitor, Events.authoritativeAnswer, { address: EAST, ttlMs: 2000 })
    .runner(100, Events.workloadStart)
    .resolve(0, 100, EAST)
    .write(0, 1, 100, "ok", 110, "east")
    .resolve(1, 200, EAST)
    .write(1, 2, 200, "ok", 210, "east")
    .write(0, 3, 4900, "ok", 4910, "east")
    .write(1, 4, 4990, "ok", 5003, "east")
    .write(0, 5, 5100, "info", 6100, "timeout of 1000ms exceeded")
    .write(1, 6, 5010, "fail", 5050, "ECONNREFUSED");
  if (!fault) return h.runner(12_100, Events.workloadEnd).build();
  h.faultStart(0, 5000, 5004, {
    type: "region-outage",
    region: "east",
    description: "region-outage of east (kill)",
  })
    .controller(5500, Events.probeFail, { region: "east", error: "ECONNREFUSED", consecutive: 1 })
    .controller(6500, Events.probeFail, { region: "east", error: "ECONNREFUSED", consecutive: 2 })
    .controller(7500, Events.probeFail, { region: "east", error: "ECONNREFUSED", consecutive: 3 })
    .controller(7500, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
    .controller(7510, Events.fence, { region: "east" })
    .controller(7520, Events.promote, { region: "west" })
    .controller(7900, Events.writable, { region: "west" })
    .controller(7905, Events.dnsUpdate, { name: "db.drill.test", address: WEST, region: "west" })
    .event(7920, Processes.dnsMonitor, Events.authoritativeAnswer, { address: WEST, ttlMs: 2000 })
    .resolve(0, 9000, WEST)
    .write(0, 7, 9000, "ok", 9050, "west");
  if (staleAckAfterWritable) h.write(0, 9, 7950, "ok", 7960, "east");
  if (client1Switches) h.resolve(1, 9600, WEST);
  if (client1Recovers) h.write(1, 8, 9600, "ok", 9700, "west");
  else h.write(1, 8, 9600, "info", 10_600, "timeout of 1000ms exceeded");
  return h
    .faultHeal(0, 11_000, 11_500, { type: "region-outage", description: "region-outage of east (kill)" })
    .runner(12_100, Events.workloadEnd)
    .runner(12_200, Events.healAll)
    .build();
}

const read = (node: string, ids: number[], extra: Partial<FinalRead> = {}): FinalRead => ({
  node,
  reachable: true,
  role: "primary",
  ids,
  ...extra,
});

const cleanReads = (): FinalRead[] => [
  read("east", [1, 2, 3, 4], { walLsn: "0/3000000" }),
  read("west", [1, 2, 3, 4, 7, 8], { walLsn: "0/3000100" }),
];

function run(history: Op[], finalReads: FinalRead[] = cleanReads(), drill: Drill = sampleDrill()) {
  return analyze({ drill, history, finalReads, startedAt: "2026-01-01T00:00:00.000Z" });
}

describe("detection checker", () => {
  it("measures detection from the fault injection to the primary-down decision", () => {
    const { detection } = run(failoverHistory()).measurements;
    assert.deepEqual(detection, { ms: 2500, uncertaintyMs: 4 });
  });

  it("predicts interval x threshold with a range from one interval less to one timeout more", () => {
    const { predicted } = run(failoverHistory());
    assert.equal(predicted.detectionMs, 3000);
    assert.deepEqual(predicted.detectionRangeMs, [2000, 3500]);
    assert.equal(predicted.dnsFailoverMs, 5000);
    assert.equal(predicted.clientOpIntervalMs, 200);
  });

  it("reports every failover figure as null with a reason when the primary region never went down", () => {
    const { detection, promotion, dnsSwitch, rto } = run(failoverHistory({ fault: false })).measurements;
    for (const m of [detection, promotion]) {
      assert.equal(m.ms, null);
      assert.equal(m.reason, "no outage of the primary region in this drill");
    }
    assert.equal(dnsSwitch.authoritativeMs, null);
    assert.equal(dnsSwitch.reason, "no outage of the primary region in this drill");
    assert.equal(rto.p50Ms, null);
    assert.equal(rto.reason, "no outage of the primary region in this drill");
  });

  it("ignores an outage of a standby region when looking for t_fault", () => {
    const history = new HistoryBuilder()
      .faultStart(0, 1000, 1001, { type: "region-outage", region: "west" })
      .controller(4000, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
      .build();
    const { detection } = run(history).measurements;
    assert.equal(detection.ms, null);
    assert.equal(detection.reason, "no outage of the primary region in this drill");
  });

  it("skips a fault whose injection failed and notes it", () => {
    const history = new HistoryBuilder()
      .faultStart(0, 1000, 1001, { type: "region-outage", region: "east" }, "kill failed")
      .controller(4000, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
      .build();
    const summary = run(history);
    assert.equal(summary.measurements.detection.ms, null);
    assert.ok(
      summary.notes.some((n) => n.includes("failed to apply: kill failed")),
      summary.notes.join("\n"),
    );
  });

  it("makes detection and the drill inconclusive when the only failover came before the fault", () => {
    const history = new HistoryBuilder()
      .controller(600, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
      .controller(900, Events.writable, { region: "west" })
      .faultStart(0, 1000, 1002, { type: "region-outage", region: "east" })
      .build();
    const summary = run(history);
    assert.equal(summary.measurements.detection.ms, null);
    assert.match(
      summary.measurements.detection.reason ?? "",
      /declared the primary down 1 time\(s\) before the fault/,
    );
    assert.equal(summary.status, "inconclusive");
  });

  it("says so when the controller never declares the primary down", () => {
    const history = new HistoryBuilder()
      .faultStart(0, 1000, 1002, { type: "region-outage", region: "east" })
      .build();
    const { detection, promotion } = run(history).measurements;
    assert.equal(detection.ms, null);
    assert.equal(detection.uncertaintyMs, 2);
    assert.match(detection.reason ?? "", /never declared the primary down/);
    assert.equal(promotion.ms, null);
  });
});

describe("promotion checker", () => {
  it("measures promotion from the primary-down decision to writable", () => {
    assert.deepEqual(run(failoverHistory()).measurements.promotion, { ms: 400, uncertaintyMs: 0 });
  });

  it("carries the controller's error when the failover failed", () => {
    const history = new HistoryBuilder()
      .faultStart(0, 1000, 1001, { type: "region-outage", region: "east" })
      .controller(4000, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
      .controller(4100, Events.failoverFailed, { error: "west still in recovery after promotion" })
      .build();
    const { promotion } = run(history).measurements;
    assert.equal(promotion.ms, null);
    assert.equal(promotion.reason, "failover failed: west still in recovery after promotion");
  });
});

describe("DNS switch checker", () => {
  it("measures the authoritative and per-client switch relative to writable", () => {
    const { dnsSwitch } = run(failoverHistory()).measurements;
    assert.equal(dnsSwitch.newAddress, WEST);
    assert.equal(dnsSwitch.authoritativeMs, 20);
    assert.equal(dnsSwitch.clientFirstMs, 1100);
    assert.equal(dnsSwitch.clientLastMs, 1700);
    assert.equal(dnsSwitch.faultToClientLastMs, 4600);
    assert.equal(dnsSwitch.clientsSwitched, 2);
    assert.equal(dnsSwitch.clientsNotSwitched, 0);
    assert.equal(dnsSwitch.uncertaintyMs, 200);
    assert.deepEqual(dnsSwitch.perClient, [
      { client: 0, switchMs: 1100 },
      { client: 1, switchMs: 1700 },
    ]);
  });

  it("counts a client that never resolves the new address and leaves the last switch unknown", () => {
    const summary = run(failoverHistory({ client1Switches: false }));
    const { dnsSwitch } = summary.measurements;
    assert.equal(dnsSwitch.clientsSwitched, 1);
    assert.equal(dnsSwitch.clientsNotSwitched, 1);
    assert.equal(dnsSwitch.clientFirstMs, 1100);
    assert.equal(dnsSwitch.clientLastMs, null);
    assert.deepEqual(dnsSwitch.perClient[1], { client: 1, switchMs: null });
    assert.ok(summary.notes.some((n) => n.includes("never resolved the new address 127.0.2.1 (clients 1)")));
  });
});

describe("availability (RTO) checker", () => {
  it("measures each client's RTO and gap exactly and takes nearest-rank percentiles", () => {
    const { rto } = run(failoverHistory()).measurements;
    assert.deepEqual(rto.perClient, [
      { client: 0, rtoMs: 4050, gapMs: 4140 },
      { client: 1, rtoMs: 4700, gapMs: 4697 },
    ]);
    assert.equal(rto.p50Ms, 4050);
    assert.equal(rto.p99Ms, 4700);
    assert.equal(rto.maxMs, 4700);
    assert.equal(rto.gapMaxMs, 4697);
    assert.equal(rto.gapP50Ms, 4140);
    assert.equal(rto.uncertaintyMs, 204);
    assert.equal(rto.clientsNotRecovered, 0);
  });

  it("makes RTO inconclusive and counts the client when one never recovers", () => {
    const summary = run(failoverHistory({ client1Recovers: false }));
    const { rto } = summary.measurements;
    assert.equal(rto.p50Ms, null);
    assert.equal(rto.p99Ms, null);
    assert.equal(rto.maxMs, null);
    assert.equal(rto.gapMaxMs, null);
    assert.equal(rto.clientsRecovered, 1);
    assert.equal(rto.clientsNotRecovered, 1);
    assert.deepEqual(rto.perClient[1], { client: 1, rtoMs: null, gapMs: null });
    assert.ok(summary.notes.some((n) => n.includes("never completed a write after the fault (clients 1)")));
  });

  it("does not count a write invoked while the fault was being injected as recovery", () => {
    // #2 is invoked inside the injection window [1000, 1010] and acked by the dying primary.
    const history = new HistoryBuilder()
      .write(0, 1, 900, "ok", 905, "east")
      .faultStart(0, 1000, 1010, { type: "region-outage", region: "east" })
      .write(0, 2, 1005, "ok", 1008, "east")
      .write(0, 3, 1100, "info", 2100, "timeout")
      .write(0, 4, 4000, "ok", 4020, "west")
      .build();
    const drill = sampleDrill({ workload: { ...sampleDrill().workload, clients: 1 } });
    const { rto } = run(history, [read("west", [1, 2, 4])], drill).measurements;
    assert.deepEqual(rto.perClient, [{ client: 0, rtoMs: 3020, gapMs: 3012 }]);
    assert.equal(rto.uncertaintyMs, 110);
  });
});

describe("lost-writes (RPO) checker", () => {
  it("finds no loss when the surviving primary holds every acknowledged write", () => {
    const { rpo } = run(failoverHistory()).measurements;
    assert.equal(rpo.survivingPrimary, "west");
    assert.equal(rpo.ackedWrites, 6);
    assert.equal(rpo.lostWrites, 0);
    assert.equal(rpo.lostWindowMs, 0);
    assert.deepEqual(rpo.lostIds, []);
    assert.equal(rpo.unexpectedWrites, 0);
    assert.equal(rpo.failedButPresent, 0);
  });

  it("counts an acknowledged write missing after failover as lost, with the exact ids and window", () => {
    const reads = [read("east", [1, 2, 3, 4]), read("west", [1, 2, 7, 8])];
    const { rpo } = run(failoverHistory(), reads).measurements;
    assert.equal(rpo.lostWrites, 2);
    assert.deepEqual(rpo.lostIds, [3, 4]);
    assert.equal(rpo.lostIdsTruncated, false);
    // Newest lost ack (#4 at 5003) - newest surviving ack before the oldest lost one (#2 at 210).
    assert.equal(rpo.lostWindowMs, 4793);
    assert.deepEqual(rpo.lostByRegion, { east: 2 });
  });

  it("reports lost writes still held by the restarted old primary as diverged", () => {
    const reads = [read("east", [1, 2, 3, 4]), read("west", [1, 2, 7, 8])];
    const summary = run(failoverHistory(), reads);
    const { rpo } = summary.measurements;
    assert.equal(rpo.divergedWrites, 2);
    assert.deepEqual(rpo.divergedIds, [3, 4]);
    assert.deepEqual(rpo.divergedOn, { east: 2 });
    assert.ok(summary.notes.some((n) => n.includes("diverged")));
  });

  it("counts an indeterminate write that later appears as recovered, not lost", () => {
    const { rpo } = run(failoverHistory(), [read("west", [1, 2, 3, 4, 5, 7, 8])]).measurements;
    assert.equal(rpo.indeterminateWrites, 1);
    assert.equal(rpo.recoveredWrites, 1);
    assert.equal(rpo.lostWrites, 0);
    assert.equal(rpo.unexpectedWrites, 0);
  });

  it("does not count an indeterminate write that never appears as lost", () => {
    const { rpo } = run(failoverHistory(), [read("west", [1, 2, 3, 4, 7, 8])]).measurements;
    assert.equal(rpo.indeterminateWrites, 1);
    assert.equal(rpo.recoveredWrites, 0);
    assert.equal(rpo.lostWrites, 0);
  });

  it("counts ids present that no client ever attempted as unexpected", () => {
    const { rpo } = run(failoverHistory(), [read("west", [1, 2, 3, 4, 7, 8, 99, 100])]).measurements;
    assert.equal(rpo.unexpectedWrites, 2);
    assert.deepEqual(rpo.unexpectedIds, [99, 100]);
  });

  it("flags a write reported as failed that is present on the surviving primary", () => {
    const summary = run(failoverHistory(), [read("west", [1, 2, 3, 4, 6, 7, 8])]);
    assert.equal(summary.measurements.rpo.failedButPresent, 1);
    assert.deepEqual(summary.measurements.rpo.failedButPresentIds, [6]);
    assert.ok(summary.notes.some((n) => n.startsWith("BUG: 1 write(s) reported to clients as failed")));
  });

  it("is inconclusive when the surviving primary is unreachable", () => {
    const reads = [
      read("east", [1, 2, 3, 4]),
      read("west", [], { reachable: false, role: "unknown", error: "down" }),
    ];
    const summary = run(failoverHistory(), reads);
    const { rpo } = summary.measurements;
    assert.equal(rpo.lostWrites, null);
    assert.equal(rpo.lostWindowMs, null);
    assert.equal(rpo.unexpectedWrites, null);
    assert.equal(rpo.reason, "the surviving primary west was unreachable: down");
    assert.ok(summary.notes.some((n) => n.startsWith("RPO inconclusive")));
  });

  it("judges the original primary when no failover happened", () => {
    const { rpo } = run(failoverHistory({ fault: false }), [
      read("east", [1, 2, 4]),
      read("west", [1, 2]),
    ]).measurements;
    assert.equal(rpo.survivingPrimary, "east");
    assert.deepEqual(rpo.lostIds, [3]);
    // Nothing before #3 (4910) survived except #2 at 210.
    assert.equal(rpo.lostWindowMs, 4700);
  });

  it("caps the listed lost ids at 1000 while counting all of them", () => {
    const h = new HistoryBuilder();
    for (let id = 1; id <= 1200; id++) h.write(0, id, id * 10, "ok", id * 10 + 1, "east");
    const { rpo } = run(h.build(), [read("east", [])]).measurements;
    assert.equal(rpo.lostWrites, 1200);
    assert.equal(rpo.lostIds.length, 1000);
    assert.equal(rpo.lostIdsTruncated, true);
  });
});

describe("split-brain checker", () => {
  it("detects the old primary acknowledging a write after the new one became writable", () => {
    const { splitBrain } = run(failoverHistory({ staleAckAfterWritable: true })).measurements;
    assert.equal(splitBrain.detected, true);
    assert.equal(splitBrain.writes, 1);
    assert.deepEqual(splitBrain.ids, [9]);
    assert.deepEqual(splitBrain.regions, ["east", "west"]);
    assert.equal(splitBrain.overlapFromMs, 7900);
    assert.equal(splitBrain.overlapToMs, 7960);
    assert.equal(splitBrain.overlapMs, 60);
  });

  it("does not detect split brain in a clean failover", () => {
    const { splitBrain } = run(failoverHistory()).measurements;
    assert.equal(splitBrain.detected, false);
    assert.equal(splitBrain.writes, 0);
  });

  it("notes acknowledged writes that name no region instead of judging them", () => {
    const history = new HistoryBuilder()
      .controller(1000, Events.writable, { region: "west" })
      .write(0, 1, 1100, "ok", 1110)
      .build();
    const summary = run(history, [read("west", [1])]);
    assert.equal(summary.measurements.splitBrain.detected, false);
    assert.equal(summary.measurements.splitBrain.unattributedWrites, 1);
    assert.ok(summary.notes.some((n) => n.startsWith("1 acknowledged write(s) named no region")));
  });

  it("does not blame the new primary for acks between its promote and writable events", () => {
    const history = new HistoryBuilder()
      .controller(1000, Events.promote, { region: "west" })
      .write(0, 1, 1000, "ok", 1005, "west")
      .controller(1010, Events.writable, { region: "west" })
      .write(0, 2, 1020, "ok", 1030, "west")
      .build();
    assert.equal(run(history, [read("west", [1, 2])]).measurements.splitBrain.detected, false);
  });
});

describe("throughput checker", () => {
  it("counts outcomes over the workload window and per phase around the fault", () => {
    const { throughput } = run(failoverHistory()).measurements;
    assert.equal(throughput.attempted, 8);
    assert.equal(throughput.ok, 6);
    assert.equal(throughput.fail, 1);
    assert.equal(throughput.info, 1);
    assert.equal(throughput.windowMs, 12_000);
    assert.equal(throughput.ackedPerSecond, 0.5);
    assert.deepEqual(
      throughput.phases.map((p) => [p.phase, p.ok, p.fail, p.info]),
      [
        ["before-fault", 3, 0, 0],
        ["during-fault", 3, 1, 1],
        ["after-heal", 0, 0, 0],
      ],
    );
  });

  it("counts a write that never completed as pending and indeterminate", () => {
    const history = new HistoryBuilder()
      .write(0, 1, 100, "ok", 110, "east")
      .write(0, 2, 200, "pending")
      .build();
    const summary = run(history, [read("east", [1])], sampleDrill({ faults: [] }));
    assert.equal(summary.measurements.throughput.pending, 1);
    assert.equal(summary.measurements.rpo.indeterminateWrites, 1);
    assert.equal(summary.measurements.rpo.lostWrites, 0);
  });
});

describe("timeline", () => {
  it("lists the failover events in time order with the probe failures summarised", () => {
    const { timeline } = run(failoverHistory());
    const events = timeline.map((e) => `${e.tMs} ${e.event}`);
    const expected = [
      "5000 fault 0 injected: region-outage of east (kill)",
      "5500 health probes of east start failing (3 in a row; first: ECONNREFUSED)",
      "7500 controller declares east down after 3 failed probes",
      "7510 controller fences east",
      "7520 controller promotes west",
      "7900 west writable (canary committed)",
      "7905 DNS db.drill.test -> 127.0.2.1 (west)",
      "7920 authoritative DNS answers 127.0.2.1",
      "9000 first client (0) resolves the new address",
      "9050 first client (0) write acknowledged after the fault",
      "9600 last client (1) resolves the new address",
      "9700 last client (1) write acknowledged after the fault: all clients recovered",
      "12100 workload ends",
    ];
    let at = -1;
    for (const e of expected) {
      const found = events.indexOf(e);
      assert.ok(found > at, `"${e}" missing or out of order in:\n${events.join("\n")}`);
      at = found;
    }
    assert.equal(events.filter((e) => e.includes("health probes")).length, 1);
    const times = timeline.map((e) => e.tMs);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });
});

describe("node summaries", () => {
  it("summarises final reads with counts and WAL distance from the surviving primary", () => {
    const { nodes } = run(failoverHistory());
    assert.deepEqual(nodes, [
      {
        node: "east",
        reachable: true,
        role: "primary",
        count: 4,
        walLsn: "0/3000000",
        walBytesFromSurvivor: -256,
      },
      {
        node: "west",
        reachable: true,
        role: "primary",
        count: 6,
        walLsn: "0/3000100",
        walBytesFromSurvivor: 0,
      },
    ]);
  });
});
