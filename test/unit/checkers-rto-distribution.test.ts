// The RTO as a distribution on a literal history: four clients of four profiles, one inside each kind
// of predicted range, one that never recovers because its fixed cache outlives the workload, and one
// slower than its range. Every figure below follows by hand from the times written here.
import assert from "node:assert/strict";
import { analyze } from "../../src/checkers/index.ts";
import { HistoryBuilder, sampleDrill } from "../../src/checkers/history-builder.ts";
import { histogram } from "../../src/checkers/rto-distribution.ts";
import { Events, Processes } from "../../src/history/types.ts";

const EAST = "127.0.1.1";
const WEST = "127.0.2.1";

// 4 clients at 20/s: one write per client every 200 ms. TTL 2 s, fixed cache 30 s, probes 1 s x 3 (+500 ms).
const drill = sampleDrill();
drill.workload = { ...drill.workload, clients: 4, ratePerSecond: 20, durationMs: 20_000 };

function history() {
  const h = new HistoryBuilder()
    .runner(0, Events.topologyUp, {
      regions: [
        { name: "east", address: EAST, role: "primary" },
        { name: "west", address: WEST, role: "standby" },
      ],
    })
    .runner(100, Events.population, {
      seed: 7,
      sharedResolvers: [],
      columns: ["client", "site", "resolver", "connections", "cacheAgeMs", "connectionAgeMs"],
      clients: [
        [0, "east", "shared", "keep-alive", 0, 0],
        [1, "west", "none", "per-request", 0, 0],
        [2, "east", "fixed", "keep-alive", 12_000, 0],
        [3, "west", "ttl", "max-age", 500, 3000],
      ],
    })
    .runner(100, Events.workloadStart);
  for (const client of [0, 1, 2, 3])
    h.write(client, client + 1, 200 + client * 50, "ok", 210 + client * 50, "east");
  h.faultStart(0, 5000, 5004, {
    type: "region-outage",
    region: "east",
    description: "region-outage of east (kill)",
  })
    .controller(7500, Events.primaryDown, { region: "east", consecutiveFailures: 3 })
    .controller(7900, Events.writable, { region: "west" })
    .controller(7905, Events.dnsUpdate, { name: "db.drill.test", address: WEST, region: "west" })
    .event(7920, Processes.dnsMonitor, Events.authoritativeAnswer, { address: WEST, ttlMs: 2000 })
    .write(1, 10, 8000, "ok", 8010, "west") // RTO 3010
    .write(0, 11, 9000, "ok", 9050, "west") // RTO 4050
    .write(2, 12, 9500, "fail", 9510, "ECONNREFUSED") // still on the old address
    .write(3, 13, 12_000, "fail", 12_004, "ECONNREFUSED")
    .write(3, 14, 12_990, "ok", 13_000, "west") // RTO 8000
    .runner(20_100, Events.workloadEnd, { scheduled: 400, dispatched: 400, allBusy: 0, stalled: 0 });
  return h.build();
}

const summary = analyze({ drill, history: history(), finalReads: [], startedAt: "2026-01-01T00:00:00.000Z" });
const { rto } = summary.measurements;

describe("RTO distribution checker", () => {
  it("reports the seed and how many clients had each profile", () => {
    assert.deepEqual(summary.population, {
      seed: 7,
      clients: 4,
      resolver: { shared: 1, none: 1, fixed: 1, ttl: 1 },
      connections: { "keep-alive": 2, "per-request": 1, "max-age": 1 },
    });
  });

  it("predicts each profile's range from shortest detection + promotion to longest detection + promotion + its hold time + one write interval + one request timeout", () => {
    // lower 2 x 1000 + 400 promotion; upper 3 x 1000 + 500 + 400 + 5 (DNS update) + hold + 200 + 1000.
    assert.deepEqual(
      rto.byProfile.map((p) => [p.resolver, p.connections, p.predictedRangeMs]),
      [
        ["fixed", "keep-alive", [2400, 35_105]],
        ["none", "per-request", [2400, 5105]],
        ["shared", "keep-alive", [2400, 7105]],
        ["ttl", "max-age", [2400, 7105]],
      ],
    );
    assert.deepEqual(rto.predictedRangeMs, [2400, 35_105]);
  });

  it("gives each profile its clients, how many recovered, and their median and worst RTO", () => {
    assert.deepEqual(
      rto.byProfile.map((p) => [p.resolver, p.clients, p.recovered, p.p50Ms, p.maxMs]),
      [
        ["fixed", 1, 0, null, null],
        ["none", 1, 1, 3010, 3010],
        ["shared", 1, 1, 4050, 4050],
        ["ttl", 1, 1, 8000, 8000],
      ],
    );
  });

  it("names each client outside its range with the reason: a fixed cache outliving the workload, a slow recovery and its last error", () => {
    assert.equal(rto.clientsOutside, 2);
    assert.deepEqual(
      rto.outside.map((o) => [o.client, o.rtoMs, o.reason]),
      [
        [
          2,
          null,
          "fixed resolver, keep-alive connections: never recovered; its cache keeps the old answer 30 s whatever the TTL, longer than the 15.1 s the workload ran after the fault",
        ],
        [
          3,
          8000,
          "ttl resolver, max-age connections: 8000 ms, above the predicted 7105 ms (last failure: ECONNREFUSED)",
        ],
      ],
    );
  });

  it("leaves the percentiles inconclusive while a client never recovered, but still draws the histogram of those who did", () => {
    assert.deepEqual([rto.p50Ms, rto.p90Ms, rto.maxMs], [null, null, null]);
    const filled = rto.histogram.filter((b) => b.clients > 0).map((b) => [b.fromMs, b.toMs]);
    assert.deepEqual(filled, [
      [3000, 3500],
      [4000, 4500],
      [8000, 8500],
    ]);
  });
});

describe("RTO histogram", () => {
  it("uses about a dozen buckets of a round width that cover every value", () => {
    const buckets = histogram([120, 180, 950, 1020, 2990]);
    assert.equal(buckets[0]!.fromMs, 0);
    assert.equal(buckets[1]!.fromMs - buckets[0]!.fromMs, 250);
    assert.equal(
      buckets.reduce((n, b) => n + b.clients, 0),
      5,
    );
    assert.ok(buckets.length <= 13);
    assert.ok(buckets.at(-1)!.toMs > 2990);
  });

  it("is empty without values and one bucket for equal values", () => {
    assert.deepEqual(histogram([]), []);
    assert.deepEqual(histogram([400, 400]), [{ fromMs: 400, toMs: 410, clients: 2 }]);
  });
});

describe("workload rate shortfall", () => {
  it("says when the workload sent less than 90% of the asked rate before the fault, and what each write could take", () => {
    const { throughput } = summary.measurements;
    assert.equal(throughput.askedPerSecond, 20);
    assert.equal(throughput.achievedPerSecond, 0.816); // 4 writes in the 4.9 s before the fault
    assert.ok(
      summary.notes.includes(
        "the workload sent 0.816/s of the asked 20/s before the fault (4%): with 4 client(s) and one write in " +
          "flight each, a write may take at most 200 ms on average to keep the rate; add clients, lower the " +
          "rate, or look at the write latency (figures per client are coarser)",
      ),
      summary.notes.join("\n"),
    );
  });
});
