// A long-running program a failover manager runs (a pg_auto_failover keeper or monitor, an etcd member,
// an HAProxy): spawned through the drill's supervisor as the unprivileged user, ready once its own
// check says so, and killed, stopped, frozen and brought back by a region outage and its heal.
import { readFile } from "node:fs/promises";
import type { ManagedProcess, ProcessSupervisor } from "./processes.ts";
import { waitUntil } from "../util/wait.ts";

export class ServiceError extends Error {
  override name = "ServiceError";
}

export interface ServiceOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Resolves true once the program does its job (accepts connections, answers its check). */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
  /** Signal for a graceful stop (SIGTERM by default). */
  stopSignal?: NodeJS.Signals;
}

/** The last lines of a log, to say why a program failed. */
export async function logTail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

export class Service {
  private process: ManagedProcess | undefined;

  constructor(
    private readonly supervisor: ProcessSupervisor,
    readonly o: ServiceOptions,
  ) {}

  get running(): boolean {
    return this.process?.running ?? false;
  }

  get pid(): number | undefined {
    return this.running ? this.process?.pid : undefined;
  }

  get paused(): boolean {
    return this.running && (this.process?.paused ?? false);
  }

  /** Spawns it; `wait` = until ready (else only spawned). */
  async start(wait = true): Promise<void> {
    if (this.running) return;
    this.process = this.supervisor.spawn(this.o.name, this.o.command, this.o.args, {
      cwd: this.o.cwd,
      env: this.o.env,
      logFile: this.o.logFile,
      asUnprivileged: true,
      ...(this.o.stopSignal === undefined ? {} : { stopSignal: this.o.stopSignal }),
    });
    if (wait) await this.waitReady();
  }

  /** Until ready; throws at once, with the log's tail, when the program exits instead. */
  async waitReady(timeoutMs = this.o.readyTimeoutMs): Promise<void> {
    const proc = this.process;
    const exited = async (): Promise<never> => {
      const exit = await proc!.exited;
      throw new ServiceError(
        `${this.o.name} exited (code ${exit.code}, signal ${exit.signal}) before it was ready; ` +
          `${this.o.logFile} ends:\n${await logTail(this.o.logFile)}`,
      );
    };
    await waitUntil(
      async () => {
        if (proc === undefined) throw new ServiceError(`${this.o.name} was never started`);
        if (!proc.running) return exited();
        return this.o.ready();
      },
      {
        timeoutMs,
        intervalMs: 100,
        retryErrors: false,
        ...(proc === undefined ? {} : { wake: proc.exited }),
        describe: `${this.o.name} to be ready (see ${this.o.logFile})`,
      },
    );
  }

  /** SIGKILL to the program and everything it started: power loss. */
  async kill(): Promise<void> {
    await this.process?.kill("SIGKILL");
  }

  /** Its own graceful shutdown; SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.process?.stop(graceMs);
  }

  async pause(): Promise<void> {
    if (this.running) await this.process?.pause();
  }

  resume(): void {
    if (this.paused) this.process?.resume();
  }

  /** After any outage: thawed if frozen, started again if it died, and ready. */
  async heal(): Promise<void> {
    if (this.paused) this.resume();
    if (!this.running) await this.start(false);
    await this.waitReady();
  }
}

/**
 * Runs a short program (initdb, a pg_autoctl create step) to completion through the supervisor, so a
 * drill stopped in the middle still stops whatever it started; throws with the log's tail when it
 * fails or outlives `timeoutMs`.
 */
export async function runSupervised(
  supervisor: ProcessSupervisor,
  o: Omit<ServiceOptions, "ready" | "readyTimeoutMs" | "stopSignal"> & { timeoutMs: number },
): Promise<void> {
  const proc = supervisor.spawn(o.name, o.command, o.args, {
    cwd: o.cwd,
    env: o.env,
    logFile: o.logFile,
    asUnprivileged: true,
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), o.timeoutMs);
  });
  const exit = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (exit === "timeout") {
    await proc.kill("SIGKILL");
    throw new ServiceError(
      `${o.name} did not finish within ${o.timeoutMs / 1000} s; ${o.logFile} ends:\n${await logTail(o.logFile)}`,
    );
  }
  // Whatever it left behind (a server it started and did not stop) goes with it.
  await proc.kill("SIGKILL");
  if (exit.code !== 0) {
    throw new ServiceError(
      `${o.name} failed (code ${exit.code}, signal ${exit.signal}); ${o.logFile} ends:\n${await logTail(o.logFile)}`,
    );
  }
}
