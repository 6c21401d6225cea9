// The suite file: its loader (every problem with file, line, field and what is expected), the
// overrides it applies to drills and matrices, its generated JSON Schema and the example in drills/.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { formatProblem } from "../../src/drill/load.ts";
import { SUITE_ENTRY_FIELDS, SUITE_FIELDS } from "../../src/suite/format.ts";
import { suiteJsonSchema } from "../../src/suite/json-schema.ts";
import { loadSuite, parseSuite, planSuite, SuiteValidationError } from "../../src/suite/load.ts";
import type { SuitePlan } from "../../src/suite/types.ts";
import { schemaErrorsIn, type Schema } from "./json-schema-check.ts";

const DRILL = `name: short-outage
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
database: { replication: async }
dns: { ttl: 5s }
workload: { duration: 20s }
faults:
  - { at: 10s, type: region-outage, region: us-east }
objectives:
  rto.max: "< 20s"
`;

const MATRIX = `name: repl
base: short.yaml
parameters:
  database.replication: [async, sync]
`;

const SUITE = `name: nightly
description: two drills and a matrix
entries:
  - drill: short.yaml
  - drill: short.yaml
    name: short-client
    set:
      controller.mode: client
      workload.duration: 15s
      objectives["rto.max"]: "< 9s"
  - matrix: repl.yaml
    repeat: 2
    set: { dns.ttl: 1s }
`;

/** Files by path under suites/, as planSuite reads them; anything else is missing. */
function reader(files: Record<string, string>) {
  return async (file: string): Promise<string> => {
    const text = files[path.relative("suites", file)];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: "ENOENT" });
    return text;
  };
}

const FILES = { "short.yaml": DRILL, "repl.yaml": MATRIX };

async function plan(suite: string, files: Record<string, string> = FILES): Promise<SuitePlan> {
  return planSuite(parseSuite(suite, "suites/s.yaml"), reader(files));
}

async function problems(suite: string, files: Record<string, string> = FILES): Promise<string[]> {
  try {
    await plan(suite, files);
  } catch (err) {
    if (err instanceof SuiteValidationError) return err.problems.map(formatProblem);
    throw err;
  }
  assert.fail("expected the suite to be rejected");
}

describe("parseSuite", () => {
  it("reads a webhook with when to call it, failure by default, and refuses a URL that is not http(s)", () => {
    const withNotify = (notify: string): string => SUITE.replace("entries:", `notify: ${notify}\nentries:`);
    assert.deepEqual(parseSuite(withNotify("{ url: http://127.0.0.1:9/hook }"), "suites/s.yaml").notify, {
      url: "http://127.0.0.1:9/hook",
      on: "failure",
    });
    assert.equal(
      parseSuite(withNotify("{ url: https://hooks.example/x, on: always }"), "suites/s.yaml").notify?.on,
      "always",
    );
    assert.throws(
      () => parseSuite(withNotify("{ url: ftp://example/x }"), "suites/s.yaml"),
      (err: unknown) =>
        err instanceof SuiteValidationError &&
        err.problems
          .map(formatProblem)
          .some((p) => /notify\.url: expected an http:\/\/ or https:\/\/ URL, got ftp:/.test(p)),
    );
  });

  it("reads entries in order with their files resolved against the suite file", () => {
    const spec = parseSuite(SUITE, "suites/s.yaml");
    assert.equal(spec.name, "nightly");
    assert.equal(spec.description, "two drills and a matrix");
    assert.equal(spec.out, "reports");
    assert.deepEqual(
      spec.entries.map((e) => [e.index, e.kind, e.file, e.path, e.name, e.repeat]),
      [
        [0, "drill", "short.yaml", path.join("suites", "short.yaml"), undefined, undefined],
        [1, "drill", "short.yaml", path.join("suites", "short.yaml"), "short-client", undefined],
        [2, "matrix", "repl.yaml", path.join("suites", "repl.yaml"), undefined, 2],
      ],
    );
    assert.deepEqual(
      spec.entries[1]?.overrides.map((o) => [o.path, o.value, o.valuePos]),
      [
        ["controller.mode", "client", { line: 8, column: 24 }],
        ["workload.duration", "15s", { line: 9, column: 26 }],
        ['objectives["rto.max"]', "< 9s", { line: 10, column: 30 }],
      ],
    );
  });

  it("keeps an absolute entry path as written", () => {
    const spec = parseSuite("name: s\nentries:\n  - drill: /abs/x.yaml\n", "suites/s.yaml");
    assert.equal(spec.entries[0]?.path, "/abs/x.yaml");
  });

  const rejected: Array<[string, string, string[]]> = [
    ["an empty file", "", ["s.yaml:1:1 the suite file is empty; expected name and entries"]],
    [
      "a list instead of a mapping",
      "- drill: a.yaml\n",
      ["s.yaml:1:1 expected a mapping (name, description, out, entries), got a list"],
    ],
    [
      "a YAML syntax error",
      "name: s\nentries: [\n",
      [
        "s.yaml:3:1 YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
    [
      "a missing name and no entries",
      "description: x\n",
      [
        "s.yaml:1:1 name: missing required field; expected a suite name like weekly",
        "s.yaml:1:1 entries: missing required field; expected a list of entries, each drill: FILE or " +
          "matrix: FILE (relative to this file), like - drill: region-outage.yaml",
      ],
    ],
    [
      "a misspelt top-level field and a bad name",
      "name: Weekly\nentrys: []\nentries: [{ drill: a.yaml }]\n",
      [
        's.yaml:2:1 entrys: unknown field "entrys"; did you mean "entries"? expected one of: name, description, out, notify, entries',
        's.yaml:1:7 name: expected lowercase letters, digits and hyphens (weekly), got "Weekly"',
      ],
    ],
    [
      "a drill field at the top level",
      "name: s\nworkload: { duration: 5s }\nentries: [{ drill: a.yaml }]\n",
      [
        's.yaml:2:1 workload: unknown field "workload"; expected one of: name, description, out, notify, entries ' +
          "(drill fields are set per entry, under set)",
      ],
    ],
    [
      "an empty entry list",
      "name: s\nentries: []\n",
      [
        "s.yaml:2:10 entries: expected at least one entry; a list of entries, each drill: FILE or " +
          "matrix: FILE (relative to this file), like - drill: region-outage.yaml",
      ],
    ],
    [
      "an entry that is a bare file name",
      "name: s\nentries:\n  - a.yaml\n",
      ['s.yaml:3:5 entries[0]: expected a mapping with drill: FILE or matrix: FILE, got the string "a.yaml"'],
    ],
    [
      "an entry naming neither drill nor matrix",
      "name: s\nentries:\n  - { name: x }\n",
      ["s.yaml:3:5 entries[0]: expected drill: FILE or matrix: FILE (what this entry runs)"],
    ],
    [
      "an entry naming both",
      "name: s\nentries:\n  - { drill: a.yaml, matrix: b.yaml }\n",
      ["s.yaml:3:30 entries[0].matrix: an entry runs one file: give drill or matrix, not both"],
    ],
    [
      "repeat on a drill",
      "name: s\nentries:\n  - { drill: a.yaml, repeat: 3 }\n",
      [
        "s.yaml:3:30 entries[0].repeat: repeat is for matrix entries (runs per cell); to run a drill " +
          "again, list it again with another name",
      ],
    ],
    [
      "a repeat below 1 and a bad entry name",
      "name: s\nentries:\n  - { matrix: m.yaml, repeat: 0, name: My_Matrix }\n",
      [
        's.yaml:3:40 entries[0].name: expected lowercase letters, digits and hyphens (client-failover), got "My_Matrix"',
        "s.yaml:3:31 entries[0].repeat: must be at least 1, got 0",
      ],
    ],
    [
      "a misspelt entry field",
      "name: s\nentries:\n  - { drill: a.yaml, sett: { dns.ttl: 1s } }\n",
      ['s.yaml:3:22 entries[0].sett: unknown field "sett"; did you mean "set"?'],
    ],
    [
      "a drill path that is not text",
      "name: s\nentries:\n  - { drill: [a.yaml] }\n",
      ["s.yaml:3:14 entries[0].drill: expected a file path relative to this suite file, got a list"],
    ],
    [
      "overrides that are not a mapping",
      "name: s\nentries:\n  - { drill: a.yaml, set: [dns.ttl] }\n",
      [
        "s.yaml:3:27 entries[0].set: expected a mapping of drill field paths to values, like " +
          "{ database.replication: sync, workload.duration: 20s }, got a list",
      ],
    ],
    [
      "an unreadable override path, one without a value and two setting one field",
      'name: s\nentries:\n  - drill: a.yaml\n    set:\n      "dns..ttl": 1s\n      dns.ttl:\n      dns: { ttl: 2s }\n      workload: { duration: 5s }\n      workload.duration: 6s\n',
      [
        's.yaml:5:7 entries[0].set["dns..ttl"]: cannot read the field path "dns..ttl": expected a field name after each dot',
        's.yaml:6:7 entries[0].set["dns.ttl"]: expected a value, written as in a drill file',
        's.yaml:9:7 entries[0].set["workload.duration"]: overlaps "workload"; each override must set a different field',
      ],
    ],
  ];
  for (const [what, text, expected] of rejected) {
    it(`rejects ${what}, naming the file, line, field and what is expected`, () => {
      try {
        parseSuite(text, "s.yaml");
      } catch (err) {
        assert.ok(err instanceof SuiteValidationError, String(err));
        assert.deepEqual(err.problems.map(formatProblem), expected);
        return;
      }
      assert.fail("expected the suite to be rejected");
    });
  }
});

describe("planSuite", () => {
  it("applies each entry's overrides to its drill and renames it when the entry is named", async () => {
    const { entries } = await plan(SUITE);
    const [first, second] = entries;
    assert.ok(first?.kind === "drill" && second?.kind === "drill");
    assert.equal(first.name, "short-outage");
    assert.equal(first.drill.controller.mode, "dns");
    assert.equal(first.drill.workload.durationMs, 20_000);
    assert.equal(second.name, "short-client");
    assert.equal(second.drill.name, "short-client");
    assert.equal(second.drill.controller.mode, "client");
    assert.equal(second.drill.workload.durationMs, 15_000);
    assert.deepEqual(
      second.drill.objectives.map((o) => [o.metric, o.source]),
      [["rto.max", "< 9s"]],
    );
  });

  it("applies a matrix entry's overrides to every cell and its repeat instead of the matrix's", async () => {
    const { entries } = await plan(SUITE);
    const matrix = entries[2];
    assert.ok(matrix?.kind === "matrix");
    assert.equal(matrix.name, "repl");
    assert.equal(matrix.plan.spec.repeat, 2);
    assert.deepEqual(
      matrix.plan.cells.map((c) => [c.drill.database.replication, c.drill.dns.ttlMs, c.drill.name]),
      [
        ["async", 1000, "short-outage"],
        ["sync", 1000, "short-outage"],
      ],
    );
  });

  it("renames a matrix, not its cells' drill, when the entry is named", async () => {
    const { entries } = await plan("name: s\nentries:\n  - { matrix: repl.yaml, name: repl-weekly }\n");
    assert.ok(entries[0]?.kind === "matrix");
    assert.equal(entries[0].plan.spec.name, "repl-weekly");
    assert.equal(entries[0].plan.baseDrill.name, "short-outage");
  });

  it("applies --platform to every entry", async () => {
    const spec = parseSuite(SUITE, "suites/s.yaml");
    const { entries } = await planSuite(spec, reader(FILES), { platform: "docker" });
    const drills = entries.flatMap((e) =>
      e.kind === "drill" ? [e.drill] : e.plan.cells.map((c) => c.drill),
    );
    assert.deepEqual(new Set(drills.map((d) => d.platform)), new Set(["docker"]));
  });

  it("points a value an override makes invalid at the override, with the drill loader's message", async () => {
    const found = await problems(
      "name: s\nentries:\n  - drill: short.yaml\n    set:\n      database.replication: quorum\n      dns.tll: 3s\n",
    );
    assert.deepEqual(found, [
      'suites/s.yaml:5:29 entries[0].set["database.replication"]: expected one of: async, sync, semi-sync, got "quorum" (in short.yaml)',
      'suites/s.yaml:6:7 entries[0].set["dns.tll"]: unknown field "tll"; did you mean "ttl"? (in short.yaml)',
    ]);
  });

  it("points a problem an override causes at another field back at the override", async () => {
    const found = await problems(
      "name: s\nentries:\n  - { drill: short.yaml, set: { workload.duration: 5s } }\n",
    );
    assert.deepEqual(found, [
      'suites/s.yaml:3:52 entries[0].set["workload.duration"]: faults[0].at: starts at 10s but the workload ' +
        "ends at 5s (workload.duration) (in short.yaml)",
    ]);
  });

  it("refuses an override whose path leads nowhere in the drill, and still checks the others", async () => {
    const found = await problems(
      'name: s\nentries:\n  - { drill: short.yaml, set: { "faults[2].at": 1s, platform: dockr } }\n',
    );
    assert.deepEqual(found, [
      'suites/s.yaml:3:33 entries[0].set["faults[2].at"]: faults has 1 item, so [2] names nothing in short.yaml',
      'suites/s.yaml:3:63 entries[0].set.platform: expected one of: local, docker, external, got "dockr"; ' +
        'did you mean "docker"? (in short.yaml)',
    ]);
  });

  it("reports a drill file's own problems at its own lines", async () => {
    const found = await problems("name: s\nentries:\n  - drill: short.yaml\n", {
      "short.yaml": DRILL.replace("replication: async", "replication: asink"),
    });
    assert.deepEqual(found, [
      `${path.join("suites", "short.yaml")}:5:26 database.replication: expected one of: async, sync, semi-sync, got "asink"; did you mean "async"?`,
    ]);
  });

  it("names a missing drill or matrix file at the entry", async () => {
    const found = await problems("name: s\nentries:\n  - drill: gone.yaml\n  - matrix: gone.yaml\n");
    assert.deepEqual(found, [
      `suites/s.yaml:3:12 entries[0].drill: cannot read the drill file ${path.join("suites", "gone.yaml")}: no such file`,
      `suites/s.yaml:4:13 entries[1].matrix: cannot read the matrix file ${path.join("suites", "gone.yaml")}: no such file`,
    ]);
  });

  it("reports a matrix's own problems in the matrix file, and a missing base drill there", async () => {
    const found = await problems(
      "name: s\nentries:\n  - matrix: repl.yaml\n  - { matrix: other.yaml, name: o }\n",
      {
        ...FILES,
        "repl.yaml": MATRIX.replace("[async, sync]", "[async, quorum]"),
        "other.yaml": MATRIX.replace("short.yaml", "nope.yaml"),
      },
    );
    assert.equal(found.length, 2, found.join("\n"));
    assert.match(
      found[0] ?? "",
      /repl\.yaml:4:33 cell 2 \(database\.replication=quorum\): database\.replication: expected one of/,
    );
    assert.match(
      found[1] ?? "",
      /other\.yaml:2:7 base: cannot read the base drill .*nope\.yaml: no such file/,
    );
  });

  it("refuses an override of a field the matrix varies", async () => {
    const found = await problems(
      "name: s\nentries:\n  - { matrix: repl.yaml, set: { database: { replication: sync } } }\n",
    );
    assert.deepEqual(found, [
      'suites/s.yaml:3:33 entries[0].set.database: overlaps "database.replication", a parameter of the matrix ' +
        "repl.yaml, which sets it in its cells; remove the override or change the matrix",
    ]);
  });

  it("refuses two entries that would share a report directory, and a suite named as an entry", async () => {
    const found = await problems(
      "name: short-outage\nentries:\n  - drill: short.yaml\n  - drill: short.yaml\n  - { drill: short.yaml, name: repl }\n  - matrix: repl.yaml\n",
    );
    assert.deepEqual(found, [
      'suites/s.yaml:1:7 name: the suite is named "short-outage" as entries[0] is, so both would write ' +
        "reports/short-outage/; rename the suite or give the entry a name",
      'suites/s.yaml:4:12 entries[1]: runs under the name "short-outage" as entries[0] does; give it its own ' +
        "name (name: ...) so its reports and trend store are its own",
      'suites/s.yaml:6:13 entries[3]: runs under the name "repl" as entries[2] does; give it its own name ' +
        "(name: ...) so its reports and trend store are its own",
    ]);
  });

  it("names an unreadable suite file", async () => {
    await assert.rejects(loadSuite("no/such/suite.yaml"), (err: unknown) => {
      assert.ok(err instanceof SuiteValidationError);
      assert.deepEqual(err.problems.map(formatProblem), [
        "no/such/suite.yaml cannot read the suite file: no such file",
      ]);
      return true;
    });
  });
});

const suiteSchema = JSON.parse(await readFile("schema/suite.schema.json", "utf8")) as Schema;

describe("the weekly suite in drills/", () => {
  it("loads with every entry the issue asks for", async () => {
    const { spec, entries } = await loadSuite("drills/weekly.yaml");
    assert.equal(spec.name, "weekly");
    assert.deepEqual(
      entries.map((e) => [e.kind, e.name]),
      [
        ["drill", "region-outage"],
        ["drill", "replication-cut-before-outage"],
        ["drill", "primary-brownout"],
        ["drill", "client-failover"],
        ["matrix", "sync-vs-async"],
      ],
    );
    const client = entries[3];
    assert.ok(client?.kind === "drill");
    assert.equal(client.drill.controller.mode, "client");
    const matrix = entries[4];
    assert.ok(matrix?.kind === "matrix");
    assert.deepEqual(
      matrix.plan.cells.map((c) => c.drill.database.replication),
      ["async", "sync"],
    );
  });

  it("points editors at the suite schema and matches it", async () => {
    const text = await readFile("drills/weekly.yaml", "utf8");
    assert.match(text, /^# yaml-language-server: \$schema=\.\.\/schema\/suite\.schema\.json$/m);
    assert.deepEqual(schemaErrorsIn(suiteSchema, parseYaml(text), suiteSchema), []);
  });
});

describe("suite JSON Schema", () => {
  it("is the schema generated from the suite format's definition (npm run schema writes it)", () => {
    assert.deepEqual(suiteSchema, suiteJsonSchema(), "schema/suite.schema.json is stale: run npm run schema");
  });

  it("names exactly the fields the suite loader accepts, at the top and in an entry", () => {
    assert.deepEqual(Object.keys(suiteSchema.properties as Schema), [...SUITE_FIELDS]);
    const entries = (suiteSchema.properties as Record<string, Schema>).entries as Schema;
    assert.deepEqual(Object.keys((entries.items as Schema).properties as Schema), [...SUITE_ENTRY_FIELDS]);
  });

  const verdicts = (text: string): [boolean, boolean] => {
    let loader = true;
    try {
      parseSuite(text, "s.yaml");
    } catch (err) {
      if (!(err instanceof SuiteValidationError)) throw err;
      loader = false;
    }
    return [loader, schemaErrorsIn(suiteSchema, parseYaml(text), suiteSchema).length === 0];
  };

  it("accepts a suite with a drill and a matrix in the loader and in the schema", () => {
    assert.deepEqual(verdicts(SUITE), [true, true]);
  });

  const rejected: Array<[string, string]> = [
    ["an unknown field", "name: s\nentries: [{ drill: a.yaml }]\nschedule: weekly\n"],
    ["a bad name", "name: S S\nentries: [{ drill: a.yaml }]\n"],
    ["no entries", "name: s\nentries: []\n"],
    ["an entry with neither file", "name: s\nentries: [{ name: x }]\n"],
    ["an entry with both files", "name: s\nentries: [{ drill: a.yaml, matrix: b.yaml }]\n"],
    ["repeat on a drill", "name: s\nentries: [{ drill: a.yaml, repeat: 2 }]\n"],
    ["a repeat below 1", "name: s\nentries: [{ matrix: a.yaml, repeat: 0 }]\n"],
    ["an unknown entry field", "name: s\nentries: [{ drill: a.yaml, sets: {} }]\n"],
  ];
  for (const [what, text] of rejected) {
    it(`rejects ${what} in the loader and in the schema`, () => {
      assert.deepEqual(verdicts(text), [false, false]);
    });
  }
});
