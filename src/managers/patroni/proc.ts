// Which processes of a member are Patroni itself and which are its PostgreSQL, from /proc (Linux):
// a network outage under Raft freezes Patroni (its Raft node is the region's DCS member) and leaves
// PostgreSQL running.
import { descendantsOf, listProcesses } from "../../platform/proc.ts";

/**
 * Live descendants of `root` whose command is not `except` and that do not descend from one that
 * is: e.g. every Python process of a Patroni member but none of its PostgreSQL tree.
 */
export function descendantsExcept(root: number, except: string): number[] {
  return descendantsOf(root, listProcesses(), (p) => p.comm !== except).map((p) => p.pid);
}

/** The direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return listProcesses()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}
