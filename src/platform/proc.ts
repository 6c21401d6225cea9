// The one reader of /proc/<pid>/stat (Linux): the process supervisor, the lifeline's reaper and
// cleanup, and the Patroni manager all list processes through it. Elsewhere nothing is found.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcEntry {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** The command name (/proc/<pid>/comm: at most 15 characters). */
  comm: string;
  /** R, S, D, T (stopped), t (traced), ...; never Z or X here. */
  state: string;
  /** Start time in clock ticks since boot: with the pid, it names one process across pid reuse. */
  start: number;
}

/**
 * One /proc/<pid>/stat line, or undefined for a zombie (Z) or dead (X) process, which runs nothing.
 * The command name is in parentheses and may hold spaces and ")", so fields count from the last ")".
 */
export function parseStat(pid: number, stat: string): ProcEntry | undefined {
  const close = stat.lastIndexOf(")");
  // Fields after the command name: state ppid pgrp session tty_nr tpgid flags ... starttime (22nd).
  const fields = stat.slice(close + 2).split(" ");
  const state = fields[0] ?? "";
  if (state === "Z" || state === "X") return undefined;
  return {
    pid,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    comm: stat.slice(stat.indexOf("(") + 1, close),
    state,
    start: Number(fields[19]),
  };
}

/** One process, or undefined when it is gone, a zombie, or this is not Linux. */
export function readProcess(pid: number): ProcEntry | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Every live (not zombie) process, from one pass over /proc. Synchronous so a kill can act on a
 * consistent snapshot.
 */
export function listProcesses(): ProcEntry[] {
  if (process.platform !== "linux") return [];
  const entries: ProcEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcess(Number(name)); // undefined: exited while we looked
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}

/**
 * The descendants of `root` in `all` (not root itself), parents before children; `follow` false
 * leaves a process and everything below it out.
 */
export function descendantsOf(
  root: number,
  all: readonly ProcEntry[],
  follow: (p: ProcEntry) => boolean = () => true,
): ProcEntry[] {
  const found: ProcEntry[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const parents = new Set(frontier);
    const children = all.filter((p) => parents.has(p.ppid) && follow(p));
    found.push(...children);
    frontier = children.map((p) => p.pid);
  }
  return found;
}
