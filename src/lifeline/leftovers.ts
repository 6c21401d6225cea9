// What earlier drills left behind, found by marker and judged by whether their runner still runs;
// removed on request. Used by `failover-drill cleanup` and by `run`'s warning at start.
import os from "node:os";
import type { WorkspaceMarker } from "./marker.ts";
import { labelledResources, removeResources, type LabelledResource } from "./docker-labelled.ts";
import { judge, markerFromLabels, type RunnerProbe } from "./ownership.ts";
import { commandLine, markedProcesses, procProbe, stopProcessTrees, type MarkedProcess } from "./proc.ts";
import { markedWorkspaces, removeMarkedWorkspace } from "./workspace-marker.ts";

export interface Leftovers {
  processes: (MarkedProcess & { command: string; why: string })[];
  workspaces: (WorkspaceMarker & { why: string })[];
  docker: (LabelledResource & { run: string; why: string })[];
  /** Why docker was not searched, when it was not. */
  dockerSkipped?: string;
}

export interface FindOptions {
  /** Directories whose failover-drill-* children are searched for workspaces. */
  workdirs: readonly string[];
  host?: string;
  probe?: RunnerProbe;
  /** Also count workspaces kept on purpose with --keep (cleanup does; the warning does not). */
  includeKept?: boolean;
  dockerTimeoutMs?: number;
}

export async function findLeftovers(o: FindOptions): Promise<Leftovers> {
  const host = o.host ?? os.hostname();
  const probe = o.probe ?? procProbe;
  const [workspaces, docker] = await Promise.all([
    markedWorkspaces(o.workdirs),
    labelledResources(undefined, o.dockerTimeoutMs),
  ]);
  const found: Leftovers = { processes: [], workspaces: [], docker: [] };
  for (const p of markedProcesses()) {
    const verdict = judge(p.marker, host, probe);
    if (verdict.leftover) found.processes.push({ ...p, command: commandLine(p.pid), why: verdict.why });
  }
  for (const w of workspaces) {
    if (w.kept === true && o.includeKept !== true) continue;
    const verdict = judge(w, host, probe);
    if (verdict.leftover)
      found.workspaces.push({ ...w, why: w.kept === true ? "kept with --keep" : verdict.why });
  }
  if (docker.ok) {
    for (const r of docker.resources) {
      const marker = markerFromLabels(r.labels);
      const verdict = judge(marker, host, probe);
      if (verdict.leftover && marker !== undefined)
        found.docker.push({ ...r, run: marker.run, why: verdict.why });
    }
  } else found.dockerSkipped = docker.why;
  return found;
}

export const leftoverCount = (l: Leftovers): number =>
  l.processes.length + l.workspaces.length + l.docker.length;

/** Removes what findLeftovers found: processes first (they hold the workspaces), then docker, then dirs. */
export async function removeLeftovers(l: Leftovers): Promise<string[]> {
  const problems: string[] = [];
  const survivors = await stopProcessTrees(l.processes);
  if (survivors.length > 0) problems.push(`processes survived SIGKILL: ${survivors.join(", ")}`);
  if (l.docker.length > 0) problems.push(...(await removeResources(l.docker)));
  for (const w of l.workspaces) {
    await removeMarkedWorkspace(w.workspace, w.run).catch((err: unknown) =>
      problems.push(`${w.workspace}: ${(err as Error).message}`),
    );
  }
  return problems;
}
