// A dead runner takes its drill with it: SIGKILL the runner mid-fault and within 10 s nothing of its
// run is left (the reaper's work), so `cleanup` finds nothing of it. And `cleanup` itself on planted
// leftovers: it lists and removes exactly the marked ones whose runner is gone, nothing else.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { processStartTime, WORKSPACE_MARKER_FILE } from "../../src/lifeline/marker.ts";
import { warnAboutLeftovers } from "../../src/lifeline/warn.ts";
import { processAlive } from "../../src/platform/processes.ts";
import { exists, type RunningCli } from "./cli-process.ts";
import { cleanupCli, processesOfRunner, shortRunInFault, within } from "./lifeline-helpers.ts";

describe("a runner killed by SIGKILL mid-drill (integration)", function () {
  this.timeout(180_000);
  let dir: string;
  let started: RunningCli | undefined;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "drill-reaper-"));
    // The database user (nobody, when we are root) has to reach the workspace inside.
    await chmod(dir, 0o755);
  });
  afterEach(async () => {
    await started?.stop(); // a runner a failed assertion left going
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("leaves no process and no workspace of its run within 10 s, and cleanup finds nothing of it", async () => {
    const { runner, workdir, workspace, run } = await shortRunInFault(dir);
    started = runner;
    const runnerPid = runner.child.pid!;
    const before = await processesOfRunner(runnerPid);
    // The standby's postmaster with its backends and the apps at least (the primary's are down).
    assert.ok(before.length >= 5, `marked processes before the kill: ${before.join(", ")}`);

    runner.child.kill("SIGKILL");
    await runner.exited;
    const t0 = performance.now();
    const clean = await within(10_000, async () => {
      return (await processesOfRunner(runnerPid)).length === 0 && !(await exists(workspace));
    });
    console.log(
      `      timing: nothing of the run left ${(performance.now() - t0).toFixed(0)} ms after SIGKILL`,
    );
    assert.ok(clean, `left: ${(await processesOfRunner(runnerPid)).join(", ")}; workspace ${workspace}`);
    // Also the backends, which overwrote their copy of the marker with their process title.
    assert.deepEqual(before.filter(processAlive), []);

    const { code, output } = await cleanupCli(["--dry-run", "--workdir", workdir]);
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, new RegExp(run), output);
  });
});

describe("failover-drill cleanup on planted leftovers (integration)", function () {
  this.timeout(60_000);
  const deadRun = `planted-${process.pid}-dead`;
  const liveRun = `planted-${process.pid}-live`;
  let dir: string;
  let deadRunner: number;
  const children: ChildProcess[] = [];
  let marked: number[] = [];
  let unmarked: number;
  let alive: number;
  const dirs: Record<"dead" | "unmarked" | "live", string> = { dead: "", unmarked: "", live: "" };

  const sleeper = (command: string, env: NodeJS.ProcessEnv): number => {
    const child = spawn("/bin/sh", ["-c", command], { detached: true, stdio: "ignore", env });
    child.unref();
    children.push(child);
    return child.pid!;
  };
  const markerEnv = (run: string, pid: number, start: string): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    FAILOVER_DRILL_RUN: run,
    FAILOVER_DRILL_RUNNER_PID: String(pid),
    FAILOVER_DRILL_RUNNER_START: start,
    FAILOVER_DRILL_HOST: os.hostname(),
  });
  const plantWorkspace = async (
    name: string,
    run?: string,
    pid?: number,
    start?: number,
  ): Promise<string> => {
    const ws = await mkdtemp(path.join(dir, `failover-drill-${name}-`));
    await writeFile(path.join(ws, "data.txt"), "x");
    if (run !== undefined) {
      const marker = {
        run,
        pid,
        start,
        host: os.hostname(),
        startedAt: new Date().toISOString(),
        workspace: ws,
      };
      await writeFile(path.join(ws, WORKSPACE_MARKER_FILE), JSON.stringify(marker));
    }
    return ws;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "drill-cleanup-"));
    // A runner that is gone: a process that has exited (and a start time no process has).
    const gone = spawn("true");
    await new Promise((resolve) => gone.once("exit", resolve));
    deadRunner = gone.pid!;
    const ownStart = String(processStartTime(process.pid));
    // A marked shell with a marked child (it inherits the environment), as a runner would leave them.
    const shell = sleeper("sleep 300 & wait", markerEnv(deadRun, deadRunner, "1"));
    unmarked = sleeper("sleep 301; :", { PATH: process.env.PATH });
    alive = sleeper("sleep 302; :", markerEnv(liveRun, process.pid, ownStart));
    const child = await childOf(shell);
    marked = [shell, child];
    dirs.dead = await plantWorkspace("dead", deadRun, deadRunner, 1);
    dirs.unmarked = await plantWorkspace("unmarked");
    dirs.live = await plantWorkspace("live", liveRun, process.pid, Number(ownStart));
  });

  after(async () => {
    for (const pid of [...marked, unmarked, alive]) {
      try {
        process.kill(-pid, "SIGKILL"); // each shell leads its group, with its sleep
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("lists exactly the marked leftovers whose runner is gone, and removes nothing, with --dry-run", async () => {
    const { code, output } = await cleanupCli(["--dry-run", "--workdir", dir]);
    assert.equal(code, 0, output);
    const ours = output.split("\n").filter((l) => l.includes(`planted-${process.pid}-`));
    assert.deepEqual(
      ours.map((l) => l.trim().replace(/:.*\[/, " [")).sort(),
      [
        `process ${marked[0]} (sh) of run ${deadRun} [runner pid ${deadRunner} is gone]`,
        `process ${marked[1]} (sleep) of run ${deadRun} [runner pid ${deadRunner} is gone]`,
        `workspace ${dirs.dead} of run ${deadRun} [runner pid ${deadRunner} is gone]`,
      ].sort(),
      output,
    );
    assert.doesNotMatch(output, new RegExp(`process (${unmarked}|${alive}) `));
    assert.match(output, /dry run: nothing removed/);
    assert.ok(marked.every(processAlive), "nothing stopped by a dry run");
    assert.ok(await exists(dirs.dead), "nothing removed by a dry run");
  });

  it("makes run warn at start, naming failover-drill cleanup", async () => {
    const lines: string[] = [];
    const before = process.env.FAILOVER_DRILL_WORKDIR;
    process.env.FAILOVER_DRILL_WORKDIR = dir;
    try {
      await warnAboutLeftovers((line) => lines.push(line));
    } finally {
      if (before === undefined) delete process.env.FAILOVER_DRILL_WORKDIR;
      else process.env.FAILOVER_DRILL_WORKDIR = before;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^warning: earlier drills left .*processes.*workspace.* behind/);
    assert.match(
      lines[0]!,
      /`failover-drill cleanup --dry-run` lists them, `failover-drill cleanup` removes them/,
    );
  });

  it("removes them, and leaves the unmarked process and directory and the live run's alone", async () => {
    const { code, output } = await cleanupCli(["--workdir", dir]);
    assert.equal(code, 0, output);
    assert.ok(await within(5000, () => Promise.resolve(!marked.some(processAlive))), output);
    assert.equal(await exists(dirs.dead), false);
    assert.ok(processAlive(unmarked) && processAlive(alive), "unmarked and live-run processes untouched");
    assert.ok(
      (await exists(dirs.unmarked)) && (await exists(dirs.live)),
      "unmarked and live-run dirs untouched",
    );
    const again = await cleanupCli(["--dry-run", "--workdir", dir]);
    assert.doesNotMatch(again.output, new RegExp(`planted-${process.pid}-`), again.output);
  });

  it("refuses a --workdir that is not a directory, naming it (exit 2)", async () => {
    const { code, output } = await cleanupCli(["--dry-run", "--workdir", path.join(dir, "missing")]);
    assert.equal(code, 2);
    assert.match(output, /--workdir .*missing: expected an existing directory/);
  });
});

/** The first child of `pid` (polled: the shell forks it after starting). */
async function childOf(pid: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) return Number(entry);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no child of ${pid}`);
}
