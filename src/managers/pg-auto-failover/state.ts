// The formation as the monitor holds it (pgautofailover.node): what the start-up waits on and how
// pg_auto_failover names its standbys. Pure apart from nodeStates.
import type pg from "pg";

export interface NodeState {
  nodeId: number;
  /** The node's pg_auto_failover name: its region. */
  name: string;
  /** The state its keeper last reported, e.g. primary, secondary, wait_primary, demoted. */
  reported: string;
  /** The state the monitor assigned it. */
  goal: string;
  /** The monitor's health check: 1 good, 0 bad, -1 not checked yet. */
  health: number;
}

interface Monitor {
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[], timeoutMs?: number): Promise<T[]>;
}

export async function nodeStates(monitor: Monitor, timeoutMs?: number): Promise<NodeState[]> {
  const rows = await monitor.query<{
    nodeid: string;
    nodename: string;
    reportedstate: string;
    goalstate: string;
    health: number;
  }>(
    "SELECT nodeid, nodename, reportedstate::text, goalstate::text, health FROM pgautofailover.node ORDER BY nodeid",
    [],
    timeoutMs,
  );
  return rows.map((r) => ({
    nodeId: Number(r.nodeid),
    name: r.nodename,
    reported: r.reportedstate,
    goal: r.goalstate,
    health: r.health,
  }));
}

/**
 * Whether `count` nodes are registered, each in the state the monitor assigned it: one primary
 * (single when alone; under `sync` in state primary, else primary or wait_primary) and secondaries.
 */
export function settled(states: readonly NodeState[], count: number, sync: boolean): boolean {
  if (states.length !== count || states.some((s) => s.reported !== s.goal)) return false;
  const primaries = count === 1 ? ["single"] : sync ? ["primary"] : ["primary", "wait_primary"];
  const leaders = states.filter((s) => primaries.includes(s.reported));
  return leaders.length === 1 && states.every((s) => leaders.includes(s) || s.reported === "secondary");
}

/** pg_auto_failover's application_name of each node as a standby (pgautofailover_standby_<id>) -> its name. */
export function standbyApplicationNames(states: readonly NodeState[]): Map<string, string> {
  return new Map(states.map((s) => [`pgautofailover_standby_${s.nodeId}`, s.name]));
}
