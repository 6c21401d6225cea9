// Shared by the tests that SIGKILL a runner (local and docker): a shortened region-outage drill, the
// runner started as a child process until its fault is in, and what of its run is still there.
// Not a test file: importing it runs no suite.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { main } from "../../src/cli/main.ts";
import { labelledResources } from "../../src/lifeline/docker-labelled.ts";
import { WORKSPACE_MARKER_FILE } from "../../src/lifeline/marker.ts";
import { runnerInFault, workspaceOf, type RunningCli } from "./cli-process.ts";

/** drills/region-outage.yaml with fewer clients and the outage 3 s into a 20 s workload. */
async function shortRegionOutage(dir: string): Promise<string> {
  const doc = parseDocument(await readFile("drills/region-outage.yaml", "utf8"));
  doc.setIn(["workload", "clients"], 20);
  doc.setIn(["workload", "rate"], "100/s");
  doc.setIn(["workload", "duration"], "20s");
  doc.setIn(["faults", 0, "at"], "3s");
  const file = path.join(dir, "region-outage.yaml");
  await writeFile(file, doc.toString());
  return file;
}

export interface ShortRunInFault {
  runner: RunningCli;
  /** Where its workspace was made (FAILOVER_DRILL_WORKDIR). */
  workdir: string;
  workspace: string;
  /** Its run id, from the workspace's marker. */
  run: string;
}

/**
 * `failover-drill run` of shortRegionOutage under `dir` (plus `args`), its workspaces in dir/work,
 * once its fault is injected: the runner, its workspace and its run id.
 */
export async function shortRunInFault(dir: string, args: string[] = []): Promise<ShortRunInFault> {
  const workdir = path.join(dir, "work");
  await mkdir(workdir, { mode: 0o755 });
  const file = await shortRegionOutage(dir);
  const runner = await runnerInFault([file, ...args, "--out", path.join(dir, "reports")], {
    ...process.env,
    FAILOVER_DRILL_WORKDIR: workdir,
  });
  const workspace = workspaceOf(runner.stdout);
  assert.ok(workspace !== undefined && workspace.startsWith(workdir), runner.stdout);
  const { run } = JSON.parse(await readFile(path.join(workspace, WORKSPACE_MARKER_FILE), "utf8")) as {
    run: string;
  };
  return { runner, workdir, workspace, run };
}

/** Pids of live processes whose environment names `runnerPid` as their runner, with their children. */
export async function processesOfRunner(runnerPid: number): Promise<number[]> {
  const rows: { pid: number; ppid: number; marked: boolean }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      const environ = await readFile(`/proc/${entry}/environ`, "latin1").catch(() => "");
      rows.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        marked: environ.split("\0").includes(`FAILOVER_DRILL_RUNNER_PID=${runnerPid}`),
      });
    } catch {
      // gone while we looked
    }
  }
  const found = new Set(rows.filter((r) => r.marked).map((r) => r.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) {
      if (found.has(r.ppid) && !found.has(r.pid)) {
        found.add(r.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** Containers and networks docker still has with the run's label (names). */
export async function dockerOfRun(run: string): Promise<string[]> {
  const answer = await labelledResources(run);
  if (!answer.ok) throw new Error(answer.why);
  return answer.resources.map((r) => `${r.kind} ${r.name}`);
}

/** `failover-drill cleanup` in-process: its exit code and everything it printed. */
export async function cleanupCli(args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(["cleanup", ...args], { out: (t) => lines.push(t), err: (t) => lines.push(t) });
  return { code, output: lines.join("\n") };
}

/** Polls `probe` every 200 ms until it returns true; false after `timeoutMs`. */
export async function within(timeoutMs: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
