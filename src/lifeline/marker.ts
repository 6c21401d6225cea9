// A run's identity and how it marks what it creates, so a reaper (when the runner dies) and
// `failover-drill cleanup` (later) can tell a drill's own processes, workspaces and containers from
// anything else. The current run travels in an AsyncLocalStorage: every spawn and container started
// on behalf of runDrill picks it up without each layer passing it along.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { readProcess } from "../platform/proc.ts";

/** Environment variables every process of a run carries (readable in /proc/<pid>/environ). */
export const RUN_ENV = {
  run: "FAILOVER_DRILL_RUN",
  runnerPid: "FAILOVER_DRILL_RUNNER_PID",
  runnerStart: "FAILOVER_DRILL_RUNNER_START",
  /** The runner's host name: a runner in a container (another pid namespace) is not judged here. */
  host: "FAILOVER_DRILL_HOST",
} as const;

/** Labels on every docker container and network of a run. */
export const RUN_LABELS = {
  run: "io.failover-drill.run",
  runnerPid: "io.failover-drill.runner-pid",
  runnerStart: "io.failover-drill.runner-start",
  host: "io.failover-drill.host",
  workspace: "io.failover-drill.workspace",
} as const;

/** The file in every workspace that proves which run made it. */
export const WORKSPACE_MARKER_FILE = ".failover-drill-run.json";
/** Workspaces are named failover-drill-<drill>-XXXXXX (src/platform/workspace.ts). */
export const WORKSPACE_PREFIX = "failover-drill-";

/** Which process ran a run: its pid and, against pid reuse, its start time (clock ticks since boot). */
export interface RunnerRef {
  pid: number;
  /** /proc/<pid>/stat field 22; absent where there is no /proc. */
  start?: number;
  host: string;
}

export interface RunMarker extends RunnerRef {
  run: string;
}

/** The marker file's content. */
export interface WorkspaceMarker extends RunMarker {
  startedAt: string;
  workspace: string;
  /** The run ended normally and kept its workspace (--keep). */
  kept?: boolean;
}

/** What a run does beyond marking: tell its reaper where its workspace is. */
export interface RunContext {
  marker: RunMarker;
  /** Called once a workspace directory exists (the marker file is already written). */
  onWorkspace?: (dir: string) => void;
  workspace?: string;
}

const storage = new AsyncLocalStorage<RunContext>();

/** Runs `work` as run `context`: everything it spawns or creates carries the run's marker. */
export function withRun<T>(context: RunContext, work: () => Promise<T>): Promise<T> {
  return storage.run(context, work);
}

export function currentRun(): RunContext | undefined {
  return storage.getStore();
}

/** Short and unique: the UTC second the run started and 6 random hex digits. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Start time of `pid` from /proc (clock ticks since boot), or undefined where it cannot be read. */
export function processStartTime(pid: number): number | undefined {
  const start = readProcess(pid)?.start;
  return start !== undefined && Number.isFinite(start) ? start : undefined;
}

/** This process as a runner. */
export function thisRunner(): RunnerRef {
  const start = processStartTime(process.pid);
  return { pid: process.pid, host: os.hostname(), ...(start === undefined ? {} : { start }) };
}

/** `env` (default process.env) plus the current run's marker variables, if a run is current. */
export function markedEnv(env: NodeJS.ProcessEnv = process.env, run = currentRun()): NodeJS.ProcessEnv {
  if (run === undefined) return env;
  const m = run.marker;
  return {
    ...env,
    [RUN_ENV.run]: m.run,
    [RUN_ENV.runnerPid]: String(m.pid),
    [RUN_ENV.host]: m.host,
    ...(m.start === undefined ? {} : { [RUN_ENV.runnerStart]: String(m.start) }),
  };
}

/** The current run's docker labels (none outside a run). */
export function runLabels(run = currentRun()): Record<string, string> {
  if (run === undefined) return {};
  const m = run.marker;
  return {
    [RUN_LABELS.run]: m.run,
    [RUN_LABELS.runnerPid]: String(m.pid),
    [RUN_LABELS.host]: m.host,
    ...(m.start === undefined ? {} : { [RUN_LABELS.runnerStart]: String(m.start) }),
    ...(run.workspace === undefined ? {} : { [RUN_LABELS.workspace]: run.workspace }),
  };
}
