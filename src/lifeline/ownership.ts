// Pure decisions about what belongs to which run and whether that run's runner is gone. Nothing here
// reads /proc or asks docker: callers pass what they found, so the rules are tested on literal data.
// The rule throughout: no marker or label = not ours; a live runner = not a leftover; a runner on
// another host cannot be judged from here, so its things are left alone too.
import { RUN_ENV, RUN_LABELS, type RunMarker, type RunnerRef, type WorkspaceMarker } from "./marker.ts";

/** What /proc says about a pid now: undefined = no such (running) process. */
export type RunnerProbe = (pid: number) => { start?: number } | undefined;

export type RunnerState =
  { state: "alive" } | { state: "dead"; why: string } | { state: "elsewhere"; why: string };

/** Whether the runner `ref` names is still running, seen from `host` through `probe`. */
export function runnerState(ref: RunnerRef, host: string, probe: RunnerProbe): RunnerState {
  if (ref.host !== host) return { state: "elsewhere", why: `its runner ran on host ${ref.host}` };
  const now = probe(ref.pid);
  if (now === undefined) return { state: "dead", why: `runner pid ${ref.pid} is gone` };
  // The same pid with another start time is a new process that reused the number.
  if (ref.start !== undefined && now.start !== undefined && now.start !== ref.start)
    return { state: "dead", why: `runner pid ${ref.pid} now belongs to another process` };
  return { state: "alive" };
}

const pidOf = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^[1-9]\d{0,9}$/.test(text)) return undefined;
  return Number(text);
};

const startOf = (text: string | undefined): number | undefined =>
  text !== undefined && /^\d{1,20}$/.test(text) ? Number(text) : undefined;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * The run marker in a process's environment (/proc/<pid>/environ: NUL-separated NAME=value), or
 * undefined when it has none or an incomplete one. The runner's host is part of it: /proc also shows
 * the processes of containers, whose runner pids belong to another pid namespace.
 */
export function markerFromEnviron(environ: string): RunMarker | undefined {
  const vars = new Map<string, string>();
  for (const entry of environ.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq > 0) vars.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const host = vars.get(RUN_ENV.host);
  if (host === undefined || host === "") return undefined;
  return markerFrom(vars.get(RUN_ENV.run), vars.get(RUN_ENV.runnerPid), vars.get(RUN_ENV.runnerStart), host);
}

/** The run marker in a container's or network's labels; undefined without a complete one. */
export function markerFromLabels(labels: Readonly<Record<string, string>>): RunMarker | undefined {
  const host = labels[RUN_LABELS.host];
  if (host === undefined || host === "") return undefined;
  return markerFrom(
    labels[RUN_LABELS.run],
    labels[RUN_LABELS.runnerPid],
    labels[RUN_LABELS.runnerStart],
    host,
  );
}

function markerFrom(
  run: string | undefined,
  pidText: string | undefined,
  startText: string | undefined,
  host: string,
): RunMarker | undefined {
  const pid = pidOf(pidText);
  if (run === undefined || !RUN_ID.test(run) || pid === undefined) return undefined;
  const start = startOf(startText);
  return { run, pid, host, ...(start === undefined ? {} : { start }) };
}

/**
 * A workspace marker file's content, checked: it must name a run, a runner and the directory it
 * lies in (a marker copied into another directory proves nothing about that directory).
 */
export function parseWorkspaceMarker(text: string, dir: string): WorkspaceMarker | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const o = data as Record<string, unknown>;
  if (o.workspace !== dir || typeof o.host !== "string" || typeof o.startedAt !== "string") return undefined;
  const marker = markerFrom(
    typeof o.run === "string" ? o.run : undefined,
    typeof o.pid === "number" ? String(o.pid) : undefined,
    typeof o.start === "number" ? String(o.start) : undefined,
    o.host,
  );
  if (marker === undefined) return undefined;
  return { ...marker, startedAt: o.startedAt, workspace: dir, ...(o.kept === true ? { kept: true } : {}) };
}

/** Something found with a marker, and whether it is a leftover. */
export type Verdict = { leftover: true; why: string } | { leftover: false; why: string };

/** A marked thing is a leftover exactly when its runner is provably dead. */
export function judge(marker: RunMarker | undefined, host: string, probe: RunnerProbe): Verdict {
  if (marker === undefined) return { leftover: false, why: "no drill marker" };
  const runner = runnerState(marker, host, probe);
  if (runner.state === "dead") return { leftover: true, why: runner.why };
  if (runner.state === "elsewhere") return { leftover: false, why: runner.why };
  return { leftover: false, why: `run ${marker.run} is still running (runner pid ${marker.pid})` };
}

export interface ProcessRow {
  pid: number;
  ppid: number;
}

/**
 * `roots` and every live descendant of them. PostgreSQL's backends overwrite their environment
 * with their process title, so only the postmaster still shows the marker; its children go with it.
 */
export function withDescendants(roots: readonly number[], all: readonly ProcessRow[]): number[] {
  const found = new Set(roots);
  let frontier = [...roots];
  while (frontier.length > 0) {
    const parents = new Set(frontier);
    frontier = all.filter((p) => parents.has(p.ppid) && !found.has(p.pid)).map((p) => p.pid);
    for (const pid of frontier) found.add(pid);
  }
  return [...found];
}

/** The marked processes whose parent is not marked itself: the ones to stop first. */
export function topmost<P extends ProcessRow>(marked: readonly P[]): P[] {
  const pids = new Set(marked.map((p) => p.pid));
  return marked.filter((p) => !pids.has(p.ppid));
}
