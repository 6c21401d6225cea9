// The CLI as a user runs it: bin/failover-drill.js in a child process, and what a run of it left
// behind on the machine. Shared by the CLI, guardrails, interrupt and lifeline tests. Not a test file.
import { spawn, type ChildProcess } from "node:child_process";
import { access, readdir, readFile } from "node:fs/promises";
import net from "node:net";

/** How long a CLI asked to stop (SIGINT) may take to stop what it started before it gets SIGKILL. */
const STOP_GRACE_MS = 15_000;

export interface RunningCli {
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Its exit code (null after a signal), once it exits. */
  readonly exited: Promise<number | null>;
  /** Its exit code once its output is complete too; rejects when it could not be started. */
  readonly closed: Promise<number | null>;
  /** Resolves once its standard output holds `text`; rejects, with its output, if it exits first. */
  printed(text: string): Promise<void>;
  /** SIGINT, so it stops everything it started; SIGKILL 15 s later. Resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts bin/failover-drill.js with `args` (and `env`, else ours) without waiting for it. */
export function startCli(args: string[], env?: NodeJS.ProcessEnv): RunningCli {
  const child = spawn(process.execPath, ["bin/failover-drill.js", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    ...(env === undefined ? {} : { env }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
  closed.catch(() => {}); // reported to whoever awaits it, not as an unhandled rejection
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    closed,
    printed: (text) =>
      new Promise<void>((resolve, reject) => {
        const look = (): void => {
          if (!stdout.includes(text)) return;
          child.stdout.off("data", look);
          resolve();
        };
        child.stdout.on("data", look);
        look();
        void exited.then(() =>
          reject(new Error(`the CLI exited before printing ${text}:\n${stdout}\n${stderr}`)),
        );
      }),
    stop: async () => {
      if (!running()) return;
      child.kill("SIGINT");
      const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      try {
        await exited;
      } finally {
        clearTimeout(kill);
      }
    },
  };
}

/**
 * Runs bin/failover-drill.js as a user would, to its end. If it outlives `timeoutMs` (it started a
 * drill it should not have) it is stopped: SIGINT, so it stops everything it started, SIGKILL 15 s later.
 */
export async function spawnCli(
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args);
  const interrupt = setTimeout(() => void cli.stop(), timeoutMs);
  try {
    const code = await cli.closed;
    return { code, stdout: cli.stdout, stderr: cli.stderr };
  } finally {
    clearTimeout(interrupt);
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGKILL");
  }
}

/**
 * Starts `failover-drill run ARGS` and resolves once its fault is injected (the hardest moment to
 * interrupt or die); a run that ends before that is stopped and rejects with its output.
 */
export async function runnerInFault(args: string[], env?: NodeJS.ProcessEnv): Promise<RunningCli> {
  const cli = startCli(["run", ...args], env);
  try {
    await cli.printed("fault injected");
  } catch (err) {
    await cli.stop();
    throw err;
  }
  return cli;
}

/** The workspace a run's output names ("... (workspace DIR)"). */
export const workspaceOf = (stdout: string): string | undefined => /workspace (\S+)\)/.exec(stdout)?.[1];

/** Pids whose command line mentions `text` (a workspace path, an app's script). */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ");
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** The parent of `pid`, or undefined when it is gone. */
export async function parentOf(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
  } catch {
    return undefined;
  }
}

/** Whether a TCP connection to host:port is refused (nothing listens there any more). */
export function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

export const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );
