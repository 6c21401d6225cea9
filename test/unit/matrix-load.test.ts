import assert from "node:assert/strict";
import { access, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { parseDocument } from "yaml";
import { formatProblem, type DrillProblem } from "../../src/drill/load.ts";
import {
  expandCells,
  loadMatrix,
  MatrixValidationError,
  parseMatrix,
  planMatrix,
} from "../../src/matrix/load.ts";
import { formatPath, ParameterPathError, parsePath, setPath } from "../../src/matrix/path.ts";
import type { MatrixSpec } from "../../src/matrix/types.ts";

const INVALID_DIR = "fixtures/invalid-matrices";

const BASE = `name: short-outage
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
database: { replication: async }
dns: { ttl: 5s }
workload: { duration: 20s }
faults:
  - { at: 10s, type: region-outage, region: us-east }
`;

const MATRIX = `name: seed-tradeoffs
description: replication against TTL
base: base.yaml
repeat: 3
parameters:
  database.replication: [async, sync, semi-sync]
  dns.ttl: [1s, 5s]
  workload.duration: 15s
`;

function problemsOf(run: () => unknown): DrillProblem[] {
  try {
    run();
  } catch (err) {
    if (err instanceof MatrixValidationError) return err.problems;
    throw err;
  }
  assert.fail("expected the matrix to be rejected");
}

describe("parsePath", () => {
  it("splits dotted paths, list indexes and quoted keys", () => {
    assert.deepEqual(parsePath("database.replication"), ["database", "replication"]);
    assert.deepEqual(parsePath("faults[0].at"), ["faults", 0, "at"]);
    assert.deepEqual(parsePath('objectives["rto.max"]'), ["objectives", "rto.max"]);
  });

  it("spells a path the way the drill loader names fields in its problems", () => {
    assert.equal(formatPath(parsePath("faults[1].between")), "faults[1].between");
    assert.equal(formatPath(parsePath('objectives["rpo.lostWrites"]')), 'objectives["rpo.lostWrites"]');
  });

  for (const bad of ["", "dns..ttl", "dns.", ".dns", "dns[x]", "[0].at", "dns ttl"]) {
    it(`refuses the unreadable path ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parsePath(bad), ParameterPathError);
    });
  }
});

describe("setPath", () => {
  const apply = (text: string, path: string, value: unknown): unknown => {
    const doc = parseDocument(text);
    setPath(doc, parsePath(path), value);
    return parseDocument(String(doc)).toJS();
  };

  it("replaces a value in a nested flow mapping", () => {
    const out = apply(BASE, "database.replication", "sync") as { database: unknown };
    assert.deepEqual(out.database, { replication: "sync" });
  });

  it("creates the mappings a path needs when the base drill leaves them out", () => {
    const out = apply(BASE, "controller.healthCheck.interval", "500ms") as { controller: unknown };
    assert.deepEqual(out.controller, { healthCheck: { interval: "500ms" } });
  });

  it("fills a section the base drill left empty", () => {
    const out = apply("name: x\nnetwork:\n", "network.interRegionLatency", "20ms") as { network: unknown };
    assert.deepEqual(out.network, { interRegionLatency: "20ms" });
  });

  it("sets a field of an existing list item", () => {
    const out = apply(BASE, "faults[0].at", "5s") as { faults: unknown };
    assert.deepEqual(out.faults, [{ at: "5s", type: "region-outage", region: "us-east" }]);
  });

  it("sets a key that contains dots", () => {
    const out = apply(BASE, 'objectives["rto.max"]', "< 10s") as { objectives: unknown };
    assert.deepEqual(out.objectives, { "rto.max": "< 10s" });
  });

  it("keeps a string that looks like a number a string", () => {
    const out = apply(BASE, "description", "123") as { description: unknown };
    assert.equal(out.description, "123");
  });

  it("refuses an index past the end of a list", () => {
    assert.throws(() => apply(BASE, "faults[1].at", "5s"), /faults has 1 item, so \[1\] names nothing/);
  });

  it("refuses a field under a scalar", () => {
    assert.throws(() => apply(BASE, "dns.ttl.seconds", 1), /dns.ttl is not a mapping/);
  });
});

describe("parseMatrix", () => {
  it("reads the issue's example with defaults for what it leaves out", () => {
    const spec = parseMatrix(MATRIX, "matrices/m.yaml");
    assert.equal(spec.name, "seed-tradeoffs");
    assert.equal(spec.repeat, 3);
    assert.equal(spec.basePath, join("matrices", "base.yaml"));
    assert.deepEqual(
      spec.parameters.map((p) => [p.path, p.values]),
      [
        ["database.replication", ["async", "sync", "semi-sync"]],
        ["dns.ttl", ["1s", "5s"]],
        ["workload.duration", ["15s"]],
      ],
    );
    assert.deepEqual(spec.exclude, []);
    assert.deepEqual(spec.include, []);
    assert.deepEqual(spec.positions.values["dns.ttl"], [
      { line: 7, column: 13 },
      { line: 7, column: 17 },
    ]);
  });

  it("defaults repeat to 1", () => {
    const spec = parseMatrix("name: m\nbase: b.yaml\nparameters: { dns.ttl: [1s] }\n", "m.yaml");
    assert.equal(spec.repeat, 1);
  });

  it("reports every problem at once, each with line and column", () => {
    const problems = problemsOf(() =>
      parseMatrix("name: Bad\nrepeat: -1\nparameters: { dns.ttl: [] }\ncells: 3\n", "m.yaml"),
    );
    assert.deepEqual(problems.map(formatProblem), [
      'm.yaml:4:1 cells: unknown field "cells"; expected one of: name, description, base, repeat, ' +
        "parameters, exclude, include (drill fields are set under parameters, by path)",
      'm.yaml:1:7 name: expected lowercase letters, digits and hyphens (seed-tradeoffs), got "Bad"',
      "m.yaml:1:1 base: missing required field; expected the base drill file, relative to this file (region-outage.yaml)",
      "m.yaml:2:9 repeat: must be at least 1, got -1",
      'm.yaml:3:24 parameters["dns.ttl"]: expected at least one value',
    ]);
  });

  it("refuses two parameters that set the same field", () => {
    const problems = problemsOf(() =>
      parseMatrix("name: m\nbase: b.yaml\nparameters:\n  dns: [{ ttl: 1s }]\n  dns.ttl: [2s]\n", "m.yaml"),
    );
    assert.match(problems[0]?.message ?? "", /overlaps parameter "dns"/);
  });

  it("refuses an exclusion whose value is not one of the parameter's values", () => {
    const problems = problemsOf(() =>
      parseMatrix(
        "name: m\nbase: b.yaml\nparameters: { dns.ttl: [1s, 2s] }\nexclude: [{ dns.ttl: 3s }]\n",
        "m.yaml",
      ),
    );
    assert.match(
      problems[0]?.message ?? "",
      /3s is not a value of dns.ttl \(1s, 2s\), so this excludes nothing/,
    );
  });

  it("refuses a matrix whose exclusions leave no cell", () => {
    const problems = problemsOf(() =>
      parseMatrix(
        "name: m\nbase: b.yaml\nparameters: { dns.ttl: [1s, 2s] }\nexclude: [{ dns.ttl: 1s }, { dns.ttl: 2s }]\n",
        "m.yaml",
      ),
    );
    assert.match(problems[0]?.message ?? "", /excludes every cell/);
  });

  it("refuses an include that repeats a grid cell", () => {
    const problems = problemsOf(() =>
      parseMatrix(
        "name: m\nbase: b.yaml\nparameters: { dns.ttl: [1s, 2s] }\ninclude: [{ dns.ttl: 2s }]\n",
        "m.yaml",
      ),
    );
    assert.equal(problems[0]?.path, "include[0]");
    assert.equal(problems[0]?.message, "repeats cell 2 (dns.ttl=2s); remove one");
  });
});

describe("expandCells", () => {
  const spec = (extra = ""): MatrixSpec => parseMatrix(MATRIX + extra, "m.yaml");

  it("varies the first parameter slowest, like nested loops in the order written", () => {
    const { cells, columns, fixed } = expandCells(spec());
    assert.deepEqual(columns, ["database.replication", "dns.ttl"]);
    assert.deepEqual(fixed, { "workload.duration": "15s" });
    assert.deepEqual(
      cells.map((c) => [c.index, c.assignments["database.replication"], c.assignments["dns.ttl"]]),
      [
        [1, "async", "1s"],
        [2, "async", "5s"],
        [3, "sync", "1s"],
        [4, "sync", "5s"],
        [5, "semi-sync", "1s"],
        [6, "semi-sync", "5s"],
      ],
    );
    assert.ok(cells.every((c) => c.assignments["workload.duration"] === "15s"));
  });

  it("names each cell's directory after its index and varied values", () => {
    const { cells } = expandCells(spec());
    assert.deepEqual(
      cells.map((c) => c.slug),
      [
        "01-replication-async-ttl-1s",
        "02-replication-async-ttl-5s",
        "03-replication-sync-ttl-1s",
        "04-replication-sync-ttl-5s",
        "05-replication-semi-sync-ttl-1s",
        "06-replication-semi-sync-ttl-5s",
      ],
    );
  });

  it("skips the cells an exclusion matches and renumbers the rest", () => {
    const { cells } = expandCells(spec("exclude:\n  - { database.replication: sync, dns.ttl: 5s }\n"));
    assert.deepEqual(
      cells.map(
        (c) =>
          `${c.index}:${String(c.assignments["database.replication"])}/${String(c.assignments["dns.ttl"])}`,
      ),
      ["1:async/1s", "2:async/5s", "3:sync/1s", "4:semi-sync/1s", "5:semi-sync/5s"],
    );
  });

  it("skips every cell a one-key exclusion matches", () => {
    const { cells } = expandCells(spec("exclude: [{ database.replication: async }]\n"));
    assert.equal(cells.length, 4);
    assert.ok(cells.every((c) => c.assignments["database.replication"] !== "async"));
  });

  it("appends included cells after the grid, with the fixed values and a column for new paths", () => {
    const { cells, columns } = expandCells(spec("include:\n  - { dns.ttl: 30s, controller.mode: client }\n"));
    assert.equal(cells.length, 7);
    const last = cells[6];
    assert.deepEqual(last?.assignments, {
      "workload.duration": "15s",
      "dns.ttl": "30s",
      "controller.mode": "client",
    });
    assert.equal(last?.include, 0);
    assert.deepEqual(columns, ["database.replication", "dns.ttl", "controller.mode"]);
    assert.equal(last?.slug, "07-replication-base-ttl-30s-mode-client");
  });
});

describe("planMatrix", () => {
  it("turns every cell into a validated drill with its values applied", () => {
    const plan = planMatrix(parseMatrix(MATRIX, "m.yaml"), BASE);
    assert.equal(plan.cells.length, 6);
    assert.equal(plan.baseDrill.database.replication, "async");
    const sync5 = plan.cells[3];
    assert.equal(sync5?.drill.name, "short-outage", "the cell keeps the base drill's name");
    assert.equal(sync5?.drill.database.replication, "sync");
    assert.equal(sync5?.drill.dns.ttlMs, 5000);
    assert.equal(sync5?.drill.workload.durationMs, 15_000);
    assert.equal(plan.cells[0]?.drill.dns.ttlMs, 1000);
  });

  it("names the cell and parameter of a value the drill loader rejects, at the value's line", () => {
    const matrix =
      "name: m\nbase: b.yaml\nparameters:\n  dns.ttl: [1s, 1500ms]\n  database.replication: [async, sync]\n";
    const problems = problemsOf(() => planMatrix(parseMatrix(matrix, "m.yaml"), BASE));
    assert.deepEqual(problems.map(formatProblem), [
      "m.yaml:4:17 cell 3 (dns.ttl=1500ms, database.replication=async) and 1 more cell: dns.ttl: must be " +
        "whole seconds (DNS carries the TTL in seconds), got 1.5s",
    ]);
  });

  it("points a misspelt path at the parameter's key, once for every cell", () => {
    const matrix = "name: m\nbase: b.yaml\nparameters:\n  dns.tll: [1s, 2s]\n";
    const problems = problemsOf(() => planMatrix(parseMatrix(matrix, "m.yaml"), BASE));
    assert.deepEqual(problems.map(formatProblem), [
      'm.yaml:4:3 every cell (2): dns.tll: unknown field "tll"; did you mean "ttl"?',
    ]);
  });

  it("attributes a problem found elsewhere to the parameter its message names", () => {
    const matrix = "name: m\nbase: b.yaml\nparameters:\n  workload.duration: [30s, 8s]\n";
    const problems = problemsOf(() => planMatrix(parseMatrix(matrix, "m.yaml"), BASE));
    assert.equal(problems.length, 1);
    assert.deepEqual([problems[0]?.line, problems[0]?.column], [4, 28]);
    assert.match(problems[0]?.message ?? "", /^cell 2 \(workload.duration=8s\): faults\[0\]\.at: /);
  });

  it("reports a base drill's own problems in the base drill file", () => {
    const problems = problemsOf(() => planMatrix(parseMatrix(MATRIX, "m.yaml"), "name: x\n"));
    assert.equal(problems[0]?.file, "base.yaml");
    assert.equal(problems[0]?.path, "regions");
  });
});

/** The named invalid fixtures and what each must say, where. */
const FIXTURES: Record<string, { at: [number, number] | undefined; message: RegExp }> = {
  "unknown-key.yaml": { at: [3, 1], message: /unknown field "repeats"; did you mean "repeat"\?/ },
  "bad-name.yaml": { at: [1, 7], message: /lowercase letters, digits and hyphens/ },
  "bad-path.yaml": {
    at: [4, 3],
    message: /every cell \(2\): database.replicaton: unknown field "replicaton"/,
  },
  "path-into-scalar.yaml": { at: [4, 3], message: /dns.ttl is not a mapping, so it has no field "seconds"/ },
  "unreadable-path.yaml": { at: [4, 3], message: /cannot read the field path "dns..ttl"/ },
  "bad-value.yaml": {
    at: [4, 33],
    message:
      /cell 3 \(database.replication=quorum, dns.ttl=1s\) and 1 more cell: database.replication: expected one of: .*got "quorum"/,
  },
  "empty-parameters.yaml": { at: [3, 13], message: /expected at least one parameter/ },
  "repeat-zero.yaml": { at: [3, 9], message: /must be at least 1, got 0/ },
  "duplicate-value.yaml": { at: [4, 21], message: /value 1s is listed twice/ },
  "exclude-unknown-parameter.yaml": {
    at: [7, 7],
    message: /"dns.tll" is not a parameter; did you mean "dns.ttl"\?/,
  },
  "missing-base.yaml": {
    at: [2, 7],
    message: /cannot read the base drill .*no-such-drill.yaml: no such file/,
  },
};

describe("invalid matrix fixtures", () => {
  it("has an expectation for every fixture file", async () => {
    const files = (await readdir(INVALID_DIR)).filter((f) => f.endsWith(".yaml")).sort();
    assert.deepEqual(files, Object.keys(FIXTURES).sort());
  });

  for (const [name, want] of Object.entries(FIXTURES)) {
    it(`rejects ${name} with one problem naming the file, line and column`, async () => {
      const file = join(INVALID_DIR, name);
      const err = await loadMatrix(file).then(
        () => assert.fail(`${name} loaded without problems`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MatrixValidationError, String(err));
      const formatted = err.problems.map(formatProblem);
      assert.equal(err.problems.length, 1, formatted.join("\n"));
      assert.equal(err.problems[0]?.file, file);
      assert.deepEqual([err.problems[0]?.line, err.problems[0]?.column], want.at ?? [undefined, undefined]);
      assert.match(formatted[0] ?? "", want.message);
    });
  }
});

describe("failover-drill matrix on an invalid or dry-run matrix", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(join(os.tmpdir(), "matrix-cli-"));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("exits 2 naming the cell and parameter, and creates no report directory", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const reports = join(tmp, "reports");
    const code = await main(["matrix", join(INVALID_DIR, "bad-value.yaml"), "--out", reports], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    assert.equal(code, 2);
    assert.deepEqual(out, []);
    assert.match(err.join("\n"), /bad-value.yaml:4:33 cell 3 \(database.replication=quorum/);
    await assert.rejects(access(reports));
  });

  it("lists every cell and its directory on --dry-run and exits 0", async () => {
    await writeFile(join(tmp, "base.yaml"), BASE);
    await writeFile(join(tmp, "m.yaml"), MATRIX);
    const out: string[] = [];
    const code = await main(["matrix", join(tmp, "m.yaml"), "--dry-run", "--out", join(tmp, "reports")], {
      out: (t) => out.push(t),
      err: (t) => out.push(`err: ${t}`),
    });
    assert.equal(code, 0, out.join("\n"));
    assert.equal(out[0], "matrix seed-tradeoffs: 6 cells × 3 runs = 18 runs of short-outage");
    assert.equal(out[1], "set in every cell: workload.duration=15s");
    assert.equal(
      out[2],
      "  cell 1 (database.replication=async, dns.ttl=1s) -> cells/01-replication-async-ttl-1s",
    );
    assert.equal(out.length, 8);
    await assert.rejects(access(join(tmp, "reports")));
  });
});
