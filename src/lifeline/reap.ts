// What a reaper does when its runner died without saying "done": stop every process carrying the
// run's marker (with everything they started), remove the run's containers and networks, and remove
// its workspace unless it was to be kept. It heals nothing else: the run is over.
import { labelledResources, removeResources } from "./docker-labelled.ts";
import { markedProcesses, stopProcessTrees } from "./proc.ts";
import { markWorkspaceKept, removeMarkedWorkspace } from "./workspace-marker.ts";

export interface ReapOptions {
  run: string;
  workspaces: readonly string[];
  keep: boolean;
  log: (line: string) => void;
  /** How long a process may take to shut down before it is SIGKILLed. */
  graceMs?: number;
}

/** Repeats until a pass finds nothing: something the runner was starting may appear late. */
export async function reapRun(o: ReapOptions): Promise<void> {
  let workspaces: Promise<void> | undefined;
  for (let pass = 1; pass <= 3; pass++) {
    const processes = markedProcesses().filter((p) => p.marker.run === o.run);
    const docker = await labelledResources(o.run);
    const resources = docker.ok ? docker.resources : [];
    if (processes.length === 0 && resources.length === 0) break;
    o.log(`pass ${pass}: ${processes.length} processes, ${resources.length} containers/networks`);
    const survivors = await stopProcessTrees(processes, pass === 1 ? (o.graceMs ?? 3000) : 0);
    if (survivors.length > 0) o.log(`still running after SIGKILL: ${survivors.join(", ")}`);
    // Nothing local writes into the workspace any more: it goes while docker removes containers.
    workspaces ??= removeWorkspaces(o);
    for (const problem of await removeResources(resources)) o.log(problem);
  }
  await (workspaces ?? removeWorkspaces(o));
}

async function removeWorkspaces(o: ReapOptions): Promise<void> {
  for (const dir of o.workspaces) {
    if (o.keep) await markWorkspaceKept(dir).catch(() => undefined);
    else if (await removeMarkedWorkspace(dir, o.run).catch(() => false)) o.log(`removed ${dir}`);
  }
}
