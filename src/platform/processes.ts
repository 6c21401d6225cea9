// Owns every child process of a drill. Each child leads its own process group (detached); a "region
// power loss" SIGKILLs the child and everything it started, including descendants that left the group
// (PostgreSQL backends do), and teardown waits until nothing is left behind.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { currentRun, markedEnv } from "../lifeline/marker.ts";
import { waitUntil, WaitTimeoutError } from "../util/wait.ts";
import { descendantsOf, listProcesses, readProcess, type ProcEntry } from "./proc.ts";
import { unprivilegedUser } from "./user.ts";

export class ProcessSpawnError extends Error {
  override name = "ProcessSpawnError";
}

export class ProcessGroupSurvivedError extends Error {
  override name = "ProcessGroupSurvivedError";
}

export class ProcessPauseError extends Error {
  override name = "ProcessPauseError";
}

export class CommandFailedError extends Error {
  override name = "CommandFailedError";
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export interface ManagedProcess {
  name: string;
  pid: number;
  readonly running: boolean;
  readonly exited: Promise<ProcessExit>;
  /**
   * Sends `signal` to the whole process group and waits until it is gone. SIGKILL (the default)
   * kills every descendant too, even those that left the group (PostgreSQL backends call setsid).
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Asks the process to shut down with `signal` (default: its stop signal, e.g. SIGINT for postgres),
   * sent to the leader only so it can shut its own children down in order; SIGKILLs the whole tree
   * after `graceMs`.
   */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Sends a signal to the group and every descendant without waiting (SIGSTOP/SIGCONT freeze and
   * thaw a whole database, backends included).
   */
  signal(signal: NodeJS.Signals): void;
  /** Whether pause() froze it and resume() has not thawed it yet. */
  readonly paused: boolean;
  /**
   * Freezes the group and every descendant (SIGSTOP) and resolves once each of them is stopped, so
   * nothing it runs answers any more. stop() and a non-SIGKILL kill() thaw it first: a stopped
   * process holds a SIGTERM/SIGINT pending until it is continued.
   */
  pause(timeoutMs?: number): Promise<void>;
  /** Thaws what pause() froze (SIGCONT to the group and every descendant). */
  resume(): void;
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Run as the unprivileged user when we are root (PostgreSQL refuses to run as root). */
  asUnprivileged?: boolean;
  /** Signal for a graceful stop(); SIGTERM unless the program wants another (postgres: SIGINT). */
  stopSignal?: NodeJS.Signals;
}

const DEFAULT_GRACE_MS = 5000;
/** How long leftovers may take to vanish on their own after the leader exited. */
const DRAIN_MS = 1000;
/** How long the kernel may take to tear SIGKILLed processes down (a loaded machine, many backends). */
const KILL_MS = 5000;

/**
 * Children that may still be running. The exit hook SIGKILLs them synchronously, so even a runner
 * that calls process.exit() (mocha --exit) leaves no database running.
 */
const live = new Set<SupervisedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of live) p.killTreeNow();
  });
}

function send(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // ESRCH: already gone
  }
}

/** Live (non-zombie) pids in process group `pgid`. */
export function processGroupMembers(pgid: number): number[] {
  if (process.platform !== "linux") return send(-pgid, 0) ? [pgid] : [];
  return listProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/**
 * Live descendants of `root` (not root itself). Needed because PostgreSQL's children call setsid():
 * they leave the postmaster's process group, so a group signal alone does not reach them.
 */
export function processDescendants(root: number): number[] {
  if (process.platform !== "linux") return [];
  return descendantsOf(root, listProcesses()).map((p) => p.pid);
}

/**
 * Whether a pid is running. On Linux we read /proc, because orphans of a killed leader may stay
 * zombies forever when PID 1 does not reap (as in some containers), and a zombie still answers kill(0).
 */
export function processAlive(pid: number): boolean {
  if (process.platform !== "linux") return send(pid, 0);
  return readProcess(pid) !== undefined;
}

/** Stopped by a signal (T) or by a tracer (t). */
const stopped = (p: ProcEntry): boolean => p.state === "T" || p.state === "t";

/** Live members of group `pgid` and live descendants of `root`, from one snapshot of /proc. */
function processTree(root: number): ProcEntry[] {
  const all = listProcesses();
  const tree = new Map<number, ProcEntry>();
  for (const p of all) if (p.pgrp === root || p.pid === root) tree.set(p.pid, p);
  for (const p of descendantsOf(root, all)) tree.set(p.pid, p);
  return [...tree.values()];
}

/** Whether any live process is left in group `pgid`. */
export function processGroupAlive(pgid: number): boolean {
  return processGroupMembers(pgid).length > 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class SupervisedProcess implements ManagedProcess {
  readonly exited: Promise<ProcessExit>;
  private exitedYet = false;
  private gone = false;
  private frozen = false;
  /** Descendants outside the group that were SIGKILLed and must be waited for. */
  private readonly strays = new Set<number>();

  constructor(
    readonly name: string,
    child: ChildProcess,
    readonly pid: number,
    private readonly stopSignal: NodeJS.Signals,
  ) {
    live.add(this);
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitedYet = true;
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return !this.exitedYet;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.gone) return;
    send(-this.pid, signal);
    for (const pid of processDescendants(this.pid)) send(pid, signal);
  }

  get paused(): boolean {
    return this.frozen;
  }

  async pause(timeoutMs = 5000): Promise<void> {
    if (!this.running) throw new ProcessPauseError(`cannot pause ${this.name}: it is not running`);
    this.frozen = true;
    // The group first, so the leader forks nothing new, then whatever of the tree is not stopped
    // yet; SIGSTOP takes effect when each process is next scheduled, so look until all are.
    send(-this.pid, "SIGSTOP");
    if (process.platform !== "linux") return; // no /proc to confirm it
    let moving: ProcEntry[] = [];
    await waitUntil(
      () => {
        moving = processTree(this.pid).filter((p) => !stopped(p));
        for (const p of moving) send(p.pid, "SIGSTOP");
        return moving.length === 0;
      },
      {
        timeoutMs,
        intervalMs: 5,
        retryErrors: false,
        describe: () =>
          `${this.name} not frozen within ${timeoutMs} ms: ${moving.map((p) => `${p.pid} (${p.state})`).join(", ")}`,
        error: (message) => new ProcessPauseError(message),
      },
    );
  }

  resume(): void {
    this.frozen = false;
    this.signal("SIGCONT");
  }

  /**
   * Power loss: everything the child started dies at the same instant. Freeze the group and every
   * descendant first (SIGSTOP), so nothing forks or commits while we collect pids, then SIGKILL all.
   */
  killTreeNow(): void {
    if (this.gone) return;
    this.frozen = false; // SIGKILL needs no thaw
    const tree = new Set(processDescendants(this.pid));
    send(-this.pid, "SIGSTOP");
    for (const pid of tree) send(pid, "SIGSTOP");
    // Anything forked between the snapshot and the freeze.
    for (const pid of processDescendants(this.pid)) {
      if (!tree.has(pid)) send(pid, "SIGSTOP");
      tree.add(pid);
    }
    for (const pid of tree) {
      send(pid, "SIGKILL");
      this.strays.add(pid);
    }
    send(-this.pid, "SIGKILL");
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (signal === "SIGKILL") this.killTreeNow();
    else {
      if (this.frozen) this.resume();
      send(-this.pid, signal);
    }
    await this.exited;
    await this.waitUntilGone();
  }

  async stop(graceMs = DEFAULT_GRACE_MS, signal: NodeJS.Signals = this.stopSignal): Promise<void> {
    if (this.running) {
      // A frozen process would hold the signal pending until SIGKILL after the grace period.
      if (this.frozen) this.resume();
      send(this.pid, signal);
      if ((await withTimeout(this.exited, graceMs)) === "timeout") this.killTreeNow();
      await this.exited;
    }
    await this.waitUntilGone();
  }

  private leftovers(): number[] {
    return [...processGroupMembers(this.pid), ...[...this.strays].filter(processAlive)];
  }

  private async waitUntilGone(): Promise<void> {
    if (this.gone) return;
    if (!(await this.waitForNoLeftovers(DRAIN_MS))) {
      for (const pid of this.leftovers()) send(pid, "SIGKILL");
      send(-this.pid, "SIGKILL");
      if (!(await this.waitForNoLeftovers(KILL_MS))) {
        throw new ProcessGroupSurvivedError(
          `processes of ${this.name} survived SIGKILL: ${this.leftovers().join(", ")}`,
        );
      }
    }
    this.gone = true;
    live.delete(this);
  }

  /** false when some are still there after `timeoutMs`. */
  private async waitForNoLeftovers(timeoutMs: number): Promise<boolean> {
    return waitUntil(() => this.leftovers().length === 0, {
      timeoutMs,
      intervalMs: 20,
      retryErrors: false,
      describe: `the processes of ${this.name} to be gone`,
    }).catch((err: unknown) => {
      if (err instanceof WaitTimeoutError) return false;
      throw err;
    });
  }
}

export class ProcessSupervisor implements AsyncDisposable {
  private readonly processes = new Set<SupervisedProcess>();
  private disposed = false;
  /** The run it was created in: its children carry that run's marker (src/lifeline/marker.ts). */
  private readonly run = currentRun();

  spawn(name: string, command: string, args: string[], opts: SpawnOptions): ManagedProcess {
    if (this.disposed) throw new ProcessSpawnError(`cannot spawn ${name}: supervisor already disposed`);
    const user = opts.asUnprivileged ? unprivilegedUser() : null;
    const log = openSync(opts.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: opts.cwd,
        env: markedEnv(opts.env, this.run ?? currentRun()),
        stdio: ["ignore", log, log],
        detached: true,
        ...(user === null ? {} : { uid: user.uid, gid: user.gid }),
      });
    } catch (err) {
      throw new ProcessSpawnError(`cannot spawn ${name} (${command}): ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      closeSync(log); // the child holds its own copy
    }
    if (child.pid === undefined) {
      child.on("error", () => {}); // the same failure, reported asynchronously; already thrown below
      throw new ProcessSpawnError(`cannot spawn ${name}: ${command} is missing or not executable`);
    }
    installExitHook();
    const managed = new SupervisedProcess(name, child, child.pid, opts.stopSignal ?? "SIGTERM");
    this.processes.add(managed);
    return managed;
  }

  /** Stops every child (graceful, then SIGKILL after `graceMs`) and waits until their groups are gone. */
  async stopAll(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    const all = [...this.processes];
    const results = await Promise.allSettled(all.map((p) => p.stop(graceMs)));
    for (const p of all) this.processes.delete(p);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.disposed = true;
    await this.stopAll();
  }
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  asUnprivileged?: boolean;
  timeoutMs?: number;
}

/** Runs a short command to completion (initdb, --version); throws with its output when it fails. */
export function runCommand(command: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const user = opts.asUnprivileged ? unprivilegedUser() : null;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: opts.cwd,
        env: markedEnv(opts.env),
        stdio: ["ignore", "pipe", "pipe"],
        timeout: opts.timeoutMs ?? 60_000,
        killSignal: "SIGKILL",
        ...(user === null ? {} : { uid: user.uid, gid: user.gid }),
      });
    } catch (err) {
      reject(new CommandFailedError(`${command}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", (err) =>
      reject(new CommandFailedError(`${command}: ${err.message}`, { cause: err })),
    );
    child.once("close", (code, signal) => {
      if (code === 0) resolve(output);
      else {
        const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
        reject(new CommandFailedError(`${command} ${args.join(" ")} failed (${how}): ${output.trim()}`));
      }
    });
  });
}
