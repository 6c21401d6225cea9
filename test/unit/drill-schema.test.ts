import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { predict } from "../../src/checkers/predicted.ts";
import { DRILL_FIELDS } from "../../src/drill/fields.ts";
import { drillJsonSchema } from "../../src/drill/format/json-schema.ts";
import { DrillValidationError, parseDrill } from "../../src/drill/load.ts";
import {
  parseBandwidth,
  parseDuration,
  parseMicros,
  parseRate,
  parseSize,
} from "../../src/drill/duration.ts";
import { parseObjective } from "../../src/drill/objective.ts";
import { METRICS, METRIC_NAMES } from "../../src/objectives/metrics.ts";
import { resolveRef, schemaErrorsIn, type Schema } from "./json-schema-check.ts";

const schema = JSON.parse(await readFile("schema/drill.schema.json", "utf8")) as Schema;
const docs = await readFile("docs/drill-format.md", "utf8");
// Matrix files (a `base` drill and `parameters`) and suites (`entries`) live beside the drills; they
// have their own tests.
const isMatrix = (text: string): boolean => /^base:/m.test(text) && /^parameters:/m.test(text);
const isSuite = (text: string): boolean => /^entries:/m.test(text);
const DRILL_FILES: string[] = [];
for (const f of (await readdir("drills")).filter((name) => name.endsWith(".yaml"))) {
  const text = await readFile(join("drills", f), "utf8");
  if (!isMatrix(text) && !isSuite(text)) DRILL_FILES.push(join("drills", f));
}

const resolve = (node: Schema): Schema => resolveRef(node, schema);

/**
 * The property names the schema allows at each level, labelled the way src/drill/fields.ts labels them:
 * "" top level, `regions[]` list items, `faults[latency]` list items told apart by their `type` const.
 */
function schemaLevels(): Map<string, string[]> {
  const levels = new Map<string, string[]>();
  const walk = (raw: Schema, label: string): void => {
    const node = resolve(raw);
    if (node.type === "array" && node.items) return walk(node.items as Schema, `${label}[]`);
    if (Array.isArray(node.oneOf)) {
      for (const variant of node.oneOf as Schema[]) {
        const type = ((variant.properties as Record<string, Schema>).type as Schema).const as string;
        walk(variant, label.replace(/\[\]$/, `[${type}]`));
      }
      return;
    }
    const properties = node.properties as Record<string, Schema> | undefined;
    if (!properties) return;
    assert.equal(
      node.additionalProperties,
      false,
      `${label || "top level"} must set additionalProperties: false`,
    );
    levels.set(label, Object.keys(properties));
    for (const [key, child] of Object.entries(properties))
      walk(child, label === "" ? key : `${label}.${key}`);
  };
  walk(schema, "");
  return levels;
}

const schemaErrors = (value: unknown, raw: Schema): string[] => schemaErrorsIn(schema, value, raw);

/** A link fault with every shared field set, in the loader's field order, then its own fields. */
function linkFault(type: string, own: Record<string, unknown>): Record<string, unknown> {
  const shared = { region: "eu-west", links: ["replication"], direction: "upstream", toxicity: 0.25 };
  return { at: "1s", type, duration: "2s", ...shared, ...own };
}

/** A drill that sets every field the loader knows, at every level. */
const FULL_DRILL = {
  name: "full",
  description: "every field",
  platform: "docker",
  docker: { images: { postgres: "postgres:17", toxiproxy: "ghcr.io/shopify/toxiproxy:2.12.0" } },
  app: {
    image: "registry.example:5000/shop/orders:1.4",
    command: ["node", "server.js", "--listen={{HOST}}:{{PORT}}"],
    port: 3000,
    healthPath: "/ready",
    writePath: "/orders/{{id}}",
    env: { ORDERS_DB: "{{DATABASE_URL}}", REGION_NAME: "{{ REGION }}" },
  },
  regions: [
    { name: "us-east", role: "primary" },
    { name: "eu-west", role: "standby" },
    { name: "ap-south", role: "standby" },
  ],
  external: {
    toxiproxy: "http://staging-proxy:8474",
    regions: [
      {
        name: "us-east",
        endpoint: "10.0.1.5:8080",
        database: "postgres://drill@db1.us-east.test:5432/app",
        proxies: { client: "api-us-east", "app-db": "db-us-east", replication: { "eu-west": "wal-us-east" } },
      },
      { name: "eu-west", endpoint: "10.0.2.5:8080", database: "postgres://drill@db1.eu-west.test/app" },
      { name: "ap-south", endpoint: "10.0.3.5:8080", database: "postgres://drill@db1.ap-south.test/app" },
    ],
  },
  database: {
    engine: "postgres",
    replication: "semi-sync",
    synchronousCommit: "remote_apply",
    syncStandbys: 2,
    binDir: "/opt/pg/bin",
    settings: { work_mem: "4MB" },
  },
  network: { interRegionLatency: "20ms", pairs: [{ between: ["us-east", "ap-south"], latency: "80ms" }] },
  controller: {
    mode: "manual",
    manager: "builtin",
    healthCheck: { interval: "1s", timeout: "500ms", failureThreshold: 3 },
    onCallDelay: "5s",
    hooks: { status: "sh status.sh", fence: "sh fence.sh", promote: "sh promote.sh", timeout: "30s" },
  },
  dns: {
    name: "api.drill.test",
    ttl: "5s",
    server: "bind9",
    resolver: "unbound",
    resolverPlacement: "shared",
    unbound: {
      prefetch: true,
      serveExpired: true,
      serveExpiredTtl: "60s",
      serveExpiredReplyTtl: "5s",
      serveExpiredClientTimeout: "200ms",
      cacheMinTtl: "0s",
      cacheMaxTtl: "3600s",
    },
  },
  workload: {
    ops: "insert",
    keys: 8,
    clients: 4,
    rate: "400/s",
    duration: "30s",
    requestTimeout: "1s",
    retry: { attempts: 3, backoff: "100ms" },
    seed: 42,
    resolver: { shared: "60%", fixed: "30%", none: 0.1 },
    fixedCache: "30s",
    connections: { "keep-alive": "50%", "max-age": "50%" },
    maxConnectionAge: "20s",
  },
  faults: [
    { at: "10s", type: "region-outage", duration: "5s", region: "us-east", mode: "stop" },
    { at: "7s", type: "partition", duration: "2s", between: ["us-east", "eu-west"] },
    {
      at: "1s",
      type: "latency",
      duration: "4s",
      region: "us-east",
      links: ["client", "app-db"],
      direction: "downstream",
      toxicity: 0.5,
      latency: "200ms",
      jitter: "20ms",
    },
    linkFault("bandwidth", { rate: "64KB/s" }),
    linkFault("blackhole", { after: "2s" }),
    linkFault("reset-peer", { after: "100ms" }),
    linkFault("slow-close", { delay: "1s" }),
    linkFault("limit-data", { bytes: "64KB" }),
    linkFault("slicer", { averageSize: 64, sizeVariation: 16, delay: "500us" }),
    {
      at: "2s",
      type: "hook",
      duration: "1s",
      inject: "sh kill.sh",
      heal: "sh start.sh",
      timeout: "10s",
      region: "us-east",
    },
    { at: "3s", type: "clock-skew", duration: "2s", region: "eu-west", offset: "2s", direction: "behind" },
  ],
  recovery: { wait: "3s" },
  objectives: Object.fromEntries(
    METRICS.map((m) => [
      m.name,
      { ms: "< 20s", count: "<= 10", boolean: "== false", "per-second": ">= 1" }[m.unit],
    ]),
  ),
};

/**
 * A failover manager's own section is refused under any other manager (and pg_auto_failover runs on
 * platform local only), so it cannot sit in FULL_DRILL: a drill of its own sets it, and every field
 * of a level is set in FULL_DRILL or in one of these.
 */
const MANAGER_DRILLS: Record<string, unknown>[] = [
  {
    ...FULL_DRILL,
    name: "full-pg-auto-failover",
    platform: "local",
    docker: undefined,
    app: { ...FULL_DRILL.app, image: undefined },
    database: { ...FULL_DRILL.database, replication: "sync", syncStandbys: 1, binDir: undefined },
    controller: {
      manager: "pg_auto_failover",
      pgAutoFailover: {
        monitor: "eu-west",
        healthCheckPeriod: "1s",
        healthCheckTimeout: "2s",
        healthCheckMaxRetries: 1,
        healthCheckRetryDelay: "500ms",
        unhealthyTimeout: "5s",
        demoteTimeout: "5s",
        startupGracePeriod: "0s",
        networkPartitionTimeout: "10s",
      },
    },
  },
  {
    ...FULL_DRILL,
    name: "full-patroni",
    platform: "local",
    docker: undefined,
    app: { ...FULL_DRILL.app, image: undefined },
    database: { ...FULL_DRILL.database, replication: "sync", syncStandbys: 1 },
    controller: {
      manager: "patroni",
      routing: "haproxy",
      patroni: { ttl: "30s", loopWait: "10s", retryTimeout: "10s", dcs: "etcd", etcdPreVote: false },
      haproxy: { inter: "3s", fall: 3, rise: 2 },
    },
  },
  {
    ...FULL_DRILL,
    name: "full-active-active",
    platform: "local",
    docker: undefined,
    app: { ...FULL_DRILL.app, image: undefined },
    regions: [
      { name: "us-east", role: "primary", jurisdiction: "us" },
      { name: "eu-west", role: "standby", jurisdiction: "eu" },
      { name: "ap-south", role: "standby", jurisdiction: "eu" },
    ],
    database: { engine: "postgres", topology: "active-active", conflicts: "custom", merge: "max" },
    controller: { manager: "regional", healthCheck: FULL_DRILL.controller.healthCheck },
    workload: { ...FULL_DRILL.workload, ops: { set: "50%", add: "30%", insert: "20%" }, keys: 8 },
  },
].map((drill) => JSON.parse(JSON.stringify(drill)) as Record<string, unknown>);

/** Fields only a manager's drill may set: its own section (and the active-active drill's own fields). */
const MANAGER_FIELDS = new Set([
  "regions[].jurisdiction",
  "database.topology",
  "database.conflicts",
  "database.merge",
  "controller.pgAutoFailover",
  "controller.routing",
  "controller.patroni",
  "controller.haproxy",
]);

/** The first of FULL_DRILL and MANAGER_DRILLS that has the level. */
function drillWithLevel(label: string): Record<string, unknown> {
  for (const drill of [FULL_DRILL, ...MANAGER_DRILLS])
    if (levelObject(drill, label) !== undefined) return drill;
  throw new Error(`no full drill sets ${label}`);
}

/** The object at a level label in a drill (faults by type); undefined when the drill lacks it. */
function levelObject(drill: Record<string, unknown>, label: string): Record<string, unknown> {
  if (label === "") return drill;
  const fault = /^faults\[(.+)\]$/.exec(label);
  if (fault)
    return (drill.faults as Record<string, unknown>[]).find((f) => f.type === fault[1]) as Record<
      string,
      unknown
    >;
  // `a.b[]` is the first item of the list a.b.
  return label.split(".").reduce<Record<string, unknown>>((o, k) => {
    const list = /^(.+)\[\]$/.exec(k);
    if (list) return (o?.[list[1] as string] as Record<string, unknown>[])[0] as Record<string, unknown>;
    return o?.[k] as Record<string, unknown>;
  }, drill);
}

function problemsOf(text: string) {
  try {
    parseDrill(text, "generated.yaml");
    return [];
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems;
    throw err;
  }
}

describe("drill JSON Schema", () => {
  it("is the schema generated from the drill format's definition (npm run schema writes it)", () => {
    assert.deepEqual(schema, drillJsonSchema(), "schema/drill.schema.json is stale: run npm run schema");
  });

  it("names exactly the fields the loader accepts, at every level", () => {
    const fromSchema = Object.fromEntries([...schemaLevels()].filter(([label]) => label !== "objectives"));
    const fromLoader = Object.fromEntries(
      Object.entries(DRILL_FIELDS).map(([label, fields]) => [label, [...fields]]),
    );
    assert.deepEqual(fromSchema, fromLoader);
  });

  it("lists every metric as an objective, each with a limit pattern for its unit", () => {
    const objectives = (schema.properties as Record<string, Schema>).objectives as Schema;
    const properties = objectives.properties as Record<string, Schema>;
    assert.deepEqual(Object.keys(properties), [...METRIC_NAMES]);
    const unitDef = {
      ms: "msObjective",
      count: "countObjective",
      boolean: "booleanObjective",
      "per-second": "perSecondObjective",
    };
    for (const metric of METRICS)
      assert.equal(properties[metric.name]?.$ref, `#/$defs/${unitDef[metric.unit]}`);
  });

  it("describes a drill that uses every field, and the loader accepts that drill", () => {
    assert.deepEqual(schemaErrors(FULL_DRILL, schema), []);
    for (const [label, fields] of schemaLevels()) {
      const full = levelObject(FULL_DRILL, label);
      if (full === undefined) {
        const managers = MANAGER_DRILLS.map((d) => Object.keys(levelObject(d, label) ?? {}));
        assert.ok(
          managers.some((keys) => JSON.stringify(keys) === JSON.stringify(fields)),
          `a manager's full drill sets every field of ${label}`,
        );
        continue;
      }
      assert.deepEqual(
        Object.keys(full),
        fields.filter((f) => !MANAGER_FIELDS.has(label === "" ? f : `${label}.${f}`)),
        `FULL_DRILL sets every field of ${label} (but a manager's own section)`,
      );
    }
    const drill = parseDrill(stringify(FULL_DRILL), "full.yaml");
    assert.equal(drill.objectives.length, METRICS.length);
    for (const managerDrill of MANAGER_DRILLS) {
      assert.deepEqual(schemaErrors(managerDrill, schema), []);
      parseDrill(stringify(managerDrill), "full-manager.yaml");
    }
  });

  for (const label of Object.keys(DRILL_FIELDS)) {
    it(`makes the loader reject an unknown field at the level "${label || "top"}", as the schema does`, () => {
      const drill = structuredClone(drillWithLevel(label));
      levelObject(drill, label).bogusField = 1;
      assert.notDeepEqual(schemaErrors(drill, schema), []);
      const problems = problemsOf(stringify(drill));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]?.message ?? "", /^unknown field "bogusField"/);
      assert.match(problems[0]?.path ?? "", /bogusField$/);
    });
  }

  for (const file of DRILL_FILES) {
    it(`accepts ${file} in the loader and in the schema`, async () => {
      const text = await readFile(file, "utf8");
      const drill = parseDrill(text, file);
      // A stack whose own defaults fail over slower than that gets its predicted failover on top.
      const failoverMs = predict(drill).writableRangeMs?.[1] ?? 0;
      assert.ok(
        drill.workload.durationMs <= 30_000 + failoverMs,
        "example drills keep the workload within 30s",
      );
      assert.match(text, /^# yaml-language-server: \$schema=\.\.\/schema\/drill\.schema\.json$/m);
      assert.deepEqual(schemaErrors(parseYaml(text), schema), []);
    });
  }

  it("accepts the complete example in docs/drill-format.md in the loader and in the schema", () => {
    const example = /## A complete example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(example, "docs/drill-format.md has a complete example");
    const drill = parseDrill(example, "docs/drill-format.md");
    assert.equal(drill.faults.length, 4);
    assert.deepEqual(schemaErrors(parseYaml(example), schema), []);
  });

  const TWO_REGIONS = `name: t
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;
  /** The loader's and the schema's verdicts on one drill text: [loader accepts, schema accepts]. */
  const verdicts = (text: string): [boolean, boolean] => [
    problemsOf(text).length === 0,
    schemaErrors(parseYaml(text), schema).length === 0,
  ];

  it("accepts a docker drill that brings its own app in the loader and in the schema", () => {
    const text =
      `${TWO_REGIONS}platform: docker\n` +
      "docker: { images: { postgres: failover-drill/postgres:15-bookworm } }\n" +
      "app:\n  image: shop/orders:2\n  command: [./orders, --db, '{{DATABASE_URL}}']\n  port: 9000\n" +
      '  env: { ORDERS_PORT: "{{PORT}}", LOG_LEVEL: "debug" }\n' +
      "faults: [{ at: 5s, type: region-outage, region: us-east, mode: network }]\n";
    assert.deepEqual(verdicts(text), [true, true]);
    assert.deepEqual(parseDrill(text, "byo.yaml").app.command, ["./orders", "--db", "{{DATABASE_URL}}"]);
  });

  it("accepts the bring-your-own-app example in docs/drill-format.md in the loader and in the schema", () => {
    const example = /### `app`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    assert.ok(example, "docs/drill-format.md has an app example");
    assert.deepEqual(verdicts(TWO_REGIONS + example), [true, true]);
    assert.equal(parseDrill(TWO_REGIONS + example, "docs.yaml").app.env.ORDERS_DB, "{{DATABASE_URL}}");
  });

  it("rejects an unknown region-outage mode in the loader and in the schema", () => {
    for (const mode of ["kill", "stop", "pause", "network"]) {
      const text = `${TWO_REGIONS}faults: [{ at: 1s, type: region-outage, region: us-east, mode: ${mode} }]\n`;
      assert.deepEqual(verdicts(text), [true, true], mode);
    }
    const bad = `${TWO_REGIONS}faults: [{ at: 1s, type: region-outage, region: us-east, mode: freeze }]\n`;
    assert.deepEqual(verdicts(bad), [false, false]);
  });

  it("rejects app.image on the local platform in the loader and in the schema, and accepts it on docker", () => {
    const app = "app: { image: shop/orders:2 }\n";
    assert.deepEqual(verdicts(`${TWO_REGIONS}${app}`), [false, false]);
    assert.deepEqual(verdicts(`${TWO_REGIONS}platform: local\n${app}`), [false, false]);
    assert.deepEqual(verdicts(`${TWO_REGIONS}platform: docker\n${app}`), [true, true]);
    assert.deepEqual(verdicts(`${TWO_REGIONS}app: { command: [node, app.js] }\n`), [true, true]);
  });

  const grammars: Array<[string, (sample: string) => string, string[]]> = [
    [
      "image references",
      (image) =>
        `${TWO_REGIONS}platform: docker\ndocker: { images: { postgres: ${JSON.stringify(image)} } }\n`,
      [
        "postgres",
        "postgres:17",
        "ghcr.io/shopify/toxiproxy:2.12.0",
        "failover-drill/postgres:15-bookworm",
        "localhost:5000/shop/app",
        `app@sha256:${"a".repeat(64)}`,
        "my_app__x/y-z:Latest",
        "Postgres:17",
        "postgres:",
        "postgres 17",
        "-app",
        "a:b:c",
        "",
      ],
    ],
    [
      "templated env values",
      (value) => `${TWO_REGIONS}app: { env: { X: ${JSON.stringify(value)} } }\n`,
      [
        "{{PORT}}",
        "--port={{PORT}}",
        "{{ REGION }}",
        "{{DATABASE_URL}}?sslmode=disable",
        "{PORT}",
        "{{PORT}",
        "{{{PORT}}}",
        "",
        "{{PROT}}",
        "{{port}}",
        "{{}}",
        "{{id}}",
        "{{HOST}} and {{NOPE}}",
      ],
    ],
    [
      "write paths",
      (path) => `${TWO_REGIONS}app: { writePath: ${JSON.stringify(path)} }\n`,
      [
        "/writes/{{id}}",
        "/w?id={{id}}",
        "/{{id}}/{{id}}",
        "/writes",
        "writes/{{id}}",
        "/writes/{{ id }}",
        "/a/{{id}}/{{REGION}}",
        "/x/{{id}}/{{}}",
      ],
    ],
  ];
  for (const [what, drillWith, samples] of grammars) {
    it(`accepts the same ${what} in the loader and in the schema`, () => {
      const seen = new Set<boolean>();
      for (const sample of samples) {
        const [loader, fromSchema] = verdicts(drillWith(sample));
        assert.equal(fromSchema, loader, JSON.stringify(sample));
        seen.add(loader);
      }
      assert.equal(seen.size, 2, "the samples include accepted and rejected ones");
    });
  }

  const defs = schema.$defs as Record<string, Schema>;
  const stringPattern = (def: Schema) =>
    new RegExp(((def.anyOf as Schema[]).find((s) => s.type === "string") as Schema).pattern as string, "u");

  const durations = [
    "0",
    "0.0",
    "0s",
    "20ms",
    "1.5s",
    "2m",
    "1h",
    "5",
    "-1s",
    "1m30s",
    "10us",
    "1.s",
    " 1s",
    "1 s",
  ];
  it("matches the same duration strings as parseDuration", () => {
    const pattern = stringPattern(defs.duration as Schema);
    for (const text of durations) {
      const accepted = (() => {
        try {
          parseDuration(text);
          return true;
        } catch {
          return false;
        }
      })();
      // The loader trims surrounding spaces; the schema is stricter there, and only there.
      if (text.trim() === text) assert.equal(pattern.test(text), accepted, text);
    }
  });

  it("matches the same rate strings as parseRate", () => {
    const pattern = stringPattern(defs.rate as Schema);
    for (const text of ["400/s", "24000/m", "10/h", "400", "0.5/s", "400/d", "fast", "-1/s", "400/ s"]) {
      let accepted = true;
      try {
        parseRate(text);
      } catch {
        accepted = false;
      }
      assert.equal(pattern.test(text), accepted, text);
    }
  });

  const unitGrammars: Array<[string, (text: string) => number, string[]]> = [
    // Whole-unit rounding ("1.5B", "0.5us") is the loader's alone; the schema checks the shape.
    ["micros", parseMicros, ["0", "0.0", "500us", "2ms", "0.1s", "1.5ms", "5", "-1us", "10ns", "1m", " 1ms"]],
    [
      "size",
      parseSize,
      ["0", "512", "512B", "64KB", "1MB", "2GB", "1KiB", "1.5MB", "-1", "64kb", "64 KB", "1TB"],
    ],
    [
      "bandwidth",
      parseBandwidth,
      ["0", "0KB/s", "64KB/s", "1MB/s", "1000B/s", "1.5MB/s", "64KB", "64", "-1KB/s", "64KB/m", "64kb/s"],
    ],
  ];
  for (const [def, parse, samples] of unitGrammars) {
    it(`matches the same ${def} strings as the loader`, () => {
      const pattern = stringPattern(defs[def] as Schema);
      for (const text of samples) {
        let accepted = true;
        try {
          parse(text);
        } catch {
          accepted = false;
        }
        if (text.trim() === text) assert.equal(pattern.test(text), accepted, text);
      }
    });
  }

  it("matches the same objective limits as the objective parser, per unit", () => {
    const samples = [
      "< 20s",
      "<=500ms",
      "== 0",
      "> 0",
      "< 5000",
      "<= 5s",
      "== false",
      "!= true",
      "< true",
      "=< 1",
      ">= 100",
      ">= 6000/m",
      "> fast",
    ];
    const byUnit = {
      ms: "rto.max",
      count: "rpo.lostWrites",
      boolean: "splitBrain",
      "per-second": "throughput.ackedPerSecond",
    };
    const objectiveDefs = (schema.properties as Record<string, Schema>).objectives as Schema;
    for (const [unit, metric] of Object.entries(byUnit)) {
      const def = resolve((objectiveDefs.properties as Record<string, Schema>)[metric] as Schema);
      const pattern = new RegExp(def.pattern as string, "u");
      for (const text of samples) {
        let accepted = true;
        try {
          parseObjective(metric, text);
        } catch {
          accepted = false;
        }
        assert.equal(pattern.test(text), accepted, `${unit} ${JSON.stringify(text)}`);
      }
    }
  });
});

describe("docs/drill-format.md", () => {
  it("documents every objective metric", () => {
    const missing = METRIC_NAMES.filter((name) => !docs.includes(`| \`${name}\``));
    assert.deepEqual(missing, []);
  });

  it("documents every field the loader accepts", () => {
    const fields = new Set(Object.values(DRILL_FIELDS).flat());
    const missing = [...fields].filter((field) => !new RegExp(`\`(?:[\\w.]+\\.)?${field}\``).test(docs));
    assert.deepEqual(missing, []);
  });
});
