import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  DrillValidationError,
  formatProblem,
  loadDrill,
  parseDrill,
  type DrillProblem,
} from "../../src/drill/load.ts";
import type { Drill, Fault } from "../../src/drill/types.ts";
import { NO_RESOLVER } from "../../src/dns/site-resolvers.ts";

const INVALID_DIR = "fixtures/invalid-drills";

/** The example from the drill-format issue, every field written out. */
const ISSUE_EXAMPLE = `# yaml-language-server: $schema=../schema/drill.schema.json
name: region-outage
description: us-east goes dark; eu-west is promoted and DNS moves to it
platform: local
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
database: { engine: postgres, replication: async, binDir: /opt/pg/bin, settings: { work_mem: 4MB } }
network: { interRegionLatency: 20ms }
controller:
  mode: automatic
  healthCheck: { interval: 1s, timeout: 500ms, failureThreshold: 3 }
dns: { name: api.drill.test, ttl: 5s }
workload: { clients: 4, rate: 400/s, duration: 30s, requestTimeout: 1s }
faults:
  - { at: 10s, type: region-outage, region: us-east }
  - { at: 7s, type: partition, between: [us-east, eu-west], duration: 5s }
  - { at: 5s, type: latency, latency: 200ms, jitter: 20ms, region: us-east, links: [client, app-db], duration: 4s }
recovery: { wait: 3s }
objectives:
  rpo.lostWrites: "<= 5000"
  rto.max: "< 20s"
  splitBrain: "== false"
`;

const MINIMAL = `name: minimal
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;

/** What MINIMAL normalises to: every documented default, written out. */
const MINIMAL_DRILL: Drill = {
  name: "minimal",
  description: "",
  platform: "local",
  docker: {},
  // The test drills are named relative to the working directory, which is therefore their directory.
  app: { workingDir: process.cwd(), port: 8080, healthPath: "/health", writePath: "/writes/{{id}}", env: {} },
  regions: [
    { name: "us-east", role: "primary" },
    { name: "eu-west", role: "standby" },
  ],
  database: {
    engine: "postgres",
    topology: "primary-standby",
    replication: "async",
    synchronousCommit: "on",
    syncStandbys: 1,
    settings: {},
  },
  network: { interRegionLatencyMs: 0, pairs: [] },
  controller: {
    mode: "dns",
    manager: "builtin",
    healthCheck: { intervalMs: 1000, timeoutMs: 500, failureThreshold: 3 },
    onCallDelayMs: 0,
  },
  dns: { name: "api.drill.test", ttlMs: 5000, server: "embedded", ...NO_RESOLVER },
  workload: {
    keys: 16,
    clients: 4,
    ratePerSecond: 400,
    durationMs: 30_000,
    requestTimeoutMs: 1000,
    retry: { attempts: 1, backoffMs: 0 },
    resolver: { ttl: 1 },
    fixedCacheMs: 30_000,
    connections: { "keep-alive": 1 },
    maxConnectionAgeMs: 30_000,
  },
  faults: [],
  recovery: { waitMs: 3_000 },
  objectives: [],
};

function problemsOf(text: string, file = "drill.yaml"): DrillProblem[] {
  try {
    parseDrill(text, file);
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems;
    throw err;
  }
  assert.fail("expected the drill to be rejected");
}

describe("parseDrill", () => {
  it("normalises the issue's example into a Drill with every duration in milliseconds", () => {
    // The example writes out values equal to the defaults (controller, dns, workload, recovery).
    const expected: Drill = {
      ...MINIMAL_DRILL,
      name: "region-outage",
      description: "us-east goes dark; eu-west is promoted and DNS moves to it",
      database: { ...MINIMAL_DRILL.database, binDir: "/opt/pg/bin", settings: { work_mem: "4MB" } },
      network: { interRegionLatencyMs: 20, pairs: [] },
      faults: [
        { type: "region-outage", atMs: 10_000, region: "us-east", mode: "kill" },
        { type: "partition", atMs: 7_000, durationMs: 5_000, between: ["us-east", "eu-west"] },
        {
          type: "latency",
          atMs: 5_000,
          durationMs: 4_000,
          latencyMs: 200,
          jitterMs: 20,
          target: { region: "us-east", links: ["client", "app-db"] },
          direction: "both",
          toxicity: 1,
        },
      ],
      objectives: [
        { metric: "rpo.lostWrites", operator: "<=", limit: 5000, source: "<= 5000" },
        { metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" },
        { metric: "splitBrain", operator: "==", limit: 0, source: "== false" },
      ],
    };
    assert.deepEqual(parseDrill(ISSUE_EXAMPLE, "example.yaml"), expected);
  });

  it("fills in every documented default when only name and regions are given", () => {
    assert.deepEqual(parseDrill(MINIMAL, "minimal.yaml"), MINIMAL_DRILL);
  });

  it("treats an empty section as omitted so commented-out faults leave the defaults", () => {
    const drill = parseDrill(`${MINIMAL}faults:\nobjectives:\nworkload:\n  clients:\n`, "empty.yaml");
    assert.deepEqual(drill.faults, []);
    assert.deepEqual(drill.objectives, []);
    assert.equal(drill.workload.clients, 4);
  });

  it("defaults a region outage to kill, latency jitter to 0 and latency links to every kind", () => {
    const drill = parseDrill(
      `${MINIMAL}faults:\n  - { at: 1s, type: region-outage, region: eu-west }\n  - { at: 2s, type: latency, latency: 1ms }\n`,
      "d.yaml",
    );
    assert.deepEqual(drill.faults, [
      { type: "region-outage", atMs: 1000, region: "eu-west", mode: "kill" },
      { type: "latency", atMs: 2000, latencyMs: 1, jitterMs: 0, target: {}, direction: "both", toxicity: 1 },
    ]);
  });

  const LINK_FAULTS: [string, Fault][] = [
    [
      "{ at: 1s, type: latency, latency: 80ms, jitter: 5ms, direction: downstream, toxicity: 0.5 }",
      {
        type: "latency",
        atMs: 1000,
        latencyMs: 80,
        jitterMs: 5,
        target: {},
        direction: "downstream",
        toxicity: 0.5,
      },
    ],
    [
      "{ at: 1s, type: bandwidth, rate: 1MB/s, region: us-east, links: [client] }",
      {
        type: "bandwidth",
        atMs: 1000,
        target: { region: "us-east", links: ["client"] },
        direction: "both",
        toxicity: 1,
        attributes: { rate: 1000 },
      },
    ],
    [
      "{ at: 1s, type: blackhole }",
      {
        type: "blackhole",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 1,
        attributes: { timeout: 0 },
      },
    ],
    [
      "{ at: 1s, type: blackhole, after: 2s, direction: upstream }",
      {
        type: "blackhole",
        atMs: 1000,
        target: {},
        direction: "upstream",
        toxicity: 1,
        attributes: { timeout: 2000 },
      },
    ],
    [
      "{ at: 1s, duration: 8s, type: reset-peer, links: [replication], toxicity: 0.5, after: 100ms }",
      {
        type: "reset-peer",
        atMs: 1000,
        durationMs: 8000,
        target: { links: ["replication"] },
        direction: "both",
        toxicity: 0.5,
        attributes: { timeout: 100 },
      },
    ],
    [
      "{ at: 1s, type: reset-peer }",
      {
        type: "reset-peer",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 1,
        attributes: { timeout: 0 },
      },
    ],
    [
      "{ at: 1s, type: slow-close, delay: 1.5s, toxicity: 0 }",
      {
        type: "slow-close",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 0,
        attributes: { delay: 1500 },
      },
    ],
    [
      "{ at: 1s, type: limit-data, bytes: 64KB }",
      {
        type: "limit-data",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 1,
        attributes: { bytes: 64_000 },
      },
    ],
    [
      "{ at: 1s, type: limit-data, bytes: 100 }",
      {
        type: "limit-data",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 1,
        attributes: { bytes: 100 },
      },
    ],
    [
      "{ at: 1s, type: slicer, averageSize: 1KiB, sizeVariation: 100, delay: 500us }",
      {
        type: "slicer",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 1,
        attributes: { average_size: 1024, size_variation: 100, delay: 500 },
      },
    ],
    [
      "{ at: 1s, type: slicer, averageSize: 64 }",
      {
        type: "slicer",
        atMs: 1000,
        target: {},
        direction: "both",
        toxicity: 1,
        attributes: { average_size: 64, size_variation: 0, delay: 0 },
      },
    ],
  ];
  for (const [yaml, fault] of LINK_FAULTS) {
    it(`normalises the link fault ${yaml} to Toxiproxy's attribute names and units`, () => {
      assert.deepEqual(parseDrill(`${MINIMAL}faults:\n  - ${yaml}\n`, "d.yaml").faults, [fault]);
    });
  }

  const THREE_REGIONS = `name: three
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
  - { name: ap-south, role: standby }
`;

  it("reads sync and semi-sync replication with their commit level and standby count", () => {
    const sync = parseDrill(
      `${THREE_REGIONS}database: { replication: sync, synchronousCommit: remote_write, syncStandbys: 2 }\n`,
      "d.yaml",
    );
    assert.deepEqual(
      [sync.database.replication, sync.database.synchronousCommit, sync.database.syncStandbys],
      ["sync", "remote_write", 2],
    );
    const semi = parseDrill(`${MINIMAL}database: { replication: semi-sync }\n`, "d.yaml");
    assert.deepEqual(
      [semi.database.replication, semi.database.synchronousCommit, semi.database.syncStandbys],
      ["semi-sync", "on", 1],
    );
  });

  it("reads per-pair latency in either order of the pair next to the inter-region default", () => {
    const drill = parseDrill(
      `${THREE_REGIONS}network:\n  interRegionLatency: 10ms\n  pairs:\n` +
        `    - { between: [ap-south, us-east], latency: 80ms }\n    - { between: [eu-west, ap-south], latency: 0 }\n`,
      "d.yaml",
    );
    assert.deepEqual(drill.network, {
      interRegionLatencyMs: 10,
      pairs: [
        { between: ["ap-south", "us-east"], latencyMs: 80 },
        { between: ["eu-west", "ap-south"], latencyMs: 0 },
      ],
    });
  });

  it("reads the controller mode automatic as dns and keeps the others", () => {
    const modes = ["automatic", "dns", "client", "manual", "external"].map(
      (mode) => parseDrill(`${MINIMAL}controller: { mode: ${mode} }\n`, "d.yaml").controller.mode,
    );
    assert.deepEqual(modes, ["dns", "dns", "client", "manual", "external"]);
  });

  it("reads the on-call delay of a manual controller", () => {
    const drill = parseDrill(`${MINIMAL}controller: { mode: manual, onCallDelay: 2m }\n`, "d.yaml");
    assert.equal(drill.controller.onCallDelayMs, 120_000);
  });

  it("reads workload retries", () => {
    const drill = parseDrill(`${MINIMAL}workload: { retry: { attempts: 10, backoff: 250ms } }\n`, "d.yaml");
    assert.deepEqual(drill.workload.retry, { attempts: 10, backoffMs: 250 });
  });

  it("accepts nine regions, each a standby apart from the one primary", () => {
    const regions = Array.from(
      { length: 9 },
      (_, i) => `  - { name: r${i + 1}, role: ${i === 0 ? "primary" : "standby"} }`,
    );
    const drill = parseDrill(
      `name: nine\nregions:\n${regions.join("\n")}\ndatabase: { replication: semi-sync, syncStandbys: 8 }\n`,
      "d.yaml",
    );
    assert.equal(drill.regions.length, 9);
    assert.equal(drill.database.syncStandbys, 8);
  });

  it("reads rates per minute, per-second limits and postgresql.conf values of any scalar type", () => {
    const drill = parseDrill(
      `${MINIMAL}workload: { rate: 24000/m }\ndatabase: { settings: { fsync: off, max_connections: 200, "auto_explain.log_min_duration": 0 } }\n` +
        `objectives:\n  throughput.ackedPerSecond: ">= 6000/m"\n  rto.p99: "!= 0"\n`,
      "d.yaml",
    );
    assert.equal(drill.workload.ratePerSecond, 400);
    assert.deepEqual(drill.database.settings, {
      fsync: "off",
      max_connections: "200",
      "auto_explain.log_min_duration": "0",
    });
    assert.deepEqual(
      drill.objectives.map((o) => [o.metric, o.operator, o.limit]),
      [
        ["throughput.ackedPerSecond", ">=", 100],
        ["rto.p99", "!=", 0],
      ],
    );
  });

  it("follows YAML anchors and aliases", () => {
    const drill = parseDrill(
      `${MINIMAL}controller:\n  healthCheck: { interval: &probe 200ms, timeout: 100ms }\n` +
        `recovery: { wait: *probe }\n`,
      "anchors.yaml",
    );
    assert.deepEqual(drill.controller.healthCheck, { intervalMs: 200, timeoutMs: 100, failureThreshold: 3 });
    assert.equal(drill.recovery.waitMs, 200);
  });

  it("collects every problem instead of stopping at the first", () => {
    const problems = problemsOf(
      `name: Bad Name\nregions:\n  - { name: us-east, role: leader }\n  - { name: eu-west, role: standby }\n` +
        `workload: { clients: -1, rate: fast }\nrecovery: { wait: 5 }\n`,
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ["name", "regions[0].role", "workload.clients", "workload.rate", "recovery.wait"],
    );
  });

  it("reports problems in the order they appear in the file", () => {
    const problems = problemsOf(`objectives: { nope: "< 1s" }\nname: x\nregions: []\n`);
    const positions = problems.map((p) => (p.line ?? 0) * 1000 + (p.column ?? 0));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    assert.equal(problems.length, 2);
  });

  it("suggests the closest known field for a misspelt one", () => {
    const [problem] = problemsOf(`${MINIMAL}controller: { healthcheck: { interval: 1s } }\n`);
    assert.equal(problem?.path, "controller.healthcheck");
    assert.match(problem?.message ?? "", /unknown field "healthcheck"; did you mean "healthCheck"\?/);
  });

  it("lists the allowed fields when nothing is close", () => {
    const [problem] = problemsOf(`${MINIMAL}dns: { zone: example }\n`);
    assert.equal(
      problem?.message,
      'unknown field "zone"; expected one of: name, ttl, server, resolver, resolverPlacement, unbound',
    );
  });

  it("hints that objective expressions must be quoted when YAML reads them as syntax", () => {
    const [problem] = problemsOf(`${MINIMAL}objectives:\n  rpo.lostWindow: >= 2s\n`);
    assert.match(problem?.message ?? "", /^YAML syntax error: .*\(quote objective expressions: ">= 2s"\)$/);
    assert.equal(problem?.line, 6);
  });

  it("reports duplicate keys as a YAML error at the second occurrence", () => {
    const [problem] = problemsOf(`${MINIMAL}name: again\n`);
    assert.equal(problem?.line, 5);
    assert.match(problem?.message ?? "", /Map keys must be unique/);
  });

  it("rejects an empty file with a message saying what a drill needs", () => {
    const [problem] = problemsOf("# nothing here\n");
    assert.match(problem?.message ?? "", /empty; expected a mapping with at least name and regions/);
  });

  it("only allows == and != on boolean metrics", () => {
    const [problem] = problemsOf(`${MINIMAL}objectives: { splitBrain: "< true" }\n`);
    assert.equal(problem?.path, "objectives.splitBrain");
    assert.match(problem?.message ?? "", /only == and != apply/);
  });

  it("refuses a bare number as a limit for a duration metric", () => {
    const [problem] = problemsOf(`${MINIMAL}objectives: { rto.max: "< 5000" }\n`);
    assert.match(problem?.message ?? "", /rto\.max takes a duration like "20s".*bare number is ambiguous/);
  });

  it("checks the end of a fault against the workload duration after the workload's own default", () => {
    const [problem] = problemsOf(
      `${MINIMAL}faults: [{ at: 25s, type: partition, between: [us-east, eu-west], duration: 6s }]\n`,
    );
    assert.equal(problem?.path, "faults[0].duration");
    assert.match(problem?.message ?? "", /last until 31s but the workload ends at 30s/);
  });

  it("checks the fields of a fault against its type", () => {
    const [problem] = problemsOf(
      `${MINIMAL}faults: [{ at: 1s, type: region-outage, region: us-east, latency: 5ms }]\n`,
    );
    assert.equal(problem?.path, "faults[0].latency");
    assert.match(
      problem?.message ?? "",
      /unknown field "latency"; "latency" belongs in faults\[latency\]; expected one of: at, type, duration, region, mode$/,
    );
  });

  it("reports an interval at or below the default timeout on the interval", () => {
    const [problem] = problemsOf(`${MINIMAL}controller: { healthCheck: { interval: 500ms } }\n`);
    assert.equal(problem?.path, "controller.healthCheck.interval");
    assert.match(problem?.message ?? "", /greater than the timeout \(500ms, the default\)/);
  });

  it("sets the error's name and puts every formatted problem in its message", () => {
    assert.throws(
      () => parseDrill(`name: x\nregions: 3\nplatform: cloud\n`, "drills/x.yaml"),
      (err: Error) => {
        assert.equal(err.name, "DrillValidationError");
        assert.equal(
          err.message,
          "drills/x.yaml: 2 problems\n" +
            "drills/x.yaml:2:10 regions: expected a list, got the number 3\n" +
            'drills/x.yaml:3:11 platform: expected one of: local, docker, external, got "cloud"',
        );
        return true;
      },
    );
  });
});

describe("formatProblem", () => {
  it("names the file, line:column, field path and message", () => {
    const text = formatProblem({
      file: "drills/x.yaml",
      line: 12,
      column: 7,
      path: "faults[0].region",
      message: 'unknown region "us-wst"; expected one of: us-east, eu-west',
    });
    assert.equal(
      text,
      'drills/x.yaml:12:7 faults[0].region: unknown region "us-wst"; expected one of: us-east, eu-west',
    );
  });

  it("leaves out the position and path when the problem has none", () => {
    assert.equal(formatProblem({ file: "a.yaml", path: "", message: "cannot read" }), "a.yaml cannot read");
  });
});

describe("loadDrill", () => {
  it("loads a drill file from disk", async () => {
    const drill = await loadDrill("drills/region-outage.yaml");
    assert.equal(drill.name, "region-outage");
  });

  it("reports a missing file as a validation problem naming the file", async () => {
    await assert.rejects(loadDrill("drills/does-not-exist.yaml"), (err: Error) => {
      assert.ok(err instanceof DrillValidationError);
      assert.deepEqual(err.problems, [
        { file: "drills/does-not-exist.yaml", path: "", message: "cannot read the drill file: no such file" },
      ]);
      return true;
    });
  });
});

/** One invalid fixture per problem: where it is and what the message must say. */
const FIXTURES: Record<string, { at: [number, number]; path: string; message: RegExp }[]> = {
  "bad-drill-name.yaml": [
    { at: [1, 7], path: "name", message: /expected lowercase letters, digits and hyphens/ },
  ],
  "bad-region-role.yaml": [
    { at: [3, 28], path: "regions[0].role", message: /expected one of: primary, standby, got "leader"/ },
  ],
  "bare-number-duration.yaml": [
    { at: [6, 13], path: "workload.duration", message: /bare number is ambiguous/ },
  ],
  "duplicate-region-name.yaml": [
    { at: [4, 13], path: "regions[1].name", message: /"us-east" is already used by regions\[0\]/ },
  ],
  "failure-threshold-zero.yaml": [
    { at: [6, 36], path: "controller.healthCheck.failureThreshold", message: /must be at least 1, got 0/ },
  ],
  "fault-after-workload.yaml": [
    { at: [7, 11], path: "faults[0].at", message: /starts at 45s but the workload ends at 30s/ },
  ],
  "fault-outlasts-workload.yaml": [
    { at: [7, 72], path: "faults[0].duration", message: /last until 35s but the workload ends at 30s/ },
  ],
  "misplaced-field.yaml": [
    { at: [6, 3], path: "controller.interval", message: /"interval" belongs in controller\.healthCheck/ },
  ],
  "missing-name.yaml": [
    { at: [1, 1], path: "name", message: /missing required field; expected a drill name/ },
  ],
  "negative-duration.yaml": [
    { at: [6, 9], path: "recovery.wait", message: /must not be negative, got "-3s"/ },
  ],
  "no-primary.yaml": [
    { at: [3, 3], path: "regions", message: /exactly one region with role: primary, got none/ },
  ],
  "not-a-mapping.yaml": [
    { at: [1, 1], path: "", message: /expected a mapping of drill fields .*got a list/ },
  ],
  "objective-bad-operator.yaml": [
    {
      at: [6, 12],
      path: 'objectives["rto.max"]',
      message: /unknown operator "=<"; expected one of: < <= > >= == !=/,
    },
  ],
  "objective-unquoted.yaml": [{ at: [6, 20], path: "", message: /YAML syntax error: .*quote objective/ }],
  "objective-wrong-unit.yaml": [
    { at: [6, 19], path: 'objectives["rpo.lostWrites"]', message: /takes a whole number.*got "5s"/ },
  ],
  "one-region.yaml": [{ at: [3, 3], path: "regions", message: /at least 2 regions .*got 1/ }],
  "partition-with-itself.yaml": [
    { at: [6, 41], path: "faults[0].between", message: /cannot partition region "us-east" from itself/ },
  ],
  "several-problems.yaml": [
    { at: [7, 41], path: "controller.healthCheck.timeout", message: /less than the interval \(1s\).*got 2s/ },
    { at: [8, 40], path: "workload.requestTimout", message: /did you mean "requestTimeout"\?/ },
    {
      at: [10, 45],
      path: "faults[0].region",
      message: /unknown region "ap-south"; expected one of: us-east, eu-west/,
    },
    { at: [11, 11], path: "faults[1].at", message: /starts at 25s but the workload ends at 20s/ },
    { at: [13, 19], path: 'objectives["rpo.lostWrites"]', message: /takes a whole number.*got "none"/ },
  ],
  "timeout-not-below-interval.yaml": [
    { at: [8, 14], path: "controller.healthCheck.timeout", message: /must be less than the interval \(1s\)/ },
  ],
  "ttl-not-whole-seconds.yaml": [
    { at: [5, 13], path: "dns.ttl", message: /must be whole seconds.*got 1\.5s/ },
  ],
  "two-primaries.yaml": [
    {
      at: [3, 3],
      path: "regions",
      message: /exactly one region with role: primary, got 2 \(us-east, eu-west\)/,
    },
  ],
  "unknown-fault-region.yaml": [
    {
      at: [6, 45],
      path: "faults[0].region",
      message: /^unknown region "us-wst"; expected one of: us-east, eu-west$/,
    },
  ],
  "unknown-fault-type.yaml": [
    { at: [6, 21], path: "faults[0].type", message: /expected one of: region-outage, partition, latency/ },
  ],
  "unknown-field.yaml": [
    { at: [7, 3], path: "workload.rat", message: /unknown field "rat"; did you mean "rate"\?/ },
  ],
  "unknown-link-kind.yaml": [
    {
      at: [6, 62],
      path: "faults[0].links[1]",
      message: /expected one of: client, app-db, replication, got "database"/,
    },
  ],
  "unknown-metric.yaml": [
    {
      at: [6, 3],
      path: 'objectives["rto.maximum"]',
      message:
        /unknown metric "rto.maximum"; did you mean "rto.max"\? expected one of: detection, .*splitBrain/,
    },
  ],
  "unknown-platform.yaml": [
    { at: [5, 11], path: "platform", message: /expected one of: local, docker, external, got "kubernetes"/ },
  ],
  "unparseable-duration.yaml": [
    {
      at: [6, 23],
      path: "network.interRegionLatency",
      message: /expected a duration like .*got "20 millis"/,
    },
  ],
  "wrong-type.yaml": [
    { at: [6, 12], path: "workload.clients", message: /expected a whole number, got the string "four"/ },
  ],
  "yaml-syntax-error.yaml": [
    { at: [5, 1], path: "", message: /^YAML syntax error: Flow map .* end with a \}/ },
  ],
  "zero-clients.yaml": [{ at: [5, 22], path: "workload.clients", message: /must be at least 1, got 0/ }],
  "zero-rate.yaml": [{ at: [5, 19], path: "workload.rate", message: /must be greater than 0/ }],
  "too-many-regions.yaml": [{ at: [3, 3], path: "regions", message: /at most 9 regions .*got 10/ }],
  "unknown-replication-mode.yaml": [
    {
      at: [5, 26],
      path: "database.replication",
      message: /expected one of: async, sync, semi-sync, got "quorum"/,
    },
  ],
  "sync-settings-with-async.yaml": [
    {
      at: [5, 52],
      path: "database.synchronousCommit",
      message: /only applies to sync or semi-sync replication/,
    },
    { at: [5, 80], path: "database.syncStandbys", message: /only applies to sync or semi-sync replication/ },
  ],
  "bad-synchronous-commit.yaml": [
    {
      at: [5, 51],
      path: "database.synchronousCommit",
      message: /expected one of: remote_write, on, remote_apply, got "local"/,
    },
  ],
  "sync-standbys-exceed-standbys.yaml": [
    { at: [5, 46], path: "database.syncStandbys", message: /at most the number of standbys \(1\), got 2/ },
  ],
  "semi-sync-quorum-too-large.yaml": [
    {
      at: [6, 51],
      path: "database.syncStandbys",
      message: /at most the number of standbys in other regions \(2\), got 3/,
    },
  ],
  "pair-unknown-region.yaml": [
    {
      at: [5, 41],
      path: "network.pairs[0].between[1]",
      message: /unknown region "ap-south"; expected one of: us-east, eu-west/,
    },
  ],
  "pair-same-region.yaml": [
    {
      at: [5, 31],
      path: "network.pairs[0].between",
      message: /two different regions, got "eu-west" twice/,
    },
  ],
  "pair-given-twice.yaml": [
    {
      at: [8, 18],
      path: "network.pairs[1].between",
      message: /the pair eu-west, us-east is already given by network.pairs\[0\]/,
    },
  ],
  "pair-missing-latency.yaml": [
    {
      at: [5, 20],
      path: "network.pairs[0].latency",
      message: /missing required field; expected the one-way/,
    },
  ],
  "unknown-controller-mode.yaml": [
    {
      at: [5, 21],
      path: "controller.mode",
      message: /expected one of: dns, client, manual, external, automatic, got "auto"/,
    },
  ],
  "on-call-delay-without-manual.yaml": [
    {
      at: [5, 39],
      path: "controller.onCallDelay",
      message: /only applies to controller.mode manual \(mode is dns\)/,
    },
  ],
  "retry-too-many-attempts.yaml": [
    { at: [5, 32], path: "workload.retry.attempts", message: /must be at most 10, got 11/ },
  ],
  "retry-negative-backoff.yaml": [
    { at: [5, 44], path: "workload.retry.backoff", message: /must not be negative, got "-100ms"/ },
  ],
  "bad-direction.yaml": [
    {
      at: [6, 57],
      path: "faults[0].direction",
      message: /expected one of: upstream, downstream, both, got "sideways"/,
    },
  ],
  "toxicity-above-one.yaml": [
    { at: [6, 65], path: "faults[0].toxicity", message: /must be from 0 to 1, got 1.5/ },
  ],
  "empty-links.yaml": [
    { at: [6, 39], path: "faults[0].links", message: /expected at least one link kind .*omit links for all/ },
  ],
  "toxic-unknown-region.yaml": [
    { at: [6, 54], path: "faults[0].region", message: /unknown region "us-wst"; expected one of: us-east/ },
  ],
  "bandwidth-not-whole-kb.yaml": [
    { at: [6, 38], path: "faults[0].rate", message: /must be whole KB\/s .*got "64KiB\/s"/ },
  ],
  "bandwidth-bare-number.yaml": [
    { at: [6, 38], path: "faults[0].rate", message: /bare number is ambiguous; add a unit, e.g. "64KB\/s"/ },
  ],
  "negative-limit-data.yaml": [
    { at: [6, 40], path: "faults[0].bytes", message: /must not be negative, got -1/ },
  ],
  "negative-blackhole-after.yaml": [
    { at: [6, 39], path: "faults[0].after", message: /must not be negative, got "-1s"/ },
  ],
  "reset-after-not-whole-ms.yaml": [
    { at: [6, 40], path: "faults[0].after", message: /must be whole milliseconds .*got 0.5ms/ },
  ],
  "slow-close-missing-delay.yaml": [
    { at: [6, 5], path: "faults[0].delay", message: /missing required field; expected how long to hold/ },
  ],
  "slicer-variation-not-below-average.yaml": [
    {
      at: [6, 61],
      path: "faults[0].sizeVariation",
      message: /must be less than averageSize \(64 bytes\).*got 64/,
    },
  ],
  "slicer-bad-delay.yaml": [
    { at: [6, 54], path: "faults[0].delay", message: /expected a short duration like "500us".*got "10ns"/ },
  ],
  "field-of-another-fault-type.yaml": [
    {
      at: [6, 32],
      path: "faults[0].latency",
      message: /unknown field "latency"; "latency" belongs in faults\[latency\]; expected one of: at, type/,
    },
  ],
  "unknown-outage-mode.yaml": [
    {
      at: [6, 59],
      path: "faults[0].mode",
      message: /expected one of: kill, stop, pause, network, got "freeze"/,
    },
  ],
  "docker-bad-image.yaml": [
    {
      at: [8, 15],
      path: "docker.images.postgres",
      message: /expected an image reference like postgres:17 .*got "Postgres:17"/,
    },
  ],
  "docker-image-outside-images.yaml": [
    {
      at: [7, 3],
      path: "docker.postgres",
      message: /unknown field "postgres"; "postgres" belongs in docker\.images; expected one of: images$/,
    },
  ],
  "app-image-on-local.yaml": [
    { at: [6, 10], path: "app.image", message: /^needs platform: docker; on local use app\.command$/ },
  ],
  "app-command-string.yaml": [
    {
      at: [6, 12],
      path: "app.command",
      message: /expected a list of arguments .*not split into arguments\), got the string "node server.js"/,
    },
  ],
  "app-command-empty.yaml": [
    { at: [6, 12], path: "app.command", message: /expected at least one argument: the program to run/ },
  ],
  "app-command-number-argument.yaml": [
    {
      at: [6, 38],
      path: "app.command[3]",
      message: /expected a quoted string \(arguments are text\), got the number 8080/,
    },
  ],
  "app-port-out-of-range.yaml": [
    { at: [6, 38], path: "app.port", message: /must be at most 65535, got 70000/ },
  ],
  "app-health-path-relative.yaml": [
    { at: [6, 15], path: "app.healthPath", message: /expected a path starting with "\/".*got "health"/ },
  ],
  "app-write-path-without-id.yaml": [
    { at: [6, 14], path: "app.writePath", message: /must contain \{\{id\}\} where the write's id goes/ },
  ],
  "app-write-path-other-template.yaml": [
    {
      at: [6, 14],
      path: "app.writePath",
      message: /unexpected template \{\{REGION\}\}; only \{\{id\}\} .* is filled in/,
    },
  ],
  "app-env-unquoted-number.yaml": [
    {
      at: [7, 16],
      path: "app.env.POOL_SIZE",
      message: /expected a quoted string \(env values are text\), got the number 4/,
    },
  ],
  "app-env-bad-name.yaml": [
    { at: [7, 5], path: "app.env.ORDERS-DB", message: /expected an environment variable name/ },
  ],
  "app-unknown-template.yaml": [
    {
      at: [7, 16],
      path: "app.env.ORDERS_DB",
      message:
        /unknown template variable \{\{DATABASE_ULR\}\}; did you mean \{\{DATABASE_URL\}\}\? expected one of: \{\{REGION\}\}, \{\{HOST\}\}, \{\{PORT\}\}/,
    },
  ],
  "app-unquoted-template.yaml": [
    {
      at: [8, 7],
      path: "app.command[1]",
      message: /quote text that starts with a template: "\{\{PORT\}\}"/,
    },
  ],
  "app-working-dir.yaml": [
    {
      at: [7, 3],
      path: "app.workingDir",
      message: /unknown field "workingDir": the app's command runs from the drill file's directory/,
    },
  ],
};

describe("invalid drill fixtures", () => {
  it("has an expectation for every fixture file, and a file for every expectation", async () => {
    const files = (await readdir(INVALID_DIR)).filter((f) => f.endsWith(".yaml")).sort();
    assert.deepEqual(files, Object.keys(FIXTURES).sort());
  });

  for (const [name, expected] of Object.entries(FIXTURES)) {
    it(`rejects ${name} naming the file, line:column, field path and the expectation`, async () => {
      const file = join(INVALID_DIR, name);
      const err = await loadDrill(file).then(
        () => assert.fail(`${name} loaded without problems`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DrillValidationError, String(err));
      const formatted = err.problems.map(formatProblem);
      assert.equal(err.problems.length, expected.length, formatted.join("\n"));
      expected.forEach((want, i) => {
        const got = err.problems[i] as DrillProblem;
        assert.equal(got.file, file);
        assert.deepEqual([got.line, got.column], want.at, formatted[i]);
        assert.equal(got.path, want.path, formatted[i]);
        assert.match(got.message, want.message, formatted[i]);
        const [line, column] = want.at;
        assert.ok(formatted[i]?.startsWith(`${file}:${line}:${column} `), formatted[i]);
      });
    });
  }
});
