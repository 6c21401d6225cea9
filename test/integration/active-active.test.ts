// Active-active drills end to end (issue 14), each judged against an answer computed here,
// independently of the checkers, from the run's own evidence (history.jsonl, final-state.json):
//   lww + a skewed clock: every register converges to the acknowledged write with the largest
//     (stamp, region), and the writes LWW discarded despite real time match a brute-force count;
//   crdt: every counter equals the sum of acknowledged increments (indeterminate ones within range);
//   none: the regions diverge after the heal, and the report says so;
//   residency: no row outside its jurisdiction, EU writes refused while both EU regions are down.
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";
import type { Summary } from "../../src/summary/types.ts";

interface Op {
  process: number | string;
  type: string;
  f: string;
  time: number;
  value: Record<string, unknown>;
  error?: string;
}
interface Write {
  id: number;
  op: string;
  key: string;
  value: string;
  home: string;
  outcome: string;
  invoke: number;
  complete: number | null;
  region: string;
  stamp: number | null;
  error: string;
}
interface Keyed {
  registers: Record<string, string>;
  counters: Record<string, number>;
  outOfJurisdiction: number;
}

async function runFixture(
  tmp: string,
  name: string,
): Promise<{ summary: Summary; writes: Write[]; finals: Map<string, Keyed> }> {
  const out = path.join(tmp, name);
  const code = await main(["run", `fixtures/active-active/${name}.yaml`, "--out", out], {
    out: () => {},
    err: () => {},
  });
  const drillDir = path.join(out, (await readdir(out))[0]!);
  const runDir = path.join(
    drillDir,
    (await readdir(drillDir)).find((d) => /^\d{8}T/.test(d))!,
  );
  const summary = JSON.parse(await readFile(path.join(runDir, "report.json"), "utf8")) as Summary;
  assert.equal(code, summary.status === "pass" ? 0 : code, "exit code follows the status");
  const ops = (await readFile(path.join(runDir, "history.jsonl"), "utf8"))
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Op);
  const writes = new Map<number, Write>();
  for (const op of ops) {
    if (op.f !== "write" || typeof op.process !== "number") continue;
    const id = op.value["id"] as number;
    if (op.type === "invoke") {
      const v = op.value;
      writes.set(id, {
        id,
        op: String(v["op"]),
        key: String(v["key"]),
        value: String(v["value"] ?? v["delta"]),
        home: String(v["home"] ?? ""),
        outcome: "pending",
        invoke: op.time,
        complete: null,
        region: "",
        stamp: null,
        error: "",
      });
      continue;
    }
    const w = writes.get(id)!;
    w.outcome = op.type;
    w.complete = op.time;
    w.region = String(op.value["region"] ?? "");
    w.stamp = typeof op.value["stamp"] === "number" ? op.value["stamp"] : null;
    w.error = op.error ?? "";
  }
  const final = JSON.parse(await readFile(path.join(runDir, "final-state.json"), "utf8")) as {
    nodes: Array<{ node: string; keyed: Keyed }>;
  };
  return {
    summary,
    writes: [...writes.values()],
    finals: new Map(final.nodes.map((n) => [n.node, n.keyed])),
  };
}

/** (stamp, region): the greater wins; a tie goes to the greater region name. */
const beats = (a: Write, b: Write): boolean =>
  a.stamp! > b.stamp! || (a.stamp === b.stamp && a.region > b.region);

describe("active-active drills (integration)", function () {
  this.timeout(300_000);
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "drill-aa-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("converges every register to the LWW winner, and counts what a skewed clock discarded as the history does", async () => {
    const { summary, writes, finals } = await runFixture(tmp, "lww-skew");
    const sets = writes.filter((w) => w.op === "set");
    const acked = sets.filter((w) => w.outcome === "ok");
    assert.ok(acked.length > 100, `enough acknowledged sets (${acked.length})`);
    for (const [region, keyed] of finals) {
      for (const key of new Set(acked.map((w) => w.key))) {
        const winner = acked.filter((w) => w.key === key).reduce((best, w) => (beats(w, best) ? w : best));
        const maybe = sets.filter((w) => w.key === key && w.outcome === "info").map((w) => w.value);
        assert.ok(
          keyed.registers[key] === winner.value || maybe.includes(keyed.registers[key]!),
          `${region} ${key}: ${keyed.registers[key]}, LWW winner ${winner.value}`,
        );
      }
    }
    const discarded = acked.filter((w) =>
      acked.some((x) => x.key === w.key && x.complete! < w.invoke && beats(x, w)),
    );
    const c = summary.measurements.conflicts!;
    assert.ok(discarded.length > 0, "the skewed clock won conflicts it lost in real time");
    assert.equal(c.discardedDespiteRealTime, discarded.length);
    assert.deepEqual(c.wrongKeys, []);
    assert.equal(c.divergentKeys, 0);
    assert.notEqual(c.timeToConvergeMs, null);
  });

  it("sums every PN-counter to the acknowledged increments in every region after a partition", async () => {
    const { summary, writes, finals } = await runFixture(tmp, "crdt");
    const adds = writes.filter((w) => w.op === "add");
    for (const [region, keyed] of finals) {
      for (const key of new Set(adds.map((w) => w.key))) {
        const ok = adds.filter((w) => w.key === key && w.outcome === "ok").length;
        const unsure = adds.filter(
          (w) => w.key === key && (w.outcome === "info" || w.outcome === "pending"),
        ).length;
        const total = keyed.counters[key] ?? 0;
        assert.ok(
          total >= ok && total <= ok + unsure,
          `${region} ${key}: ${total}, acknowledged ${ok} (+${unsure})`,
        );
      }
    }
    const c = summary.measurements.conflicts!;
    assert.equal(c.lostIncrements, 0);
    assert.equal(c.lostUpdates, 0);
    assert.equal(summary.status, "pass");
  });

  it("reports the divergence a missing strategy leaves, never a silent pass", async () => {
    const { summary, finals } = await runFixture(tmp, "none");
    const [a, b] = [...finals.values()];
    const differing = Object.keys(a!.registers).filter((k) => a!.registers[k] !== b!.registers[k]);
    assert.ok(differing.length > 0, "the regions' registers differ after the heal");
    const c = summary.measurements.conflicts!;
    assert.ok((c.divergentKeys ?? 0) >= differing.length, `divergent keys ${c.divergentKeys}`);
    assert.equal(c.timeToConvergeMs, null);
    assert.ok(summary.notes.some((n) => /did not converge/.test(n)));
  });

  it("keeps every record in its jurisdiction and refuses EU writes while both EU regions are down", async () => {
    const { summary, writes, finals } = await runFixture(tmp, "residency");
    for (const [region, keyed] of finals) {
      assert.equal(keyed.outOfJurisdiction, 0, region);
      const foreign = Object.keys(keyed.registers).filter(
        (k) => (region === "us-1") !== k.startsWith("us-1/"),
      );
      assert.deepEqual(foreign, [], `${region} holds only its jurisdiction's records`);
    }
    const refused = writes.filter((w) => w.outcome === "fail" && /residency:/.test(w.error));
    assert.ok(refused.length > 0, "some EU writes were refused, not moved abroad");
    assert.ok(refused.every((w) => w.home.startsWith("eu-")));
    const r = summary.measurements.residency!;
    assert.equal(r.outOfJurisdictionRows, 0);
    assert.equal(r.refusedWrites, refused.length);
    assert.equal(r.refusals[0]?.jurisdiction, "eu");
    assert.ok((r.unavailable[0]?.ms ?? 0) > 0, "the constraint's RTO cost is priced");
  });
});
