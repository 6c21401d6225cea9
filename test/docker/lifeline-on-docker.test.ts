// The lifeline on the docker platform: SIGKILL the runner mid-fault and within 10 s no container,
// network, process or workspace of its run is left; and `cleanup` removes a planted labelled
// container and network whose runner is gone, but not an unlabelled network beside them.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { RUN_LABELS } from "../../src/lifeline/marker.ts";
import { exists, type RunningCli } from "../integration/cli-process.ts";
import {
  cleanupCli,
  dockerOfRun,
  processesOfRunner,
  shortRunInFault,
  within,
} from "../integration/lifeline-helpers.ts";
import { skipWithoutDockerEngine } from "./engine.ts";
import { docker } from "./helpers.ts";

describe("the lifeline on the docker platform (docker)", function () {
  this.timeout(300_000);
  let dir: string;
  let started: RunningCli | undefined;

  before(async function () {
    skipWithoutDockerEngine(this);
    dir = await mkdtemp(path.join(os.tmpdir(), "docker-reaper-"));
    await chmod(dir, 0o755);
  });

  afterEach(async () => {
    await started?.stop(); // a runner a failed assertion left going
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("leaves no container, network or workspace of a SIGKILLed runner's run within 10 s", async () => {
    const { runner, workdir, workspace, run } = await shortRunInFault(dir, ["--platform", "docker"]);
    started = runner;
    const runnerPid = runner.child.pid!;
    const before = await dockerOfRun(run);
    // Two databases, two apps, the proxy container, and the network(s).
    assert.ok(before.filter((r) => r.startsWith("container")).length >= 5, before.join(", "));
    assert.ok(
      before.some((r) => r.startsWith("network")),
      before.join(", "),
    );

    runner.child.kill("SIGKILL");
    await runner.exited;
    const t0 = performance.now();
    const clean = await within(10_000, async () => {
      const left = await dockerOfRun(run);
      return (
        left.length === 0 && (await processesOfRunner(runnerPid)).length === 0 && !(await exists(workspace))
      );
    });
    console.log(
      `      timing: nothing of the run left ${(performance.now() - t0).toFixed(0)} ms after SIGKILL`,
    );
    assert.ok(clean, `left: ${(await dockerOfRun(run)).join(", ")}; workspace ${workspace}`);

    const { code, output } = await cleanupCli(["--dry-run", "--workdir", workdir]);
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, new RegExp(run), output);
  });

  it("removes a planted labelled container and network whose runner is gone, and no unlabelled one", async () => {
    const run = `planted-${process.pid}-docker`;
    const gone = spawn("true");
    await new Promise((resolve) => gone.once("exit", resolve));
    const labels = [
      `${RUN_LABELS.run}=${run}`,
      `${RUN_LABELS.runnerPid}=${gone.pid}`,
      `${RUN_LABELS.runnerStart}=1`,
      `${RUN_LABELS.host}=${os.hostname()}`,
    ].flatMap((l) => ["--label", l]);
    const network = `failover-drill-planted-${process.pid}`;
    const unlabelled = `failover-drill-unlabelled-${process.pid}`;
    docker("network", "create", ...labels, network);
    docker("network", "create", unlabelled);
    const container = docker(
      "create",
      ...labels,
      "--network",
      network,
      "--name",
      `${network}-db`,
      "failover-drill/toxiproxy:embedded",
    );
    try {
      const listed = await cleanupCli(["--dry-run", "--workdir", dir]);
      assert.equal(listed.code, 0, listed.output);
      const ours = listed.output
        .split("\n")
        .filter((l) => l.includes(run))
        .map((l) => l.trim().replace(/ \(.*/, ""))
        .sort();
      assert.deepEqual(ours, [`container ${network}-db`, `network ${network}`], listed.output);
      assert.doesNotMatch(listed.output, new RegExp(unlabelled));

      const removed = await cleanupCli(["--workdir", dir]);
      assert.equal(removed.code, 0, removed.output);
      assert.deepEqual(await dockerOfRun(run), []);
      assert.equal(docker("ps", "-aq", "--filter", `id=${container}`), "");
      assert.equal(docker("network", "ls", "-q", "--filter", `name=^${unlabelled}$`).length > 0, true);
    } finally {
      spawnSync("docker", ["rm", "-f", container], { stdio: "ignore" });
      spawnSync("docker", ["network", "rm", network, unlabelled], { stdio: "ignore" });
    }
  });
});
