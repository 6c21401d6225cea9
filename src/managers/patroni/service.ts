// A supervised program of a Patroni drill that a region outage kills, stops or freezes and the heal
// starts again from the same files: an etcd member, an HAProxy, the Raft witness.
import type { ManagedProcess, ProcessSupervisor } from "../../platform/processes.ts";
import { waitUntil } from "../../util/wait.ts";

export interface ServiceOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
  /** Resolves true once the program does its job (answers its health check, listens). */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
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

  get paused(): boolean {
    return this.running && (this.process?.paused ?? false);
  }

  /** Spawns it as the unprivileged user; `wait` = until ready (else only spawned). */
  async start(wait = true): Promise<void> {
    if (this.running) return;
    const proc = this.supervisor.spawn(this.o.name, this.o.command, this.o.args, {
      cwd: this.o.cwd,
      env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", LC_ALL: "C.UTF-8", HOME: this.o.cwd },
      logFile: this.o.logFile,
      asUnprivileged: true,
    });
    this.process = proc;
    if (wait) await this.waitReady();
  }

  async waitReady(timeoutMs = this.o.readyTimeoutMs): Promise<void> {
    const proc = this.process;
    await waitUntil(
      async () => {
        if (proc === undefined || !proc.running)
          throw new Error(`${this.o.name} exited during start; see ${this.o.logFile}`);
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

  async kill(): Promise<void> {
    await this.process?.kill("SIGKILL");
  }

  async stop(graceMs = 5000): Promise<void> {
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
