// Runs one hook: a shell command of the user's (`/bin/sh -c`), in its own process group, with a
// deadline. Unlike the supervisor's long-running processes (which log to files), a hook's stdout is its
// answer (`status` prints the primary region), so stdout and stderr are read apart, each capped. When
// the deadline passes, or the drill stops, the whole group gets SIGTERM and, a moment later, SIGKILL;
// whatever the command leaves running in its group when it exits is killed too: a hook's processes
// end with it.
import { spawn, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { processDescendants, processGroupMembers } from "../platform/processes.ts";

/** Where in a drill a hook runs: the manager's (status, fence, promote) or a hook fault's (inject, heal). */
export const HOOK_NAMES = ["status", "fence", "promote", "inject", "heal"] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export interface HookCommand {
  hook: HookName;
  /** Shell text, run by /bin/sh -c. */
  command: string;
  timeoutMs: number;
  /** Added to the drill's own environment. */
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** Aborting kills the hook as a timeout does (the drill is stopping). */
  signal?: AbortSignal;
}

export interface HookResult {
  /** Exited 0 within its deadline. */
  ok: boolean;
  exitCode: number | null;
  /** The signal that ended it, if one did. */
  signal: string | null;
  timedOut: boolean;
  /** Killed because the drill stopped. */
  aborted: boolean;
  durationMs: number;
  /** The last OUTPUT_LIMIT characters of each stream. */
  stdout: string;
  stderr: string;
  /** Either stream was longer than what is kept. */
  truncated: boolean;
  /** Why it is not ok, in a few words ("exit 1", "timed out after 5000 ms", "cannot start: ..."). */
  error?: string;
}

/** Kept per stream; the history gets the tail, which is where errors usually are. */
export const OUTPUT_LIMIT = 2000;
/** After SIGTERM, how long a hook's group has before SIGKILL. */
const TERM_GRACE_MS = 1000;

/** Hooks still running, killed synchronously if the drill's process exits under them. */
const running = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  // Descendants that left the group (setsid) first, then the group itself.
  for (const child of processDescendants(pid)) {
    try {
      process.kill(child, signal);
    } catch {
      // already gone
    }
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of running) killGroup(pid, "SIGKILL");
  });
}

class Capture {
  text = "";
  truncated = false;
  add(chunk: string): void {
    this.text += chunk;
    if (this.text.length > OUTPUT_LIMIT * 2) {
      this.text = this.text.slice(-OUTPUT_LIMIT);
      this.truncated = true;
    }
  }
  tail(): string {
    if (this.text.length <= OUTPUT_LIMIT) return this.text;
    this.truncated = true;
    return this.text.slice(-OUTPUT_LIMIT);
  }
}

export async function runHook(h: HookCommand): Promise<HookResult> {
  const started = performance.now();
  const stdout = new Capture();
  const stderr = new Capture();
  const result = (fields: Partial<HookResult> & Pick<HookResult, "exitCode" | "signal">): HookResult => {
    const base = {
      timedOut: false,
      aborted: false,
      durationMs: Math.round(performance.now() - started),
      stdout: stdout.tail(),
      stderr: stderr.tail(),
      ...fields,
    };
    return {
      ...base,
      ok: base.exitCode === 0 && !base.timedOut && !base.aborted && fields.error === undefined,
      truncated: stdout.truncated || stderr.truncated,
    };
  };
  if (h.signal?.aborted)
    return result({ exitCode: null, signal: null, aborted: true, error: "drill stopping" });

  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", h.command], {
      cwd: h.cwd,
      env: { ...process.env, ...h.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
  } catch (err) {
    return result({ exitCode: null, signal: null, error: `cannot start: ${(err as Error).message}` });
  }
  const pid = child.pid;
  if (pid === undefined) {
    const error = await new Promise<string>((resolve) => child.once("error", (e) => resolve(e.message)));
    return result({ exitCode: null, signal: null, error: `cannot start: ${error}` });
  }
  installExitHook();
  running.add(pid);
  child.stdout?.setEncoding("utf8").on("data", (s: string) => stdout.add(s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => stderr.add(s));

  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const end = (why: "timeout" | "abort"): void => {
    if (timedOut || aborted) return;
    if (why === "timeout") timedOut = true;
    else aborted = true;
    killGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), TERM_GRACE_MS);
  };
  const deadline = setTimeout(() => end("timeout"), h.timeoutMs);
  const onAbort = (): void => end("abort");
  h.signal?.addEventListener("abort", onAbort, { once: true });

  const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(deadline);
  h.signal?.removeEventListener("abort", onAbort);
  // Whatever the shell left behind in its group (a background job holding the pipes open) ends now.
  if (processGroupMembers(pid).length > 0 || processDescendants(pid).length > 0) killGroup(pid, "SIGKILL");
  clearTimeout(killTimer);
  running.delete(pid);
  // Output already written is still in the pipes: read it, but not forever.
  await Promise.race([
    Promise.all([closed(child.stdout), closed(child.stderr)]),
    new Promise((resolve) => setTimeout(resolve, 200)),
  ]);
  child.stdout?.destroy();
  child.stderr?.destroy();

  const how = exit.signal !== null ? `killed by ${exit.signal}` : `exit ${exit.code}`;
  const error = timedOut
    ? `timed out after ${h.timeoutMs} ms (${how})`
    : aborted
      ? `stopped with the drill (${how})`
      : exit.code === 0
        ? undefined
        : how;
  return result({
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    aborted,
    ...(error === undefined ? {} : { error }),
  });
}

function closed(stream: Readable | null): Promise<void> {
  if (stream === null || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  });
}
