// `run`'s warning at start: one line naming what earlier drills left and the command that removes it.
import { defaultWorkspaceParent } from "../platform/workspace.ts";
import { findLeftovers, type Leftovers } from "./leftovers.ts";

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "3 processes, 1 workspace and 2 containers/networks", or null when there is nothing. */
export function leftoverSummary(l: Pick<Leftovers, "processes" | "workspaces" | "docker">): string | null {
  const parts = [
    l.processes.length > 0 ? plural(l.processes.length, "process", "processes") : "",
    l.workspaces.length > 0 ? plural(l.workspaces.length, "workspace", "workspaces") : "",
    l.docker.length > 0 ? plural(l.docker.length, "container/network", "containers/networks") : "",
  ].filter((p) => p !== "");
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/** Warns (never fails) when earlier drills whose runner is gone left anything behind. */
export async function warnAboutLeftovers(warn: (line: string) => void): Promise<void> {
  try {
    const found = await findLeftovers({ workdirs: [await defaultWorkspaceParent()], dockerTimeoutMs: 3000 });
    const summary = leftoverSummary(found);
    if (summary === null) return;
    warn(
      `warning: earlier drills left ${summary} behind (their runner is gone); ` +
        "`failover-drill cleanup --dry-run` lists them, `failover-drill cleanup` removes them",
    );
  } catch {
    // A check that cannot look is no reason to stop a drill.
  }
}
