import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import os from "node:os";
import { main } from "../../src/cli/main.ts";

function capture(): {
  io: { out: (t: string) => void; err: (t: string) => void };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t) => out.push(t), err: (t) => err.push(t) }, out, err };
}

const workspaces = async (): Promise<string[]> =>
  (await readdir(os.tmpdir())).filter((n) => n.startsWith("failover-drill-"));

describe("failover-drill CLI", () => {
  it("accepts the example drills with validate and exits 0", async () => {
    const c = capture();
    const code = await main(
      ["validate", "drills/region-outage.yaml", "drills/replication-cut-before-outage.yaml"],
      c.io,
    );
    assert.equal(code, 0, c.err.join("\n"));
    assert.match(c.out.join("\n"), /region-outage\.yaml: ok/);
  });

  it("rejects an invalid drill with validate, naming file, line and field, and exits 2", async () => {
    const c = capture();
    const code = await main(["validate", "fixtures/invalid-drills/unknown-fault-region.yaml"], c.io);
    assert.equal(code, 2);
    assert.match(c.err.join("\n"), /unknown-fault-region\.yaml:\d+:\d+ faults\[0\]\.region/);
  });

  it("refuses to run an invalid drill with exit 2 and starts nothing", async () => {
    const before = await workspaces();
    const c = capture();
    const code = await main(["run", "fixtures/invalid-drills/unknown-fault-region.yaml"], c.io);
    assert.equal(code, 2);
    assert.deepEqual(await workspaces(), before);
  });

  it("exits 2 on an unknown command or a missing file", async () => {
    assert.equal(await main(["frobnicate"], capture().io), 2);
    const c = capture();
    assert.equal(await main(["validate", "drills/does-not-exist.yaml"], c.io), 2);
    assert.match(c.err.join("\n"), /does-not-exist\.yaml/);
  });
});
