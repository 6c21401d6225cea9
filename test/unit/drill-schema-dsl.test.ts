// The schema language the drill and matrix formats are defined in (src/drill/schema/), on a small
// format of its own: what it reads, what it reports where, and the JSON Schema it describes.
import assert from "node:assert/strict";
import { LineCounter, parseDocument } from "yaml";
import { formatProblem } from "../../src/drill/problems.ts";
import { DrillReader } from "../../src/drill/reader.ts";
import { catalogueOf } from "../../src/drill/schema/catalogue.ts";
import { optional, required, section, withDefault } from "../../src/drill/schema/fields.ts";
import { jsonSchemaOf } from "../../src/drill/schema/json-schema.ts";
import { list } from "../../src/drill/schema/list.ts";
import { levelsOf, mapping, record } from "../../src/drill/schema/mapping.ts";
import { integer, oneOf, pattern, text } from "../../src/drill/schema/scalars.ts";
import { named, refine, type Static, type ValueSpec } from "../../src/drill/schema/spec.ts";
import type { Drill } from "../../src/drill/types.ts";

type IsAny<T> = 0 extends 1 & T ? true : false;
/** True when `any` hides anywhere in T's fields, list items or union members (so the typecheck catches it). */
type HasAny<T> =
  IsAny<T> extends true
    ? true
    : T extends readonly (infer U)[]
      ? HasAny<U>
      : T extends object
        ? true extends { [K in keyof T]-?: HasAny<T[K]> }[keyof T]
          ? true
          : false
        : false;

const port = named("port", integer(1, 65_535));
const even = refine(integer(0), (n, field, { reader }) => {
  if (n % 2 === 0) return n;
  reader.report(field, `must be even, got ${n}`);
  return undefined;
});

const PROBE = mapping(
  {
    interval: withDefault(integer(1), 10, { as: "intervalSeconds", description: "Between probes." }),
    timeout: withDefault(integer(1), 5, { as: "timeoutSeconds" }),
  },
  {
    check({ values, fields, scope }) {
      if (values.interval === undefined || values.timeout === undefined) return true;
      if (values.timeout < values.interval || fields.timeout === undefined) return true;
      scope.reader.report(fields.timeout, "must be less than the interval");
      return false;
    },
  },
);

const SERVER = mapping({
  host: required(pattern(/^[a-z.]+$/, "a host name like db.example"), "the host to reach"),
  port: withDefault(port, 5432),
});

const FORMAT = mapping(
  {
    name: required(text(), "a name like demo", { description: "The name." }),
    mode: withDefault(oneOf(["fast", "safe"]), "safe", { description: "How." }),
    label: optional(text()),
    batch: withDefault(even, 2, {
      check(batch, { field, values, scope }) {
        if (field === undefined || batch === undefined || values["mode"] !== "safe" || batch <= 4)
          return batch;
        scope.reader.report(field, "must be at most 4 in safe mode");
        return undefined;
      },
    }),
    probe: section(PROBE),
    servers: withDefault(
      list(SERVER, {
        unique: {
          field: "host",
          message: (host, first) => `host ${String(host)} is already used by ${first}`,
        },
      }),
      [],
    ),
    tags: withDefault(
      record({
        key: { pattern: /^[a-z]+$/, message: "expected a lowercase tag" },
        value: text(),
        valueExpected: "a value",
      }),
      {},
    ),
  },
  { expected: "a mapping of demo fields", notFields: { path: "paths are not configurable" } },
);

/** The value read from `yaml`, and every problem as `line:column path: message`. */
function read<T>(spec: ValueSpec<T>, yaml: string): { value: T | undefined; problems: string[] } {
  const lines = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lines });
  const reader = new DrillReader("demo.yaml", doc, lines, catalogueOf(levelsOf(spec)));
  const value = spec.read({ node: doc.contents!, path: "" }, { reader, level: "", context: {} });
  return { value, problems: reader.problems.map((p) => formatProblem({ ...p, file: "" }).trim()) };
}

describe("the schema language of the drill formats", () => {
  it("reads fields under their normalised names, fills in defaults and leaves absent optional fields out", () => {
    const { value, problems } = read(FORMAT, "name: demo\nprobe: { interval: 20 }\n");
    assert.deepEqual(problems, []);
    const expected: Static<typeof FORMAT> = {
      name: "demo",
      mode: "safe",
      batch: 2,
      probe: { intervalSeconds: 20, timeoutSeconds: 5 },
      servers: [],
      tags: {},
    };
    assert.deepEqual(value, expected);
    assert.ok(value && !("label" in value));
  });

  it("infers the normalised type from the definition", () => {
    type Demo = Static<typeof FORMAT>;
    const probe: Demo["probe"] = { intervalSeconds: 1, timeoutSeconds: 1 };
    // @ts-expect-error the file name `interval` is not the normalised name
    const wrong: Demo["probe"] = { interval: 1, timeoutSeconds: 1 };
    const mode: Demo["mode"] = "fast";
    // @ts-expect-error not one of the modes
    const badMode: Demo["mode"] = "slow";
    assert.deepEqual([probe.intervalSeconds, wrong, mode, badMode].length, 4);
  });

  it("infers the drill's type from its definition with no `any` in it", () => {
    const noAny: HasAny<Drill> = false;
    // @ts-expect-error the check sees an `any` (JSON.parse returns one)
    const seesAny: HasAny<{ a: { b: ReturnType<typeof JSON.parse>[] } }> = false;
    assert.deepEqual([noAny, seesAny], [false, false]);
  });

  it("reports a missing required field at its mapping, saying what it should hold", () => {
    const { value, problems } = read(FORMAT, "mode: fast\n");
    assert.equal(value, undefined);
    assert.deepEqual(problems, [":1:1 name: missing required field; expected a name like demo"]);
  });

  it("reads a section left out as an empty one, so its defaults and its checks apply", () => {
    const SMALL = mapping({ probe: section(mapping({ timeout: withDefault(integer(1), 5) })) });
    assert.deepEqual(read(SMALL, "{}\n").value, { probe: { timeout: 5 } });
    const STRICT = mapping({
      probe: section(
        mapping({ timeout: optional(integer(1)) }, { check: ({ values }) => values.timeout !== undefined }),
      ),
    });
    assert.equal(read(STRICT, "{}\n").value, undefined);
  });

  it("lets a field's check see the fields read before it, and reports there", () => {
    const { value, problems } = read(FORMAT, "name: demo\nmode: safe\nbatch: 6\n");
    assert.equal(value, undefined);
    assert.deepEqual(problems, [":3:8 batch: must be at most 4 in safe mode"]);
    assert.deepEqual(read(FORMAT, "name: demo\nmode: fast\nbatch: 6\n").problems, []);
  });

  it("runs a mapping's check after its fields, and keeps each value's own problems first", () => {
    const { problems } = read(FORMAT, "name: demo\nbatch: 3\nprobe: { interval: 2, timeout: 2 }\n");
    assert.deepEqual(problems, [
      ":2:8 batch: must be even, got 3",
      ":3:32 probe.timeout: must be less than the interval",
    ]);
  });

  it("reports a repeated list item at the later item's field, naming the first", () => {
    const { value, problems } = read(
      FORMAT,
      "name: demo\nservers:\n  - { host: a.example }\n  - { host: b.example, port: 70000 }\n  - { host: a.example }\n",
    );
    assert.equal(value, undefined);
    assert.deepEqual(problems, [
      ":4:30 servers[1].port: must be at most 65535, got 70000",
      ":5:13 servers[2].host: host a.example is already used by servers[0]",
    ]);
  });

  it("checks every name of a record by one rule and every value by one spec", () => {
    const { value, problems } = read(FORMAT, "name: demo\ntags: { ok: yes, Bad: x, fine: }\n");
    assert.equal(value, undefined);
    assert.deepEqual(problems, [
      ":2:18 tags.Bad: expected a lowercase tag",
      ":2:26 tags.fine: expected a value",
    ]);
  });

  it("explains an unknown field: a near name, a field of another level, or a name that is deliberately not one", () => {
    const problems = (yaml: string) => read(FORMAT, `name: demo\n${yaml}`).problems;
    assert.deepEqual(problems("mdoe: fast\n"), [':2:1 mdoe: unknown field "mdoe"; did you mean "mode"?']);
    assert.deepEqual(problems("interval: 3\n"), [
      ':2:1 interval: unknown field "interval"; "interval" belongs in probe; expected one of: name, mode, ' +
        "label, batch, probe, servers, tags",
    ]);
    assert.match(
      problems("path: /x\n")[0] ?? "",
      /unknown field "path": paths are not configurable; expected one of/,
    );
    assert.deepEqual(read(FORMAT, "[]\n").problems, [":1:1 expected a mapping of demo fields, got a list"]);
  });

  it("lists every level of the format and its field names in order", () => {
    assert.deepEqual(
      levelsOf(FORMAT).map((level) => [level.label, level.fields]),
      [
        ["", ["name", "mode", "label", "batch", "probe", "servers", "tags"]],
        ["probe", ["interval", "timeout"]],
        ["servers[]", ["host", "port"]],
      ],
    );
  });

  it("describes the format as JSON Schema: required fields, defaults as written, named definitions", () => {
    const schema = jsonSchemaOf(FORMAT, { title: "demo" });
    assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
    assert.equal(schema.title, "demo");
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ["name"]);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(properties["mode"], { enum: ["fast", "safe"], description: "How.", default: "safe" });
    assert.deepEqual(properties["label"], { type: "string" });
    const servers = properties["servers"] as {
      items: { properties: Record<string, unknown>; required: string[] };
    };
    assert.deepEqual(servers.items.required, ["host"]);
    assert.deepEqual(servers.items.properties["port"], { $ref: "#/$defs/port", default: 5432 });
    assert.deepEqual(schema.$defs, { port: { type: "integer", minimum: 1, maximum: 65_535 } });
    const probe = properties["probe"] as { properties: Record<string, unknown> };
    assert.deepEqual(probe.properties["interval"], {
      type: "integer",
      minimum: 1,
      description: "Between probes.",
      default: 10,
    });
    assert.deepEqual(properties["tags"], {
      type: "object",
      propertyNames: { pattern: "^[a-z]+$" },
      additionalProperties: { type: "string" },
      default: {},
    });
  });
});
