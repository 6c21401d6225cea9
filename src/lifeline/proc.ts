// What /proc says about processes: who carries a run marker, their descendants, and how to stop
// them all. Linux only; elsewhere nothing is found (and nothing is touched).
import { readFileSync } from "node:fs";
import { listProcesses, readProcess, type ProcEntry } from "../platform/proc.ts";
import type { RunMarker } from "./marker.ts";
import { markerFromEnviron, topmost, withDescendants, type RunnerProbe } from "./ownership.ts";

/** /proc as a RunnerProbe: is the pid running, and since when. */
export const procProbe: RunnerProbe = (pid) => {
  const entry = readProcess(pid);
  return entry === undefined ? undefined : { start: entry.start };
};

export interface MarkedProcess extends ProcEntry {
  marker: RunMarker;
}

/** Processes whose environment carries a run marker (readable for our own uid, or all as root). */
export function markedProcesses(all: ProcEntry[] = listProcesses()): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  for (const p of all) {
    if (p.pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${p.pid}/environ`, "latin1");
    } catch {
      continue; // another user's process, or gone
    }
    const marker = markerFromEnviron(environ);
    if (marker !== undefined) found.push({ ...p, marker });
  }
  return found;
}

/** The command line of a pid, for listings ("" when gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours to signal
  }
}

/** PostgreSQL's fast shutdown is SIGINT (SIGTERM would wait for every client to leave). */
const stopSignal = (comm: string): NodeJS.Signals =>
  comm === "postgres" || comm === "postmaster" ? "SIGINT" : "SIGTERM";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Stops `roots` and everything they started: each top process (a postmaster, an app) gets its own
 * shutdown signal first, its group SIGTERM; whatever is still there after `graceMs` is frozen
 * (SIGSTOP, so nothing forks or restarts a child) and SIGKILLed, top processes first.
 * Resolves with the pids still running at the end (normally none).
 */
export async function stopProcessTrees(roots: readonly ProcEntry[], graceMs = 3000): Promise<number[]> {
  if (roots.length === 0) return [];
  const alive = (pids: Iterable<number>): number[] => {
    const live = new Set(listProcesses().map((p) => p.pid));
    return [...pids].filter((pid) => live.has(pid));
  };
  // Only the processes found, not whatever reuses their pids later.
  const rootStart = new Map(roots.map((r) => [r.pid, r.start]));
  const tree = (): number[] => {
    const all = listProcesses();
    const live = all.filter((p) => rootStart.get(p.pid) === p.start).map((p) => p.pid);
    return withDescendants(live, all);
  };
  const known = new Set(tree());
  for (const top of topmost(roots)) {
    send(top.pid, stopSignal(top.comm));
    send(-top.pid, "SIGTERM"); // its process group, when it leads one
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive(known).length > 0) {
    for (const pid of tree()) known.add(pid);
    await sleep(100);
  }
  for (let round = 0; round < 3; round++) {
    for (const pid of tree()) known.add(pid);
    const left = alive(known);
    if (left.length === 0) return [];
    for (const pid of left) send(pid, "SIGSTOP");
    for (const pid of left) send(pid, "SIGKILL");
    await sleep(200);
  }
  const waitUntil = Date.now() + 3000;
  while (Date.now() < waitUntil && alive(known).length > 0) await sleep(100);
  return alive(known);
}
