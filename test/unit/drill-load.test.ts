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
import type { Drill } from "../../src/drill/types.ts";

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
    const expected: Drill = {
      name: "region-outage",
      description: "us-east goes dark; eu-west is promoted and DNS moves to it",
      platform: "local",
      regions: [
        { name: "us-east", role: "primary" },
        { name: "eu-west", role: "standby" },
      ],
      database: {
        engine: "postgres",
        replication: "async",
        binDir: "/opt/pg/bin",
        settings: { work_mem: "4MB" },
      },
      network: { interRegionLatencyMs: 20 },
      controller: {
        mode: "automatic",
        healthCheck: { intervalMs: 1000, timeoutMs: 500, failureThreshold: 3 },
      },
      dns: { name: "api.drill.test", ttlMs: 5000 },
      workload: { clients: 4, ratePerSecond: 400, durationMs: 30_000, requestTimeoutMs: 1000 },
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
        },
      ],
      recovery: { waitMs: 3_000 },
      objectives: [
        { metric: "rpo.lostWrites", operator: "<=", limit: 5000, source: "<= 5000" },
        { metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" },
        { metric: "splitBrain", operator: "==", limit: 0, source: "== false" },
      ],
    };
    assert.deepEqual(parseDrill(ISSUE_EXAMPLE, "example.yaml"), expected);
  });

  it("fills in every documented default when only name and regions are given", () => {
    const drill = parseDrill(MINIMAL, "minimal.yaml");
    assert.deepEqual(drill, {
      name: "minimal",
      description: "",
      platform: "local",
      regions: [
        { name: "us-east", role: "primary" },
        { name: "eu-west", role: "standby" },
      ],
      database: { engine: "postgres", replication: "async", settings: {} },
      network: { interRegionLatencyMs: 0 },
      controller: {
        mode: "automatic",
        healthCheck: { intervalMs: 1000, timeoutMs: 500, failureThreshold: 3 },
      },
      dns: { name: "api.drill.test", ttlMs: 5000 },
      workload: { clients: 4, ratePerSecond: 400, durationMs: 30_000, requestTimeoutMs: 1000 },
      faults: [],
      recovery: { waitMs: 3_000 },
      objectives: [],
    } satisfies Drill);
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
      { type: "latency", atMs: 2000, latencyMs: 1, jitterMs: 0, target: {} },
    ]);
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
    assert.equal(problem?.message, 'unknown field "zone"; expected one of: name, ttl');
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
            'drills/x.yaml:3:11 platform: expected one of: local, got "cloud"',
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
    { at: [5, 11], path: "platform", message: /expected one of: local, got "docker"/ },
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
