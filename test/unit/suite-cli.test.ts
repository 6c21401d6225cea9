// `failover-drill suite` up to the point where drills would start: --dry-run, bad input (exit 2),
// a component missing for any entry (exit 4, before anything is created), and `validate` / `doctor`
// of a suite file.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("failover-drill suite (without running drills)", () => {
  const saved = process.env.FAILOVER_DRILL_PATH;
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "suite-cli-"));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.FAILOVER_DRILL_PATH;
    else process.env.FAILOVER_DRILL_PATH = saved;
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("lists every entry, override and matrix cell with --dry-run, starting nothing", async () => {
    const out = path.join(tmp, "dry");
    const r = await cli("suite", "drills/weekly.yaml", "--dry-run", "--out", out);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split("\n"), [
      "suite weekly: 5 entries, 6 drill runs",
      "  1. drill region-outage (drills/region-outage.yaml)",
      "  2. drill replication-cut-before-outage (drills/replication-cut-before-outage.yaml)",
      "  3. drill primary-brownout (drills/primary-brownout.yaml)",
      "  4. drill client-failover (drills/region-outage.yaml); set controller.mode=client",
      "  5. matrix sync-vs-async (drills/sync-vs-async.yaml): 2 cells × 1 run of region-outage",
      "       cell 1 (database.replication=async)",
      "       cell 2 (database.replication=sync)",
      `would write ${out}/weekly/<timestamp>/suite.md (and .json, .junit.xml)`,
    ]);
    assert.deepEqual(await readdir(tmp), []);
  });

  it("prints every problem with file, line, field and expectation and exits 2", async () => {
    const file = path.join(tmp, "bad.yaml");
    await writeFile(file, "name: s\nentries:\n  - drill: nowhere.yaml\n  - { matrix: m.yaml, repeat: 0 }\n");
    const r = await cli("suite", file);
    assert.equal(r.code, 2);
    assert.deepEqual(r.err.split("\n"), [`${file}:4:31 entries[1].repeat: must be at least 1, got 0`]);
  });

  it("names a missing suite file and exits 2", async () => {
    const r = await cli("suite", path.join(tmp, "none.yaml"));
    assert.equal(r.code, 2);
    assert.match(r.err, /none\.yaml cannot read the suite file: no such file/);
  });

  it("refuses before the first entry starts when any entry lacks a component, exiting 4", async () => {
    process.env.FAILOVER_DRILL_PATH = tmp;
    const file = path.join(tmp, "docker.yaml");
    const drills = path.resolve("drills");
    await writeFile(
      file,
      `name: mixed\nentries:\n  - drill: ${drills}/region-outage.yaml\n  - drill: ${drills}/latency-brownout.yaml\n` +
        "    set: { platform: docker }\n",
    );
    const out = path.join(tmp, "reports");
    const r = await cli("suite", file, "--out", out);
    assert.equal(r.code, 4);
    assert.match(r.err, /^error: entries\[1\] drill latency-brownout needs docker \(the docker platform\)/);
    assert.match(r.err, /install with: apt-get install -y docker\.io/);
    assert.ok(!(await readdir(tmp)).includes("reports"), "nothing was created");
  });

  it("refuses --toxiproxy-url when an entry runs on docker, exiting 2", async () => {
    const r = await cli(
      "suite",
      "drills/weekly.yaml",
      "--platform",
      "docker",
      "--toxiproxy-url",
      "http://127.0.0.1:1",
    );
    assert.equal(r.code, 2);
    assert.match(r.err, /--toxiproxy-url is for the local platform/);
  });

  it("validates a suite file beside drill files", async () => {
    const r = await cli("validate", "drills/weekly.yaml", "drills/region-outage.yaml");
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^drills\/weekly\.yaml: ok \(suite weekly: 5 entries, 6 drill runs\)$/m);
    assert.match(r.out, /^drills\/region-outage\.yaml: ok /m);
  });

  it("fails validate of a bad suite with its problems, exiting 2", async () => {
    const file = path.join(tmp, "bad-entry.yaml");
    await writeFile(file, "name: s\nentries:\n  - { drill: nowhere.yaml }\n");
    const r = await cli("validate", file);
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /bad-entry\.yaml:3:14 entries\[0\]\.drill: cannot read the drill file .*nowhere\.yaml: no such file/,
    );
  });

  it("lets doctor check every drill of a suite", async () => {
    const r = await cli("doctor", "drills/weekly.yaml");
    assert.equal(r.code, 0);
    assert.match(r.out, /drills\/weekly\.yaml: ready/);
  });
});
