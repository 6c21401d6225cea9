// Active-active (issue 14) on literal data: the SQL a drill runs, the op plan, the regional manager's
// routing decisions, lost updates by strategy, and the skewed-clock count held to a brute-force oracle.
import assert from "node:assert/strict";
import fc from "fast-check";
import { discardedDespiteRealTime, lwwCompare } from "../../src/checkers/conflicts/lww.ts";
import { concurrentWrites, judgeRegisters } from "../../src/checkers/conflicts/lost.ts";
import type { RegisterWrite } from "../../src/checkers/conflicts/types.ts";
import { parseDrill, DrillValidationError } from "../../src/drill/load.ts";
import {
  applyTriggerSql,
  keySpace,
  publicationSql,
  seedSql,
  subscriptionSql,
} from "../../src/engines/postgres/active-active/sql.ts";
import { route } from "../../src/managers/regional/router.ts";
import { keyedPath, OpPlan } from "../../src/workload/ops.ts";

const w = (
  id: number,
  region: string,
  stampMs: number,
  invokeMs: number,
  completeMs: number,
  key = "k",
): RegisterWrite => ({
  kind: "set",
  id,
  client: id,
  region,
  key,
  value: String(id),
  stampMs,
  outcome: "ok",
  invokeNs: invokeMs * 1e6,
  completeNs: completeMs * 1e6,
});

describe("active-active", () => {
  describe("the SQL", () => {
    it("subscribes with origin = none and no initial copy, so changes travel one hop and never loop", () => {
      const sql = subscriptionSql("eu-west", "us-east", "", "host=127.0.0.1 port=5");
      assert.match(
        sql,
        /^CREATE SUBSCRIPTION fd_from_us_east CONNECTION 'host=127\.0\.0\.1 port=5' PUBLICATION fd_pub_all /,
      );
      assert.match(sql, /origin = none, copy_data = false, slot_name = 'fd_eu_west_from_us_east'/);
    });

    it("filters a jurisdiction's publication by the jurisdiction column, and publishes everything without residency", () => {
      assert.equal(
        publicationSql("eu", true),
        "CREATE PUBLICATION fd_pub_eu FOR TABLE registers WHERE (jurisdiction = 'eu'), counters WHERE (jurisdiction = 'eu')",
      );
      assert.equal(
        publicationSql("", false),
        "CREATE PUBLICATION fd_pub_all FOR TABLE registers, counters, writes",
      );
    });

    it("homes keys per region with residency, and seeds every PN-counter component", () => {
      const rows = keySpace(
        2,
        [
          { name: "eu-1", jurisdiction: "eu" },
          { name: "us-1", jurisdiction: "us" },
        ],
        true,
      );
      assert.deepEqual(
        rows.map((r) => `${r.jurisdiction}:${r.key}:${r.home}`),
        ["eu:eu-1/k0:eu-1", "eu:eu-1/k1:eu-1", "us:us-1/k0:us-1", "us:us-1/k1:us-1"],
      );
      const [, counters] = seedSql(rows.slice(0, 1), ["eu-1", "eu-2"]);
      assert.match(
        counters ?? "",
        /\('eu', 'eu-1\/k0', 'eu-1', 'eu-1'\), \('eu', 'eu-1\/k0', 'eu-2', 'eu-1'\)/,
      );
    });

    it("fires the resolution trigger only in the apply worker, and LWW keeps the newer (stamp, region)", () => {
      const lww = applyTriggerSql("lww", "union", "registers").join(";\n");
      assert.match(lww, /ALTER TABLE registers ENABLE REPLICA TRIGGER fd_apply_registers/);
      assert.match(lww, /newer boolean := \(NEW\.stamp, NEW\.origin\) > \(OLD\.stamp, OLD\.origin\)/);
      assert.match(lww, /ELSE kept := 'local'; skip := true;/);
      assert.match(lww, /SET search_path = public, pg_catalog/);
      assert.doesNotMatch(applyTriggerSql("none", "union", "registers").join(";"), /skip := true/);
      assert.match(
        applyTriggerSql("custom", "union", "registers").join(";"),
        /unnest\(OLD\.tags \|\| NEW\.tags\)/,
      );
      // custom merges registers only: counters apply as PostgreSQL would.
      assert.match(applyTriggerSql("custom", "max", "counters").join(";"), /kept := 'remote';/);
      // A PN-counter component has one writer: applied in order whatever its stamps say.
      assert.doesNotMatch(applyTriggerSql("crdt", "union", "counters").join(";"), /skip := true/);
    });
  });

  describe("the op plan", () => {
    it("repeats a client's ops with the seed and keeps keys in the key space", () => {
      const plan = () => new OpPlan({ mix: { set: 0.5, add: 0.5 }, keys: 4, homed: false, seed: 7 });
      const a = plan();
      const b = plan();
      const ops = Array.from({ length: 50 }, (_, i) => a.next(i + 1, 3, "us-east"));
      assert.deepEqual(
        ops,
        Array.from({ length: 50 }, (_, i) => b.next(i + 1, 3, "us-east")),
      );
      assert.ok(ops.every((op) => op.op !== "insert" && /^k[0-3]$/.test(op.key)));
      assert.ok(ops.some((op) => op.op === "set") && ops.some((op) => op.op === "add"));
    });

    it("homes a client's records in its own site with residency, and writes them to /kv", () => {
      const op = new OpPlan({ mix: { add: 1 }, keys: 2, homed: true, seed: 1 }).next(9, 0, "eu-1");
      assert.equal(op.op, "add");
      if (op.op !== "add") return;
      assert.match(op.key, /^eu-1\/k[01]$/);
      assert.equal(keyedPath(op), `/kv/${encodeURIComponent(op.key)}?op=add&home=eu-1&delta=1`);
      assert.deepEqual(new OpPlan({ mix: { insert: 1 }, keys: 2, homed: false, seed: 1 }).next(1, 0, "x"), {
        op: "insert",
      });
    });
  });

  describe("the regional manager's routes", () => {
    const regions = new Map([
      ["eu-1", "eu"],
      ["eu-2", "eu"],
      ["us-1", "us"],
    ]);
    it("routes a jurisdiction to its first healthy region", () => {
      assert.deepEqual(route(regions, new Set(["eu-2", "us-1"])), [
        { jurisdiction: "eu", region: "eu-2" },
        { jurisdiction: "us", region: "us-1" },
      ]);
    });

    it("refuses to route abroad when no region of the jurisdiction is up, naming why", () => {
      const [eu] = route(regions, new Set(["us-1"]));
      assert.deepEqual(eu, {
        jurisdiction: "eu",
        region: null,
        down: ["eu-1", "eu-2"],
        ineligible: ["us-1"],
        reason:
          "no region of jurisdiction eu is up (eu-1, eu-2 down); us-1 up but outside it: records stay unavailable",
      });
    });
  });

  describe("lost updates by strategy", () => {
    it("none: a write invoked after the surviving one completed is lost; concurrent ones are not", () => {
      const writes = [w(1, "a", 10, 0, 5), w(2, "b", 20, 20, 25), w(3, "a", 22, 21, 30)];
      // Region ended with write 2: write 3 overlapped it (not lost); nothing came after it completed.
      assert.deepEqual([...judgeRegisters("none", "", writes, new Map([["k", "2"]])).lost], []);
      // Region ended with write 1 although 2 and 3 started after it completed: both lost.
      assert.deepEqual([...judgeRegisters("none", "", writes, new Map([["k", "1"]])).lost].sort(), [2, 3]);
    });

    it("custom union: every acknowledged value must be in the set", () => {
      const writes = [w(1, "a", 10, 0, 5), w(2, "b", 20, 20, 25)];
      assert.deepEqual([...judgeRegisters("custom", "union", writes, new Map([["k", "1,2"]])).lost], []);
      assert.deepEqual([...judgeRegisters("custom", "union", writes, new Map([["k", "2"]])).lost], [1]);
    });

    it("lww: a register holding anything but the (stamp, region) winner lost that winner", () => {
      const writes = [w(1, "a", 10, 0, 5), w(2, "b", 10, 1, 6)];
      const verdict = judgeRegisters("lww", "", writes, new Map([["k", "1"]]));
      assert.deepEqual([...verdict.lost], [2]); // equal stamps: the greater region (b) wins
      assert.deepEqual(verdict.wrongKeys, [{ key: "k", found: "1", allowed: ["2"] }]);
    });

    it("counts writes made without seeing another region's earlier write", () => {
      const forked = [
        { ...w(1, "a", 10, 0, 1), prev: [0, ""] as [number, string] },
        { ...w(2, "b", 11, 0, 1), prev: [0, ""] as [number, string] },
        { ...w(3, "a", 12, 2, 3), prev: [11, "b"] as [number, string] },
      ];
      // 2 did not see 1 (stamped between 2's prev and 2); 3 saw 2, the latest; 1 saw nothing earlier.
      assert.equal(concurrentWrites(forked), 1);
    });
  });

  describe("writes LWW discards despite real time", () => {
    it("matches a brute-force count made from the same history", () => {
      const write = fc.record({
        region: fc.constantFrom("a", "b"),
        key: fc.constantFrom("k1", "k2"),
        skew: fc.integer({ min: -50, max: 50 }),
        invoke: fc.integer({ min: 0, max: 1000 }),
        length: fc.integer({ min: 1, max: 100 }),
      });
      fc.assert(
        fc.property(fc.array(write, { maxLength: 40 }), (specs) => {
          const writes = specs.map((s, i) =>
            w(i + 1, s.region, s.invoke + s.skew, s.invoke, s.invoke + s.length, s.key),
          );
          const oracle = writes.filter((x) =>
            writes.some((y) => y.key === x.key && y.completeNs! < x.invokeNs && lwwCompare(y, x) > 0),
          );
          const got = discardedDespiteRealTime(writes);
          assert.deepEqual(
            got.map((x) => x.id).sort((p, q) => p - q),
            oracle.map((x) => x.id),
          );
        }),
      );
    });
  });

  describe("the drill format", () => {
    const base = `name: aa
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;
    const problems = (text: string): string[] => {
      try {
        parseDrill(text, "aa.yaml");
        return [];
      } catch (err) {
        if (err instanceof DrillValidationError) return err.problems.map((p) => `${p.path}: ${p.message}`);
        throw err;
      }
    };

    it("refuses strategies, keyed ops and residency without an active-active topology", () => {
      assert.deepEqual(problems(`${base}database: { conflicts: lww }\n`), [
        "database.conflicts: only applies to topology: active-active; remove it or set topology",
      ]);
      assert.deepEqual(problems(`${base}workload: { ops: set }\n`), [
        "workload.ops: set and add (keyed ops) need database.topology: active-active; use insert",
      ]);
      assert.deepEqual(
        problems(
          base
            .replace("primary }", "primary, jurisdiction: eu }")
            .replace("standby }", "standby, jurisdiction: us }"),
        ),
        ["regions: regions with a jurisdiction (data residency) need database.topology: active-active"],
      );
    });

    it("refuses a merge without custom, a jurisdiction on some regions only, and another manager", () => {
      const aa = `${base}database: { topology: active-active, merge: max }\n`;
      assert.deepEqual(problems(aa), [
        "database.merge: only applies to conflicts: custom; remove it or set conflicts: custom",
      ]);
      assert.deepEqual(
        problems(
          base.replace("primary }", "primary, jurisdiction: eu }") +
            "database: { topology: active-active }\n",
        ),
        ["regions: jurisdiction is set on some regions but not on eu-west; set it on all or none"],
      );
      assert.deepEqual(
        problems(`${base}database: { topology: active-active }\ncontroller: { manager: patroni }\n`),
        ["controller.manager: database.topology active-active needs manager: regional (or no manager)"],
      );
      const drill = parseDrill(`${base}database: { topology: active-active }\n`, "aa.yaml");
      assert.equal(drill.controller.manager, "regional");
    });
  });
});
