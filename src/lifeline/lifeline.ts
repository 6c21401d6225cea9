// Starts a run's reaper (reaper-main.ts) and talks to it over a pipe: the lifeline. The runner only
// ever writes; if it dies, the pipe closes and the reaper cleans up after it.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { newRunId, thisRunner, withRun, type RunContext } from "./marker.ts";

/** node's arguments for the reaper: compiled (dist/) or from the sources through tsx, as for the app. */
export function reaperLaunchArgs(moduleUrl: string = import.meta.url): string[] {
  if (moduleUrl.endsWith(".js")) return [fileURLToPath(new URL("./reaper-main.js", moduleUrl))];
  const tsx = pathToFileURL(createRequire(moduleUrl).resolve("tsx")).href;
  return ["--import", tsx, fileURLToPath(new URL("./reaper-main.ts", moduleUrl))];
}

export interface Lifeline {
  readonly run: string;
  /** The runner cleaned up itself: the reaper exits without doing anything. */
  release(): void;
}

function startReaper(
  context: RunContext,
  keep: boolean,
): { child: ChildProcess; send: (line: string) => void } {
  const m = context.marker;
  const child = spawn(
    process.execPath,
    [
      ...reaperLaunchArgs(),
      m.run,
      String(m.pid),
      m.start === undefined ? "-" : String(m.start),
      keep ? "keep" : "no-keep",
    ],
    // Its own session: a Ctrl-C to the runner's terminal is the runner's to handle, not the reaper's.
    { detached: true, stdio: ["pipe", "ignore", "ignore"] },
  );
  child.on("error", () => undefined); // no reaper: the run goes on (and `cleanup` remains)
  child.stdin?.on("error", () => undefined); // the reaper exited early
  // Neither the reaper nor its pipe may keep the runner alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const send = (line: string): void => {
    if (child.stdin?.writable) child.stdin.write(line + "\n");
  };
  return { child, send };
}

/**
 * Runs `work` as a new run: a run id, the marker context every spawn and container picks up, and a
 * reaper that takes the run's processes, containers and workspace with it if this process dies.
 */
export async function withLifeline<T>(keep: boolean, work: (lifeline: Lifeline) => Promise<T>): Promise<T> {
  const context: RunContext = { marker: { run: newRunId(), ...thisRunner() } };
  const reaper = startReaper(context, keep);
  context.onWorkspace = (dir) => reaper.send(`workspace ${dir}`);
  let released = false;
  const lifeline: Lifeline = {
    run: context.marker.run,
    release() {
      if (released) return;
      released = true;
      reaper.send("done");
      reaper.child.stdin?.end();
    },
  };
  try {
    return await withRun(context, () => work(lifeline));
  } finally {
    lifeline.release();
  }
}
