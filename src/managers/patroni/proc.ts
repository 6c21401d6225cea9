// Which processes of a member are Patroni itself and which are its PostgreSQL, from /proc (Linux):
// a network outage under Raft freezes Patroni (its Raft node is the region's DCS member) and leaves
// PostgreSQL running.
import { readdirSync, readFileSync } from "node:fs";

interface Entry {
  pid: number;
  ppid: number;
  comm: string;
}

function entries(): Entry[] {
  const found: Entry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") continue;
    found.push({
      pid: Number(name),
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf("(") + 1, close),
    });
  }
  return found;
}

/**
 * Live descendants of `root` whose command is not `except` and that do not descend from one that
 * is: e.g. every Python process of a Patroni member but none of its PostgreSQL tree.
 */
export function descendantsExcept(root: number, except: string): number[] {
  const all = entries();
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const parents = new Set(frontier);
    frontier = all.filter((p) => parents.has(p.ppid) && p.comm !== except).map((p) => p.pid);
    found.push(...frontier);
  }
  return found;
}

/** The direct children of `pid`. */
export function childrenOf(pid: number): number[] {
  return entries()
    .filter((p) => p.ppid === pid)
    .map((p) => p.pid);
}
