// The marker file in each workspace: which run made it, by which runner, when. It is what lets
// cleanup prove a directory is a drill's own before removing it.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { currentRun, WORKSPACE_MARKER_FILE, WORKSPACE_PREFIX, type WorkspaceMarker } from "./marker.ts";
import { parseWorkspaceMarker } from "./ownership.ts";

/** Writes the current run's marker into a new workspace and tells the run's reaper about it. */
export async function claimWorkspace(dir: string): Promise<void> {
  const run = currentRun();
  if (run === undefined) return;
  const marker: WorkspaceMarker = { ...run.marker, startedAt: new Date().toISOString(), workspace: dir };
  await writeFile(path.join(dir, WORKSPACE_MARKER_FILE), JSON.stringify(marker) + "\n", { mode: 0o644 });
  run.workspace = dir;
  run.onWorkspace?.(dir);
}

export async function readWorkspaceMarker(dir: string): Promise<WorkspaceMarker | undefined> {
  const text = await readFile(path.join(dir, WORKSPACE_MARKER_FILE), "utf8").catch(() => undefined);
  return text === undefined ? undefined : parseWorkspaceMarker(text, dir);
}

/** A workspace kept on purpose (--keep) says so, so `run` does not warn about it as a leftover. */
export async function markWorkspaceKept(dir: string): Promise<void> {
  const marker = await readWorkspaceMarker(dir);
  if (marker === undefined || marker.kept === true) return;
  await writeFile(path.join(dir, WORKSPACE_MARKER_FILE), JSON.stringify({ ...marker, kept: true }) + "\n");
}

/** Every failover-drill-* directory directly under `parents` that holds a valid marker. */
export async function markedWorkspaces(parents: readonly string[]): Promise<WorkspaceMarker[]> {
  const found: WorkspaceMarker[] = [];
  for (const parent of new Set(parents.map((p) => path.resolve(p)))) {
    const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !entry.name.startsWith(WORKSPACE_PREFIX)) continue;
      const marker = await readWorkspaceMarker(path.join(parent, entry.name));
      if (marker !== undefined) found.push(marker);
    }
  }
  return found;
}

/** Removes a workspace, but only while its marker still names `run` (never an unmarked directory). */
export async function removeMarkedWorkspace(dir: string, run: string): Promise<boolean> {
  const marker = await readWorkspaceMarker(dir);
  if (marker?.run !== run) return false;
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  return true;
}
