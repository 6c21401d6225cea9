// The runner's active-active steps, apart so runner.ts stays one flow: the steady state (every region
// healthy, every node receiving from every other) and the keyed part of the final reads.
import { isActiveActive, jurisdictions } from "../drill/active-active.ts";
import type { Drill } from "../drill/types.ts";
import type { KeyedState } from "../engines/types.ts";
import { probeHealth } from "../platform/http-probe.ts";
import type { RunningTopology } from "../topology/topology.ts";
import type { HistoryRecorder } from "../history/recorder.ts";
import { KeyedMonitor } from "./keyed-monitor.ts";

export async function activeActiveSteadyProblems(drill: Drill, topo: RunningTopology): Promise<string[]> {
  const engine = topo.engine.activeActive;
  if (engine === undefined) return [`engine ${topo.engine.name} has no active-active topology`];
  const problems: string[] = [];
  const regions = topo.layout.regions.map((r) => r.name);
  for (const r of topo.layout.regions) {
    const probe = await probeHealth(r.address, topo.layout.servicePort, 1000, drill.app.healthPath);
    if (!probe.healthy) problems.push(`region ${r.name} unhealthy: ${probe.error}`);
    const receiving = await engine.subscriptionsStreaming(topo.node(r.name)).catch((): string[] => []);
    const missing = regions.filter((x) => x !== r.name && !receiving.includes(x));
    if (missing.length > 0) problems.push(`${r.name} not receiving from ${missing.join(", ")}`);
  }
  return problems;
}

/** The keyed monitor of an active-active drill (undefined otherwise). */
export function keyedMonitor(
  drill: Drill,
  topo: RunningTopology,
  history: HistoryRecorder,
): KeyedMonitor | undefined {
  const engine = topo.engine.activeActive;
  if (!isActiveActive(drill) || engine === undefined) return undefined;
  return new KeyedMonitor(engine, topo.nodes, jurisdictions(drill), history);
}

/** A node's keyed data for the final read; undefined when not active-active. */
export async function readKeyedFinal(
  drill: Drill,
  topo: RunningTopology,
  region: string,
): Promise<KeyedState | undefined> {
  const engine = topo.engine.activeActive;
  if (!isActiveActive(drill) || engine === undefined) return undefined;
  return engine.readKeyed(topo.node(region), jurisdictions(drill).get(region) ?? "");
}
