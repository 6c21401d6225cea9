// `failover-drill doctor` and the exit code 4 a drill gets when a program it needs is missing: the
// install command is printed and nothing is started (no report directory is even created).
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.ts";

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("failover-drill doctor", () => {
  const saved = process.env.FAILOVER_DRILL_PATH;
  let tmp: string;
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "doctor-"));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.FAILOVER_DRILL_PATH;
    else process.env.FAILOVER_DRILL_PATH = saved;
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("lists every failover manager and DNS provider with what it needs", async () => {
    const { code, out } = await cli("doctor", "drills/region-outage.yaml");
    assert.equal(code, 0);
    assert.match(out, /failover managers \(controller\.manager\):\n {2}builtin: nothing beyond Node/);
    assert.match(out, /DNS providers \(dns\.server\):\n {2}embedded: nothing beyond Node/);
    assert.match(out, /drills\/region-outage\.yaml: ready/);
  });

  it("says which drill cannot run here and how to install what it lacks, exiting 4", async () => {
    process.env.FAILOVER_DRILL_PATH = tmp;
    const { code, out } = await cli("doctor", "drills/byo-app-docker.yaml", "drills/region-outage.yaml");
    assert.equal(code, 4);
    assert.match(out, /byo-app-docker\.yaml: needs docker; install with: apt-get install -y docker\.io/);
    assert.match(out, /region-outage\.yaml: ready/);
  });

  it("tells a file that is neither drill nor matrix apart", async () => {
    const { out } = await cli("doctor", "package.json");
    assert.match(out, /package\.json: not a valid drill or matrix/);
  });

  it("stops a drill whose programs are missing with exit 4 and the install command, creating nothing", async () => {
    process.env.FAILOVER_DRILL_PATH = tmp;
    const out = path.join(tmp, "reports");
    const { code, err } = await cli("run", "drills/region-outage.yaml", "--platform", "docker", "--out", out);
    assert.equal(code, 4);
    assert.match(
      err,
      /needs docker \(the docker platform\), not installed; install with: apt-get install -y docker\.io/,
    );
    assert.deepEqual(await readdir(tmp), []);
  });

  it("refuses a matrix with a cell whose programs are missing before its first run, exiting 4", async () => {
    process.env.FAILOVER_DRILL_PATH = tmp;
    const out = path.join(tmp, "matrix");
    const { code, err } = await cli(
      "matrix",
      "drills/client-profiles.yaml",
      "--platform",
      "docker",
      "--out",
      out,
    );
    assert.equal(code, 4);
    assert.match(err, /apt-get install -y docker\.io/);
    assert.deepEqual(await readdir(tmp), []);
  });

  it("stops the BIND + Unbound drill with exit 4 and apt-get install -y bind9 unbound when named is missing", async () => {
    process.env.FAILOVER_DRILL_PATH = tmp;
    const out = path.join(tmp, "reports");
    const { code, err } = await cli("run", "drills/bind9-unbound.yaml", "--out", out);
    assert.equal(code, 4);
    assert.match(err, /needs named \(the authoritative DNS server \(dns\.server bind9\)\), unbound/);
    assert.match(err, /install with: apt-get install -y bind9 unbound/);
    assert.deepEqual(await readdir(tmp), []);
  });
});
