// Ctrl-C and SIGTERM in the middle of a drill must leave nothing behind: no PostgreSQL, app, proxy or
// DNS process and no workspace.
import assert from "node:assert/strict";
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  parentOf,
  processesMentioning,
  refused,
  runnerInFault,
  workspaceOf,
  type RunningCli,
} from "./cli-process.ts";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  describe(`${signal} in the middle of a drill (integration)`, function () {
    this.timeout(120_000);
    let out: string;
    let cli: RunningCli | undefined;
    before(async () => {
      out = await mkdtemp(path.join(os.tmpdir(), "drill-interrupt-"));
    });
    afterEach(async () => {
      await cli?.stop(); // a run a failed assertion left going
    });
    after(async () => {
      await rm(out, { recursive: true, force: true });
    });

    it(`stops every process, heals the fault and removes the workspace on ${signal}`, async () => {
      // Interrupt once the fault is in place: the hardest moment to clean up after.
      cli = await runnerInFault(["drills/region-outage.yaml", "--out", out]);
      const { child, stdout, exited } = cli;
      const workspace = workspaceOf(stdout);
      assert.ok(workspace, stdout);
      // Only this drill's apps: other drills may be running on the machine at the same time.
      const appPids: number[] = [];
      for (const pid of await processesMentioning("fixtures/app/server.")) {
        if ((await parentOf(pid)) === child.pid) appPids.push(pid);
      }
      assert.ok(appPids.length > 0, "apps should be running before the signal");

      child.kill(signal);
      const code = await exited;
      assert.equal(code, 130, cli.stderr);
      await assert.rejects(access(workspace), "workspace removed");
      assert.deepEqual(await processesMentioning(workspace), [], "no postgres left");
      const leftApps = (await processesMentioning("fixtures/app/server.")).filter((p) => appPids.includes(p));
      assert.deepEqual(leftApps, [], "no app left");
      const history = await readFile(
        path.join(
          out,
          "region-outage",
          (await readdir(path.join(out, "region-outage")))[0]!,
          "history.jsonl",
        ),
        "utf8",
      );
      assert.match(history, /"fault-heal"/, "the fault was healed");
      const up = history
        .split("\n")
        .map((l) => (l === "" ? undefined : (JSON.parse(l) as { f: string; value: unknown })))
        .find((o) => o?.f === "topology-up")?.value as {
        servicePort: number;
        regions: { address: string }[];
      };
      for (const r of up.regions) {
        assert.ok(
          await refused(r.address, up.servicePort),
          `nothing listens on ${r.address}:${up.servicePort}`,
        );
      }
    });
  });
}
