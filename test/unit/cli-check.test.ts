// `failover-drill check` on stored runs written from the golden history (stored-run.ts): exit codes
// 0 / 1 / 3 follow the re-checked status as for `run`, and 2 names the file and what is wrong.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Summary } from "../../src/checkers/types.ts";
import { main } from "../../src/cli/main.ts";
import type { Objective } from "../../src/drill/types.ts";
import type { FinalRead } from "../../src/history/types.ts";
import { outageReads } from "./golden-outage.ts";
import { writeStoredRun } from "./stored-run.ts";

const lostWritesZero: Objective = { metric: "rpo.lostWrites", operator: "==", limit: 0, source: "== 0" };
const rtoUnder20s: Objective = { metric: "rto.max", operator: "<", limit: 20_000, source: "< 20s" };
const REPORTS = ["report.html", "report.json", "report.junit.xml", "report.md"];

async function check(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["check", ...args], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const readJson = async (file: string): Promise<Summary> =>
  JSON.parse(await readFile(file, "utf8")) as Summary;

describe("failover-drill check", () => {
  let tmp: string;
  let n = 0;
  const fresh = (): string => path.join(tmp, `run-${n++}`);
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "check-cli-"));
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("exits 1 on a run that missed an objective and writes the four reports to <dir>/check-<timestamp>/", async () => {
    const dir = fresh();
    const stored = await writeStoredRun(dir, [lostWritesZero]);
    const r = await check(dir);
    assert.equal(r.code, 1, r.err);
    const [sub, ...more] = (await readdir(dir)).filter((f) => f.startsWith("check-"));
    assert.ok(sub !== undefined && more.length === 0, "one check directory");
    assert.match(sub, /^check-\d{8}T\d{6}Z$/);
    assert.deepEqual((await readdir(path.join(dir, sub))).sort(), REPORTS);
    assert.deepEqual(await readJson(path.join(dir, sub, "report.json")), JSON.parse(JSON.stringify(stored)));
    assert.match(r.out, /^drill stored-outage: FAIL/);
    assert.match(r.out, /measurements: the same as the stored report\.json/);
    assert.ok(r.out.includes(`reports: ${path.join(dir, sub)}`));
  });

  it("exits 0 on a run that met every objective and writes to --out, leaving the stored files as they were", async () => {
    const dir = fresh();
    await writeStoredRun(dir, [rtoUnder20s]);
    const before = await Promise.all(REPORTS.map((f) => readFile(path.join(dir, f), "utf8")));
    const out = path.join(tmp, "fresh", "nested");
    const r = await check(dir, "--out", out);
    assert.equal(r.code, 0, r.err);
    for (const [i, f] of REPORTS.entries()) {
      assert.equal(await readFile(path.join(out, f), "utf8"), before[i], `${f} re-rendered identically`);
      assert.equal(await readFile(path.join(dir, f), "utf8"), before[i], `stored ${f} untouched`);
    }
  });

  it("exits 3 when the surviving primary could not be read at the end", async () => {
    const unreachable: FinalRead[] = [
      outageReads[0] as FinalRead,
      { node: "west", reachable: false, role: "unknown", ids: [], error: "connection refused" },
    ];
    const dir = fresh();
    await writeStoredRun(dir, [lostWritesZero], unreachable);
    const r = await check(dir, "--out", path.join(dir, "again"));
    assert.equal(r.code, 3, r.err);
    assert.match(r.out, /INCONCLUSIVE/);
  });

  it("names the measurements that differ from an edited report.json, and exits by the re-checked status", async () => {
    const dir = fresh();
    const stored = await writeStoredRun(dir, [lostWritesZero]);
    const edited = { ...stored, status: "pass" };
    edited.measurements = { ...stored.measurements, rpo: { ...stored.measurements.rpo, lostWrites: 0 } };
    await writeFile(path.join(dir, "report.json"), JSON.stringify(edited));
    const r = await check(dir, "--out", path.join(dir, "again"));
    assert.equal(r.code, 1);
    assert.match(r.out, /measurements that differ from the stored report\.json: rpo /);
    assert.match(r.out, /status: fail \(stored: pass\)/);
  });

  describe("exit 2, naming what is wrong", () => {
    it("a directory that does not exist", async () => {
      const dir = path.join(tmp, "nowhere");
      const r = await check(dir);
      assert.equal(r.code, 2);
      assert.equal(r.err, `error: ${dir}: no such directory`);
    });

    it("a file instead of a directory", async () => {
      const file = path.join(tmp, "a-file");
      await writeFile(file, "");
      const r = await check(file);
      assert.equal(r.code, 2);
      assert.match(r.err, /a-file: not a directory/);
    });

    it("a run without final-state.json (it ended before its final read)", async () => {
      const dir = fresh();
      await writeStoredRun(dir, []);
      await rm(path.join(dir, "final-state.json"));
      const r = await check(dir);
      assert.equal(r.code, 2);
      assert.ok(
        r.err.includes(`${path.join(dir, "final-state.json")}: missing: the run ended before its final read`),
      );
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f.startsWith("check-")),
        [],
        "no reports written",
      );
    });

    it("a directory that is not a run (no history.jsonl)", async () => {
      const dir = fresh();
      await writeStoredRun(dir, []);
      await rm(path.join(dir, "history.jsonl"));
      const r = await check(dir);
      assert.equal(r.code, 2);
      assert.match(r.err, /history\.jsonl: missing: not a run's report directory/);
    });

    it("a malformed history line, with its line number", async () => {
      const dir = fresh();
      await writeStoredRun(dir, []);
      const file = path.join(dir, "history.jsonl");
      const lines = (await readFile(file, "utf8")).split("\n");
      lines[6] = lines[6]!.slice(0, 20);
      await writeFile(file, lines.join("\n"));
      const r = await check(dir);
      assert.equal(r.code, 2);
      assert.ok(r.err.startsWith(`error: ${file}:7: not JSON:`), r.err);
    });

    it("a report.json of a newer format", async () => {
      const dir = fresh();
      const stored = await writeStoredRun(dir, []);
      await writeFile(path.join(dir, "report.json"), JSON.stringify({ ...stored, formatVersion: 99 }));
      const r = await check(dir);
      assert.equal(r.code, 2);
      assert.match(r.err, /report\.json: formatVersion 99 is newer than this failover-drill reads/);
    });

    it("a final-state.json whose ids are not numbers", async () => {
      const dir = fresh();
      await writeStoredRun(dir, []);
      const file = path.join(dir, "final-state.json");
      await writeFile(file, (await readFile(file, "utf8")).replace("[1,2,3,4]", '[1,"2",3,4]'));
      const r = await check(dir);
      assert.equal(r.code, 2);
      assert.ok(r.err.includes(`${file}: nodes[0].ids[1] must be a whole number, got "2"`), r.err);
    });

    it("--out naming the run's own directory, which would overwrite the stored reports", async () => {
      const dir = fresh();
      await writeStoredRun(dir, []);
      const r = await check(dir, "--out", `${dir}/`);
      assert.equal(r.code, 2);
      assert.match(r.err, /--out names the run's own directory/);
    });

    it("no directory at all", async () => {
      const r = await check();
      assert.equal(r.code, 2);
      assert.match(r.err, /Not enough non-option arguments/);
    });
  });
});
