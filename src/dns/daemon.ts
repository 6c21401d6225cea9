// Running a real DNS program (BIND's named, Unbound) for a drill: its own directory (handed to the
// unprivileged user when we are root, since neither needs root on an unprivileged port), a supervised
// process in the foreground, a readiness check over real DNS, and on failure the end of its log.
import { chown, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ProcessSupervisor, type ManagedProcess } from "../platform/processes.ts";
import { locate, type Requirement } from "../platform/requirements.ts";
import { unprivilegedUser } from "../platform/user.ts";
import { waitUntil } from "../util/wait.ts";

export class DnsDaemonError extends Error {
  override name = "DnsDaemonError";
}

/** A directory for the program: `dir` (created) or a temporary one that stop() removes. */
export async function daemonDir(
  dir: string | undefined,
  prefix: string,
): Promise<{ dir: string; temporary: boolean }> {
  const made = dir === undefined ? await mkdtemp(path.join(os.tmpdir(), `${prefix}-`)) : dir;
  // Parents keep the usual mode: the unprivileged program has to pass through them.
  await mkdir(path.dirname(made), { recursive: true });
  await mkdir(made, { recursive: true, mode: 0o700 });
  return { dir: made, temporary: dir === undefined };
}

/** Hands `paths` to the unprivileged user the programs run as; a no-op unless we are root. */
export async function handToUnprivileged(paths: string[]): Promise<void> {
  const user = unprivilegedUser();
  if (user === null) return;
  for (const p of paths) await chown(p, user.uid, user.gid);
}

export async function logTail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The absolute path of a requirement's program, or an error naming its package. */
export function programPath(requirement: Requirement): string {
  const found = locate(requirement);
  if (found === undefined) {
    throw new DnsDaemonError(
      `${requirement.command} (${requirement.purpose}) is not installed; install with: apt-get install -y ${requirement.package}`,
    );
  }
  return found;
}

export interface DaemonOptions {
  name: string;
  command: string;
  args: string[];
  dir: string;
  temporaryDir: boolean;
  logFile: string;
  /** true once the program answers as it should; errors count as "not yet". */
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}

export interface RunningDaemon {
  readonly process: ManagedProcess;
  /** Stops the program (SIGTERM, then SIGKILL) and waits until it is gone; removes a temporary dir. */
  stop(): Promise<void>;
}

export async function startDaemon(o: DaemonOptions): Promise<RunningDaemon> {
  const supervisor = new ProcessSupervisor();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      try {
        await supervisor.stopAll(3000);
      } finally {
        if (o.temporaryDir) await rm(o.dir, { recursive: true, force: true });
      }
    })());
  try {
    const child = supervisor.spawn(o.name, o.command, o.args, {
      logFile: o.logFile,
      cwd: o.dir,
      asUnprivileged: true,
    });
    await waitUntil(
      async () => {
        if (!child.running) throw new DnsDaemonError(`${o.name} exited during start`);
        return o.ready().catch(() => false);
      },
      {
        timeoutMs: o.timeoutMs ?? 20_000,
        intervalMs: 50,
        wake: child.exited,
        retryErrors: false,
        describe: `${o.name} to answer`,
        error: (message) => new DnsDaemonError(message),
      },
    ).catch(async (err: unknown) => {
      throw new DnsDaemonError(
        `${(err as Error).message}; end of its log ${o.logFile}:\n${await logTail(o.logFile)}`,
      );
    });
    return { process: child, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
