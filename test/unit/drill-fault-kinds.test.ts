// Every fault kind in src/faults/registry.ts: read from a drill, in the JSON Schema, described once for
// the log and the report. A new kind needs its line in MINIMAL below (the first test says so).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Summary } from "../../src/checkers/types.ts";
import { DRILL_FIELDS } from "../../src/drill/fields.ts";
import { parseDrill } from "../../src/drill/load.ts";
import type { Drill, Fault } from "../../src/drill/types.ts";
import { FAULT_KINDS, FAULT_TYPES, faultKind } from "../../src/faults/registry.ts";
import { describeFault } from "../../src/nemesis/nemesis.ts";
import { drillContent } from "../../src/report/sections.ts";

/** The least each kind needs, as a drill writes it, and how the log describes that fault. */
const MINIMAL: Record<string, { yaml: string; log: string }> = {
  "region-outage": { yaml: "region: us-east", log: "region-outage of us-east (kill)" },
  partition: { yaml: "between: [us-east, eu-west]", log: "partition between us-east and eu-west" },
  latency: { yaml: "latency: 80ms", log: "latency 80ms±0ms on all regions client+app-db+replication links" },
  bandwidth: {
    yaml: "rate: 64KB/s",
    log: "bandwidth limited to 64 KB/s on all regions client+app-db+replication links",
  },
  blackhole: {
    yaml: "after: 0",
    log: "blackhole (data swallowed, connections stay open) on all regions client+app-db+replication links",
  },
  "reset-peer": {
    yaml: "after: 0",
    log: "reset-peer (TCP RST after 0ms) on all regions client+app-db+replication links",
  },
  "slow-close": {
    yaml: "delay: 1s",
    log: "slow-close (close delayed 1000ms) on all regions client+app-db+replication links",
  },
  "limit-data": {
    yaml: "bytes: 1KB",
    log: "limit-data (close after 1000 bytes) on all regions client+app-db+replication links",
  },
  slicer: {
    yaml: "averageSize: 64",
    log: "slicer (64±0 bytes slices, 0us apart) on all regions client+app-db+replication links",
  },
  hook: { yaml: "inject: sh kill.sh, region: us-east", log: 'hook "sh kill.sh" on us-east' },
  "clock-skew": { yaml: "region: eu-west, offset: 2s", log: "clock-skew of eu-west (2000ms ahead)" },
};

const REGIONS = `name: kinds
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;

function faultOf(type: string, yaml: string): Fault {
  const [fault] = parseDrill(
    `${REGIONS}faults:\n  - { at: 2s, duration: 3s, type: ${type}, ${yaml} }\n`,
    "k.yaml",
  ).faults;
  assert.ok(fault);
  return fault;
}

const schema = JSON.parse(readFileSync("schema/drill.schema.json", "utf8")) as {
  properties: { faults: { items: { oneOf: Array<{ properties: { type: { const: string } } }> } } };
};
const docs = readFileSync("docs/drill-format.md", "utf8");

describe("fault kinds", () => {
  it("registers each kind once, and this test knows how to write each", () => {
    assert.equal(new Set(FAULT_TYPES).size, FAULT_KINDS.length);
    assert.deepEqual(Object.keys(MINIMAL), [...FAULT_TYPES]);
  });

  it("gives the JSON Schema one variant per kind, in the registry's order", () => {
    const variants = schema.properties.faults.items.oneOf.map((v) => v.properties.type.const);
    assert.deepEqual(variants, [...FAULT_TYPES]);
  });

  for (const type of FAULT_TYPES) {
    const { yaml, log } = MINIMAL[type] as { yaml: string; log: string };

    it(`lists the fields of ${type}: at, type and duration first, then its own`, () => {
      const fields = DRILL_FIELDS[`faults[${type}]`];
      assert.deepEqual(fields?.slice(0, 3), ["at", "type", "duration"]);
      assert.deepEqual(fields?.slice(3), Object.keys(faultKind(type).fields));
    });

    it(`reads a ${type} fault with its timing and describes it in the log as "${log}"`, () => {
      const fault = faultOf(type, yaml);
      assert.deepEqual([fault.type, fault.atMs, fault.durationMs], [type, 2000, 3000]);
      assert.equal(describeFault(fault), log);
    });

    it(`describes a ${type} fault in the report with its timing, in the report's words`, () => {
      const fault = faultOf(type, yaml);
      const drill = { ...parseDrill(REGIONS, "k.yaml"), faults: [fault] } as Drill;
      const [line] = drillContent({ drill } as Summary).faults.items;
      assert.match(line ?? "", new RegExp(`^at 2 s: ${type.replaceAll("-", " ")}\\b.* for 3 s$`));
    });

    it(`documents ${type} in docs/drill-format.md`, () => {
      assert.ok(docs.includes(`\`type: ${type}\``), type);
    });
  }

  it("words the same fault alike in the log and the report, each with its own number format", () => {
    const fault = faultOf("reset-peer", "after: 500ms, links: [replication], toxicity: 0.5");
    assert.equal(
      describeFault(fault),
      "reset-peer (TCP RST after 500ms) on all regions replication links, toxicity 0.5",
    );
    const [line] = drillContent({ drill: { ...parseDrill(REGIONS, "k.yaml"), faults: [fault] } } as Summary)
      .faults.items;
    assert.equal(
      line,
      "at 2 s: reset peer (TCP RST after 500 ms) on all regions replication links, toxicity 0.5 for 3 s",
    );
  });
});
